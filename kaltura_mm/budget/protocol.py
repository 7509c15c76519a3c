"""The one small interface the gate spends the shared rate budget through (``ledger.StoreBudget``
keeps it in the store, on SQLite or PostgreSQL; a test or a deployment may bring its own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kaltura_mm.budget.model import Claimed, Key, Limit


class Budget(Protocol):
    """A rate budget shared by every process that opens the same database.

    Each method is one short transaction on the database's clock.
    """

    def claim(
        self, charges: Sequence[tuple[Key, int]], probe: str | None = None
    ) -> tuple[float, dict[Key, Claimed]]:
        """Charge ``n`` calls to each key now if every key's limit allows it; return 0 and each
        key's limit and the moment, or the seconds to wait before asking again. ``probe``: the
        caller sends a batch probing for an unknown limit (wait for another's to be answered)."""

    def answered(self, key: Key, probe: str, charged_at: float) -> None:
        """Mark the probing batch ``probe`` charged at ``charged_at`` answered."""

    def blocked(self, key: Key, n: int, charged_at: float, owner: str = "") -> Limit:
        """Record ``n`` calls of ``key`` charged at ``charged_at`` by ``owner`` that the server
        blocked; return the limit learned (``owner`` learns the window, if none is known)."""

    def learn(self, key: Key, calls: int, window: float) -> None:
        """Take ``calls`` per ``window`` seconds, what a run learned, while no window is known."""

    def confirmed(self, key: Key, n: int) -> None:
        """Raise ``key``'s limit to ``n``: that many calls in one request all ran."""

    def learning(self, key: Key, probe: str) -> bool:
        """Return whether a run other than ``probe`` is learning ``key``'s limit: its probing
        batch flies, or it learns the window (an idle one hands the part over to ``probe``)."""

    def limit(self, key: Key) -> Limit | None:
        """Return the limit learned for ``key`` (None: none yet)."""

    def set_limit(self, key: Key, limit: Limit) -> None:
        """Store ``limit`` for ``key``."""

    def close(self) -> None:
        """Close the connection."""
