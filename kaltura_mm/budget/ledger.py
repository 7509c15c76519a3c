"""The shared rate budget on a SQL database: one short transaction per claim, on its clock.

``SqlBudget`` holds the statements both engines run (SQLite: ``sqlite.py``, PostgreSQL:
``postgres.py``); an engine says how to open a connection, read the database's clock, and start a
transaction that no other process can interleave with for the same key (SQLite ``BEGIN
IMMEDIATE``; PostgreSQL an advisory lock per key). The rule that decides *when* is
``model.earliest``; here it is only read and written.

Tables (``budget_`` prefixed, created if missing):

- ``budget_charges(key, at, n, owner, open)``: ``n`` calls charged at ``at``; ``open`` while a
  probing batch (below) of ``owner`` waits for its answer. Kept ``FORGET_AFTER`` seconds.
- ``budget_blocks(key, at, n)``: ``n`` calls the server answered ``ACTION_BLOCKED`` at ``at``.
- ``budget_limits(key, calls, seconds, blocked_until)``: the learned limit of a key.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from kaltura_mm.budget.model import (
    FORGET_AFTER,
    Claimed,
    Key,
    Limit,
    earliest,
    learned,
    widened,
)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS budget_charges (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,"
    " n INTEGER NOT NULL, owner TEXT NOT NULL DEFAULT '', open INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS budget_charges_key_at ON budget_charges (key, at)",
    "CREATE TABLE IF NOT EXISTS budget_blocks"
    " (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL, n INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS budget_blocks_key_at ON budget_blocks (key, at)",
    "CREATE TABLE IF NOT EXISTS budget_limits (key TEXT PRIMARY KEY, calls INTEGER NOT NULL,"
    " seconds DOUBLE PRECISION NOT NULL, blocked_until DOUBLE PRECISION NOT NULL)",
)
ON_TIME = 0.001  # seconds early a claim may be and still be charged (clock granularity)
HOLD = 0.05  # seconds a probing batch waits before asking again while another one flies
HOLD_AT_MOST = 2.0  # ...for at most this long after that one was sent (its process may be gone)
_SUMS = {
    table: f"SELECT coalesce(sum(n), 0) FROM {table} WHERE key = ? AND at > ? AND at <= ?"  # noqa: S608 - two fixed names
    for table in ("budget_charges", "budget_blocks")
}
_UPSERT_LIMIT = (
    "INSERT INTO budget_limits (key, calls, seconds, blocked_until) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET calls = excluded.calls, seconds = excluded.seconds,"
    " blocked_until = excluded.blocked_until"
)


class SqlBudget(ABC):
    """The budget's statements over a DB-API connection (engines: the module docstring).

    ``window`` is the server's window assumed for a key until one is stored (Kaltura's default
    10 s); ``clock``, for tests, replaces the database's clock.
    """

    placeholder = "?"

    def __init__(self, window: float, clock: Any = None) -> None:
        self.window = window
        self._clock = clock

    # ---- what an engine provides ---------------------------------------------------------------

    @abstractmethod
    def _transaction(self, keys: Sequence[str]) -> Any:
        """Return a context manager: a connection in a transaction that owns ``keys``."""

    @abstractmethod
    def _clock_sql(self) -> str:
        """Return the SELECT that reads the database's clock (Unix seconds, sub-second)."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""

    # ---- the budget ----------------------------------------------------------------------------

    def claim(
        self, charges: Sequence[tuple[Key, int]], probe: str | None = None
    ) -> tuple[float, dict[Key, Claimed]]:
        """Charge ``n`` calls to each key now if every key's limit allows it (one transaction);
        return 0 and each key's limit and the charge's moment. Otherwise charge nothing and
        return the seconds until it may be allowed: the caller waits and claims again (a
        reservation in the future would keep its place after a limit is found lower).

        ``probe`` names the caller when it sends a batch that looks for a limit no one knows yet
        (the batch engine's growing rounds): it waits while another caller's probing batch of the
        same key is unanswered, so that one block teaches every process before the next round
        goes (``answered`` ends the wait)."""
        keys = sorted({key.text for key, _ in charges})
        with self._transaction(keys) as db:
            now = self._now(db)
            limits = {key: self._limit(db, key, now) for key, _ in charges}
            at = max(
                earliest(now, self._recent(db, key.text, now, limits[key]), limits[key], n)
                for key, n in charges
            )
            if at > now + ON_TIME:
                return at - now, {}
            probing = probe is not None and all(limits[key] is None for key, _ in charges)
            if probing and any(self._flying(db, key.text, probe or "", now) for key, _ in charges):
                return HOLD, {}
            for key, n in charges:
                self._run(
                    db,
                    "INSERT INTO budget_charges (key, at, n, owner, open) VALUES (?, ?, ?, ?, ?)",
                    (key.text, now, n, probe or "", int(probing)),
                )
                self._run(
                    db,
                    "DELETE FROM budget_charges WHERE key = ? AND at < ?",
                    (key.text, now - FORGET_AFTER),
                )
                self._run(
                    db,
                    "DELETE FROM budget_blocks WHERE key = ? AND at < ?",
                    (key.text, now - FORGET_AFTER),
                )
        return 0.0, {key: (limit, now) for key, limit in limits.items()}

    def blocked(self, key: Key, n: int, charged_at: float) -> Limit:
        """Record ``n`` calls of ``key``, charged at ``charged_at``, blocked by the server; return
        the limit learned from it (``model.learned``)."""
        with self._transaction([key.text]) as db:
            old = self._limit(db, key, self._now(db))
            window = old.window if old else self.window
            since = charged_at - widened(window)
            self._run(
                db,
                "INSERT INTO budget_blocks (key, at, n) VALUES (?, ?, ?)",
                (key.text, charged_at, n),
            )
            charged = self._sum(db, "budget_charges", key.text, since, charged_at)
            blocks = self._sum(db, "budget_blocks", key.text, since, charged_at)
            limit = learned(old, charged, blocks, charged_at, window)
            self._store(db, key, limit)
        return limit

    def answered(self, key: Key, probe: str, charged_at: float) -> None:
        """Mark ``probe``'s batch charged at ``charged_at`` answered (``claim``)."""
        with self._transaction([key.text]) as db:
            self._run(
                db,
                "UPDATE budget_charges SET open = 0 WHERE key = ? AND owner = ? AND at = ?",
                (key.text, probe, charged_at),
            )

    def confirmed(self, key: Key, n: int) -> None:
        """Raise ``key``'s limit to ``n``: that many calls in one request all ran."""
        with self._transaction([key.text]) as db:
            old = self._limit(db, key, self._now(db))
            if old is not None and n > old.calls:
                self._store(db, key, Limit(n, old.window, old.blocked_until))

    def limit(self, key: Key) -> Limit | None:
        """Return the limit learned for ``key``, or None."""
        with self._transaction([key.text]) as db:
            return self._limit(db, key, self._now(db))

    def set_limit(self, key: Key, limit: Limit) -> None:
        """Store ``limit`` for ``key`` (what a deployment publishes, or a test sets)."""
        with self._transaction([key.text]) as db:
            self._store(db, key, limit)

    # ---- statements ----------------------------------------------------------------------------

    def _run(self, db: Any, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cursor = db.execute(sql.replace("?", self.placeholder), tuple(params))
        return list(cursor.fetchall()) if cursor.description else []

    def _now(self, db: Any) -> float:
        if self._clock is not None:
            return float(self._clock())
        return float(self._run(db, self._clock_sql())[0][0])

    def _limit(self, db: Any, key: Key, now: float) -> Limit | None:
        rows = self._run(
            db, "SELECT calls, seconds, blocked_until FROM budget_limits WHERE key = ?", (key.text,)
        )
        if not rows:
            return None
        newest = self._run(db, "SELECT max(at) FROM budget_charges WHERE key = ?", (key.text,))
        if newest[0][0] is not None and newest[0][0] < now - FORGET_AFTER:  # long unused: relearn
            self._run(db, "DELETE FROM budget_limits WHERE key = ?", (key.text,))
            return None
        calls, seconds, until = rows[0]
        return Limit(int(calls), float(seconds), float(until))

    def _flying(self, db: Any, key: str, probe: str, now: float) -> bool:
        rows = self._run(
            db,
            "SELECT 1 FROM budget_charges WHERE key = ? AND open = 1 AND owner <> ? AND at > ?",
            (key, probe, now - HOLD_AT_MOST),
        )
        return bool(rows)

    def _recent(
        self, db: Any, key: str, now: float, limit: Limit | None
    ) -> list[tuple[float, int]]:
        if limit is None:
            return []
        rows = self._run(
            db,
            "SELECT at, n FROM budget_charges WHERE key = ? AND at > ? ORDER BY at DESC",
            (key, now - limit.spread),
        )
        return [(float(at), int(n)) for at, n in rows]

    def _sum(self, db: Any, table: str, key: str, since: float, now: float) -> int:
        rows = self._run(db, _SUMS[table], (key, since, now))
        return int(rows[0][0])

    def _store(self, db: Any, key: Key, limit: Limit) -> None:
        self._run(db, _UPSERT_LIMIT, (key.text, limit.calls, limit.window, limit.blocked_until))
