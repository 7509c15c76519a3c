"""A job's items in the store, divided among workers by leases (migration 4's tables).

A job is made once (``create``): its kind, what every worker needs to run it (``spec``), and its
items, each a JSON payload numbered from 0. Workers then ``claim`` items: an item is free when
no one took it, or when the lease of the worker that took it ended (on the database's clock, so
machines whose clocks disagree count on one). A claim takes up to ``n`` free items at once and
marks them with the worker and a new lease, in one statement:

- SQLite: ``BEGIN IMMEDIATE`` (the engine's transaction holds the write lock) and ``UPDATE ...
  RETURNING``, so two processes never take the same item;
- PostgreSQL: the items are picked ``FOR UPDATE SKIP LOCKED``, so machines claiming at once take
  different items without waiting for each other.

A worker that lives renews its leases (``heartbeat``); one that was killed stops doing so and its
items are free again when its lease ends. An item's outcome is recorded once (``finish``: the
first worker to finish it; a slow worker whose lease ended and whose item another took is told
its outcome was not the one kept). Leases only divide the work: what makes an upload or a delete
happen once is the server-side identity of the commands (the referenceId lookup, the entry id).
"""

# The SQL here is built only from this module's constants and the engine's clock expression;
# every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from kaltura_mm.jobs.model import ClaimedItem, JobProgress, StoredJob, WorkerSeen, new_job_id
from kaltura_mm.store.errors import StoreError
from kaltura_mm.store.postgres import PostgresEngine
from kaltura_mm.store.store import Store

TODO, CLAIMED, DONE = "todo", "claimed", "done"
_INSERT_CHUNK = 1000  # items per insert statement batch


class JobQueue:
    """The jobs of one store; every method is one transaction and raises ``StoreError``."""

    def __init__(self, store: Store, clock: Callable[[], float] | None = None) -> None:
        """Keep jobs in ``store``; count leases on the database's clock, or on ``clock`` (Unix
        seconds: a simulation's virtual clock; every worker of a job must share it)."""
        self.store = store
        self._given = clock
        # PostgreSQL picks the free items SKIP LOCKED; SQLite's write lock already serialises.
        self._skip = " FOR UPDATE SKIP LOCKED" if isinstance(store.engine, PostgresEngine) else ""

    @property
    def _clock(self) -> str:
        """Return the SQL of the time now: the database's clock, or the given clock's reading
        as a number literal (a float's text is digits, a dot and an exponent only)."""
        if self._given is None:
            return self.store.clock
        now = float(self._given())
        if not math.isfinite(now):
            raise ValueError(f"the job queue's clock read {now}")
        return f"({now!r})"

    def now(self) -> float:
        """Return the database's clock (Unix seconds)."""
        return float(self.store.read(f"SELECT {self._clock} AS now")[0]["now"])

    def create(
        self,
        kind: str,
        target: str,
        spec: Mapping[str, Any],
        payloads: Iterable[Mapping[str, Any]],
        lease: float,
    ) -> StoredJob:
        """Make a job of ``payloads`` (its items, in order); return it with its new id."""
        rows = [json.dumps(p, sort_keys=True) for p in payloads]
        job_id = new_job_id()
        spec_text = json.dumps(dict(spec), sort_keys=True)
        with self.store.transaction() as tx:
            created = tx.execute(f"SELECT {self._clock} AS now")[0]["now"]
            tx.execute(
                "INSERT INTO jobs (job_id, kind, target, spec, lease, items, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (job_id, kind, target, spec_text, lease, len(rows), created),
            )
            for start in range(0, len(rows), _INSERT_CHUNK):
                tx.execute_many(
                    "INSERT INTO job_items (job_id, seq, payload, item_state, claims) "
                    "VALUES (?, ?, ?, ?, 0)",
                    [
                        (job_id, start + i, text, TODO)
                        for i, text in enumerate(rows[start : start + _INSERT_CHUNK])
                    ],
                )
        return StoredJob(job_id, kind, target, spec, lease, len(rows), float(created))

    def job(self, job_id: str) -> StoredJob:
        """Return the job ``job_id``, or raise ``StoreError`` saying it is not in this store."""
        rows = self.store.read("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        if not rows:
            raise StoreError(
                f"no job {job_id!r} in the store {self.store.where}",
                "check the id (`kaltura-mm jobs` lists them) and that --store names the store "
                "the job was made in",
            )
        return _job(rows[0])

    def jobs(self) -> list[StoredJob]:
        """Return every job, newest first."""
        rows = self.store.read("SELECT * FROM jobs ORDER BY created_at DESC, job_id")
        return [_job(r) for r in rows]

    def join(self, job_id: str, worker: str, host: str, pid: int) -> None:
        """Record that ``worker`` (on ``host``, process ``pid``) works on the job."""
        self.store.write(
            "INSERT INTO job_workers (job_id, worker, host, pid, started_at, seen_at, done) "
            f"VALUES (?, ?, ?, ?, {self._clock}, {self._clock}, 0) "
            "ON CONFLICT (job_id, worker) DO NOTHING",
            (job_id, worker, host, pid),
        )

    def claim(self, job_id: str, worker: str, n: int, lease: float) -> list[ClaimedItem]:
        """Take up to ``n`` free items of the job for ``worker``, each held for ``lease`` s."""
        clock = self._clock
        # The free items are picked once, in a materialized CTE: as a plain ``IN (subquery)``
        # PostgreSQL may run the subquery again per row (its clock is volatile), and a claim
        # then took 5 times ``n`` items and 7 s with four workers at once.
        sql = (
            "WITH picked AS MATERIALIZED (SELECT seq FROM job_items WHERE job_id = ? AND "
            f"(item_state = '{TODO}' OR (item_state = '{CLAIMED}' AND lease_until < {clock})) "
            f"ORDER BY seq LIMIT ?{self._skip}) "
            f"UPDATE job_items SET item_state = '{CLAIMED}', worker = ?, "
            f"lease_until = {clock} + ?, claims = claims + 1 "
            "WHERE job_id = ? AND seq IN (SELECT seq FROM picked) RETURNING seq, payload, claims"
        )
        with self.store.transaction() as tx:
            rows = tx.execute(sql, (job_id, n, worker, lease, job_id))
            tx.execute(
                f"UPDATE job_workers SET seen_at = {clock} WHERE job_id = ? AND worker = ?",
                (job_id, worker),
            )
        claimed = [
            ClaimedItem(int(r["seq"]), json.loads(r["payload"]), int(r["claims"])) for r in rows
        ]
        return sorted(claimed, key=lambda c: c.seq)

    def heartbeat(self, job_id: str, worker: str, lease: float) -> int:
        """Renew the leases ``worker`` holds by ``lease`` s from now; return how many it holds."""
        clock = self._clock
        with self.store.transaction() as tx:
            rows = tx.execute(
                f"UPDATE job_items SET lease_until = {clock} + ? "
                f"WHERE job_id = ? AND worker = ? AND item_state = '{CLAIMED}' RETURNING seq",
                (lease, job_id, worker),
            )
            tx.execute(
                f"UPDATE job_workers SET seen_at = {clock} WHERE job_id = ? AND worker = ?",
                (job_id, worker),
            )
        return len(rows)

    def finish(
        self, job_id: str, worker: str, outcomes: Mapping[int, Mapping[str, Any]]
    ) -> set[int]:
        """Record the outcome of each item (by its number) unless one is already recorded;
        return the numbers whose outcome this call recorded."""
        recorded: set[int] = set()
        with self.store.transaction() as tx:
            for seq, outcome in sorted(outcomes.items()):
                rows = tx.execute(
                    f"UPDATE job_items SET item_state = '{DONE}', outcome = ?, done_by = ?, "
                    "worker = NULL, lease_until = NULL "
                    f"WHERE job_id = ? AND seq = ? AND item_state <> '{DONE}' RETURNING seq",
                    (json.dumps(dict(outcome), sort_keys=True), worker, job_id, seq),
                )
                recorded.update(int(r["seq"]) for r in rows)
            tx.execute(
                "UPDATE job_workers SET done = done + ? WHERE job_id = ? AND worker = ?",
                (len(recorded), job_id, worker),
            )
        return recorded

    def release(self, job_id: str, worker: str, seqs: Sequence[int]) -> None:
        """Give back items ``worker`` holds and did not finish (stopped): free at once."""
        self.store.write_many(
            f"UPDATE job_items SET item_state = '{TODO}', worker = NULL, lease_until = NULL "
            f"WHERE job_id = ? AND seq = ? AND worker = ? AND item_state = '{CLAIMED}'",
            [(job_id, seq, worker) for seq in seqs],
        )

    def progress(self, job_id: str) -> JobProgress:
        """Return how far the job is (a held item whose lease ended counts as free)."""
        clock = self._clock
        rows = self.store.read(
            f"SELECT item_state, lease_until < {clock} AS expired, COUNT(*) AS n "
            "FROM job_items WHERE job_id = ? GROUP BY item_state, lease_until < " + clock,
            (job_id,),
        )
        done = held = free = 0
        for row in rows:
            n = int(row["n"])
            if row["item_state"] == DONE:
                done += n
            elif row["item_state"] == CLAIMED and not row["expired"]:
                held += n
            else:
                free += n
        return JobProgress(done + held + free, done, held, free)

    def outcomes(self, job_id: str) -> list[tuple[ClaimedItem, Mapping[str, Any] | None]]:
        """Return every item and its outcome (None while not done), in order."""
        rows = self.store.read(
            "SELECT seq, payload, claims, outcome FROM job_items WHERE job_id = ? ORDER BY seq",
            (job_id,),
        )
        return [
            (
                ClaimedItem(int(r["seq"]), json.loads(r["payload"]), int(r["claims"])),
                json.loads(r["outcome"]) if r["outcome"] else None,
            )
            for r in rows
        ]

    def held(self, job_id: str) -> dict[int, list[int]]:
        """Return the items held now (whatever their lease), by the process id holding them."""
        rows = self.store.read(
            "SELECT w.pid, i.seq FROM job_items i JOIN job_workers w "
            "ON w.job_id = i.job_id AND w.worker = i.worker "
            f"WHERE i.job_id = ? AND i.item_state = '{CLAIMED}' ORDER BY i.seq",
            (job_id,),
        )
        by_pid: dict[int, list[int]] = {}
        for row in rows:
            by_pid.setdefault(int(row["pid"]), []).append(int(row["seq"]))
        return by_pid

    def workers(self, job_id: str, lease: float) -> list[WorkerSeen]:
        """Return the workers of the job; ``alive``: heard of within ``lease`` seconds."""
        rows = self.store.read(
            f"SELECT *, seen_at > {self._clock} - ? AS alive FROM job_workers "
            "WHERE job_id = ? ORDER BY started_at, worker",
            (lease, job_id),
        )
        return [
            WorkerSeen(
                str(r["worker"]),
                str(r["host"]),
                int(r["pid"]),
                float(r["started_at"]),
                float(r["seen_at"]),
                int(r["done"]),
                bool(r["alive"]),
            )
            for r in rows
        ]


def _job(row: Mapping[str, Any]) -> StoredJob:
    return StoredJob(
        str(row["job_id"]),
        str(row["kind"]),
        str(row["target"]),
        json.loads(row["spec"]),
        float(row["lease"]),
        int(row["items"]),
        float(row["created_at"]),
    )
