"""The shared rate budget in the store: one short transaction per claim, on the database's clock.

``StoreBudget`` runs its statements through the store's engine interface (``kaltura_mm.store``),
so the same SQL serves SQLite and PostgreSQL: ``transaction(locks=keys)`` is a transaction no
other process can interleave with for the same keys (SQLite's ``BEGIN IMMEDIATE``; PostgreSQL an
advisory lock per key, so claims of other keys do not wait), and ``store.clock`` is the
database's clock (SQLite ``julianday('now')``, PostgreSQL ``clock_timestamp()``). The rule that
decides *when* is ``model.earliest``; here it is only read and written.

Tables (the store's migration 3, ``kaltura_mm.store.schema``):

- ``budget_charges(key, at, owner, n, open)``: ``n`` calls charged at ``at``; ``open`` while a
  probing batch (below) of ``owner`` waits for its answer. Kept ``FORGET_AFTER`` seconds.
- ``budget_blocks(key, at, n)``: ``n`` calls the server answered ``ACTION_BLOCKED`` at ``at``.
- ``budget_limits(key, calls, seconds, blocked_until, learner)``: the learned limit of a key
  (``seconds`` 0 while the window is unknown, ``learner`` the run learning it: migration 4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from kaltura_mm.budget.model import (
    FORGET_AFTER,
    LEARNER_IDLE,
    LEARNING_HOLD,
    WIDEN_AT_MOST,
    Claimed,
    Key,
    Limit,
    earliest,
    learned,
    longer,
    widened,
)
from kaltura_mm.store import Store
from kaltura_mm.store.engine import Transaction

ON_TIME = 0.001  # seconds early a claim may be and still be charged (clock granularity)
HOLD = 0.05  # seconds a probing batch waits before asking again while another one flies
# ...for at most this long after that one was sent (its process may be gone; answers that take
# seconds are seen, and a round sent before another's is answered may block whole)
HOLD_AT_MOST = 10.0
# A learner waiting for an answer is busy for at most this long after its send: past the
# default read timeout (``Timeouts.read``, 120 s) and the learner's own idle time.
ANSWER_AT_MOST = 180.0
_SUMS = {
    table: f"SELECT coalesce(sum(n), 0) AS total FROM {table} WHERE key = ? AND at > ? AND at <= ?"  # noqa: S608 - two fixed names
    for table in ("budget_charges", "budget_blocks")
}
# A probing batch whose answer never came (lost, timed out, still flying) may not have run: the
# first block counts only the answered ones, so the limit it takes is never more than ran.
_SUMS["answered"] = _SUMS["budget_charges"] + " AND open = 0"
# Two charges of one key at the same moment by the same owner are one row: their counts add up.
_CHARGE = (
    "INSERT INTO budget_charges (key, at, owner, n, open) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (key, at, owner) DO UPDATE SET n = budget_charges.n + excluded.n,"
    " open = CASE WHEN excluded.open = 1 THEN 1 ELSE budget_charges.open END"
)
_BLOCK = (
    "INSERT INTO budget_blocks (key, at, n) VALUES (?, ?, ?)"
    " ON CONFLICT (key, at) DO UPDATE SET n = budget_blocks.n + excluded.n"
)
_UPSERT_LIMIT = (
    "INSERT INTO budget_limits (key, calls, seconds, blocked_until, learner)"
    " VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (key) DO UPDATE SET calls = excluded.calls, seconds = excluded.seconds,"
    " blocked_until = excluded.blocked_until, learner = excluded.learner"
)


class StoreBudget:
    """The budget in ``store`` (its tables: the module docstring); closing it closes the store.

    ``window`` is the server's window when the user knows it (``KALTURA_MM_RATE_WINDOW``); None:
    learned (``model``). ``clock``, for tests, replaces the database's clock.
    """

    def __init__(
        self,
        store: Store,
        window: float | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.store = store
        self.window = window
        self._clock = clock

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
        with self.store.transaction(locks=[key.text for key, _ in charges]) as tx:
            now = self._now(tx)
            limits = {key: self._limit(tx, key, now) for key, _ in charges}
            at = max(
                earliest(now, self._recent(tx, key.text, now, limits[key]), limits[key], n)
                for key, n in charges
            )
            if at > now + ON_TIME:
                return at - now, {}
            if probe is not None and any(
                self._learning_elsewhere(tx, key, limit, probe, now)
                for key, limit in limits.items()
            ):
                return LEARNING_HOLD, {}
            probing = probe is not None and all(
                limit is None or not limit.known for limit in limits.values()
            )
            if probing and any(self._flying(tx, key.text, probe or "", now) for key, _ in charges):
                return HOLD, {}
            for key, n in charges:
                tx.execute(_CHARGE, (key.text, now, probe or "", n, int(probing)))
                for table in ("budget_charges", "budget_blocks"):
                    tx.execute(
                        f"DELETE FROM {table} WHERE key = ? AND at < ?",  # noqa: S608 - fixed names
                        (key.text, now - FORGET_AFTER),
                    )
        return 0.0, {key: (limit, now) for key, limit in limits.items()}

    def blocked(self, key: Key, n: int, charged_at: float, owner: str = "") -> Limit:
        """Record ``n`` calls of ``key``, charged at ``charged_at`` by ``owner``, blocked by the
        server; return the limit learned from it (``model.learned``)."""
        with self.store.transaction(locks=[key.text]) as tx:
            now = self._now(tx)
            old = self._limit(tx, key, now)
            window = old.window if old and old.known else (self.window or 0.0)
            since = charged_at - widened(window) if window else -1e18  # unknown: all kept
            tx.execute(_BLOCK, (key.text, charged_at, n))
            counted = "budget_charges" if window else "answered"
            charged = self._sum(tx, counted, key.text, since, charged_at)
            blocks = self._sum(tx, "budget_blocks", key.text, since, charged_at)
            limit = learned(old, charged, blocks, charged_at, window, owner)
            whole = self._sum(tx, "budget_blocks", key.text, charged_at - ON_TIME, charged_at) >= (
                self._sum(tx, "budget_charges", key.text, charged_at - ON_TIME, charged_at)
            )
            if old is not None and old.known and limit.calls < old.calls and whole:
                reach = self._reach(tx, key.text, charged_at, old)
                limit = longer(old, limit, charged_at, reach, now - charged_at)
            self._store(tx, key, limit)
        return limit

    def learn(self, key: Key, calls: int, window: float) -> None:
        """Take ``calls`` per ``window`` seconds, what a run learned of the server's limiter, while
        the budget knows no window for ``key`` (once it does, the budget's own rules keep it)."""
        with self.store.transaction(locks=[key.text]) as tx:
            old = self._limit(tx, key, self._now(tx))
            if (old is None or not old.known) and calls > 0 and window > 0:
                self._store(tx, key, Limit(calls, window, old.blocked_until if old else 0.0))

    def answered(self, key: Key, probe: str, charged_at: float) -> None:
        """Mark ``probe``'s batch charged at ``charged_at`` answered (``claim``)."""
        with self.store.transaction(locks=[key.text]) as tx:
            tx.execute(
                "UPDATE budget_charges SET open = 0 WHERE key = ? AND owner = ? AND at = ?",
                (key.text, probe, charged_at),
            )

    def confirmed(self, key: Key, n: int) -> None:
        """Raise ``key``'s limit to ``n``: that many calls in one request all ran."""
        with self.store.transaction(locks=[key.text]) as tx:
            old = self._limit(tx, key, self._now(tx))
            if old is not None and old.known and n > old.calls:
                self._store(tx, key, Limit(n, old.window, old.blocked_until))

    def learning(self, key: Key, probe: str) -> bool:
        """Return whether a run other than ``probe`` is learning ``key``'s limit: its probing
        batch flies (``claim``'s hold) or it learns the window (an idle one hands the part
        over to ``probe``)."""
        with self.store.transaction(locks=[key.text]) as tx:
            now = self._now(tx)
            limit = self._limit(tx, key, now)
            if self._learning_elsewhere(tx, key, limit, probe, now):
                return True
            unknown = limit is None or not limit.known
            return unknown and self._flying(tx, key.text, probe, now)

    def limit(self, key: Key) -> Limit | None:
        """Return the limit learned for ``key``, or None."""
        with self.store.transaction(locks=[key.text]) as tx:
            return self._limit(tx, key, self._now(tx))

    def set_limit(self, key: Key, limit: Limit) -> None:
        """Store ``limit`` for ``key`` (what a deployment publishes, or a test sets)."""
        with self.store.transaction(locks=[key.text]) as tx:
            self._store(tx, key, limit)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __repr__(self) -> str:
        return f"StoreBudget({self.store.where!r})"  # a PostgreSQL password shown as ***

    # ---- statements ----------------------------------------------------------------------------

    def _now(self, tx: Transaction) -> float:
        if self._clock is not None:
            return float(self._clock())
        return float(tx.execute(f"SELECT {self.store.clock} AS now")[0]["now"])

    def _limit(self, tx: Transaction, key: Key, now: float) -> Limit | None:
        rows = tx.execute(
            "SELECT calls, seconds, blocked_until, learner FROM budget_limits WHERE key = ?",
            (key.text,),
        )
        if not rows:
            return None
        newest = tx.execute(
            "SELECT max(at) AS newest FROM budget_charges WHERE key = ?", (key.text,)
        )[0]["newest"]
        if newest is not None and newest < now - FORGET_AFTER:  # long unused: learn it again
            tx.execute("DELETE FROM budget_limits WHERE key = ?", (key.text,))
            return None
        row = rows[0]
        return Limit(
            int(row["calls"]), float(row["seconds"]), float(row["blocked_until"]), row["learner"]
        )

    def _learning_elsewhere(
        self, tx: Transaction, key: Key, limit: Limit | None, probe: str, now: float
    ) -> bool:
        """Return whether another run is learning ``key``'s window (``model``); a learner idle
        for ``LEARNER_IDLE`` hands the part over to ``probe``."""
        if limit is None or limit.known or limit.learner in ("", probe):
            return False
        # busy: it sent lately, or it waits for an answer (a slow server is not an idle learner;
        # a request unanswered past ANSWER_AT_MOST was cut by its timeout, or its process died)
        busy = tx.execute(
            "SELECT 1 AS busy FROM budget_charges WHERE key = ? AND owner = ?"
            " AND (at > ? OR (open = 1 AND at > ?))",
            (key.text, limit.learner, now - LEARNER_IDLE, now - ANSWER_AT_MOST),
        )
        if busy:
            return True
        self._store(tx, key, attrs.evolve(limit, learner=probe))
        return False

    def _flying(self, tx: Transaction, key: str, probe: str, now: float) -> bool:
        return bool(
            tx.execute(
                "SELECT 1 AS flying FROM budget_charges"
                " WHERE key = ? AND open = 1 AND owner <> ? AND at > ?",
                (key, probe, now - HOLD_AT_MOST),
            )
        )

    def _recent(
        self, tx: Transaction, key: str, now: float, limit: Limit | None
    ) -> list[tuple[float, int]]:
        if limit is None:
            return []
        rows = tx.execute(
            "SELECT at, n FROM budget_charges WHERE key = ? AND at > ? ORDER BY at DESC",
            (key, now - limit.spread),
        )
        return [(float(r["at"]), int(r["n"])) for r in rows]

    def _reach(self, tx: Transaction, key: str, at: float, old: Limit) -> float | None:
        """Return how far back from ``at`` the ``old.calls`` most recent accepted charges go (the
        charges up to ``at`` less the blocks), looking ``WIDEN_AT_MOST`` windows back; None if
        there were fewer."""
        since = at - WIDEN_AT_MOST * old.spread
        counts: dict[float, int] = {}
        for table, sign in (("budget_charges", 1), ("budget_blocks", -1)):
            rows = tx.execute(
                f"SELECT at, sum(n) AS n FROM {table} WHERE key = ? AND at > ? AND at <= ?"  # noqa: S608 - fixed names
                " GROUP BY at",
                (key, since, at),
            )
            for row in rows:
                counts[float(row["at"])] = counts.get(float(row["at"]), 0) + sign * int(row["n"])
        held = 0
        for when in sorted(counts, reverse=True):
            held += max(0, counts[when])
            if held >= old.calls:
                return at - when
        return None

    def _sum(self, tx: Transaction, table: str, key: str, since: float, now: float) -> int:
        return int(tx.execute(_SUMS[table], (key, since, now))[0]["total"])

    def _store(self, tx: Transaction, key: Key, limit: Limit) -> None:
        tx.execute(
            _UPSERT_LIMIT,
            (key.text, limit.calls, limit.window, limit.blocked_until, limit.learner),
        )
