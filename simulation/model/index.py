"""The search index (Kaltura's Sphinx), separate from the store and fed late.

Every write to an entry or a category sends a snapshot of the row's indexed fields to the index
through a queue (Kaltura's ``sphinx_log``), applied in order once its lag has passed. So the
index answers with what the rows WERE: an entry added a moment ago is missing, a renamed entry
still matches its old name, a deleted one is still listed by id (the store re-read then drops it).
"""

from __future__ import annotations

import random
import zlib
from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class EntryDoc:
    """What the index holds for one entry (the fields lists filter and sort on)."""

    id: str
    partner_id: int
    status: int
    type: int
    media_type: int
    name: str
    reference_id: str
    user_id: str
    created_at: int
    updated_at: int
    categories_ids: frozenset[int]
    tie_key: int


@dataclass(frozen=True, slots=True)
class CategoryDoc:
    """What the index holds for one category."""

    id: int
    partner_id: int
    parent_id: int
    depth: int
    name: str
    full_name: str
    full_ids: str
    status: int
    created_at: int
    tie_key: int


def crc32(text: str) -> int:
    """Return the unsigned crc32 Sphinx keys string ids by (``int_entry_id``)."""
    return zlib.crc32(text.encode())


class Lag:
    """Draw each write's delay before the index sees it."""

    def __init__(self, low: float, high: float, rng: random.Random) -> None:
        self.low, self.high, self._rng = low, high, rng

    def draw(self) -> float:
        """Return one write's lag in seconds (0 for a kind index)."""
        if self.high <= 0:
            return 0.0
        return self._rng.uniform(self.low, self.high)


class SearchIndex(Generic[D]):
    """Documents by id, fed through an in-order queue of (due time, id, document or None)."""

    def __init__(self, lag: Lag) -> None:
        self._lag = lag
        self._queue: deque[tuple[float, object, D | None]] = deque()
        self._last_due = float("-inf")
        self.docs: dict[object, D] = {}
        self.version = 0
        self._changes: list[tuple[D | None, D | None]] = []  # (old, new) per applied write
        self._changes_base = 0  # the version before the first kept change

    def write(self, key: object, doc: D | None, at: float) -> float:
        """Queue ``doc`` (None removes the key) written at ``at``; return when it applies."""
        due = max(self._last_due, at + self._lag.draw())
        self._last_due = due
        self._queue.append((due, key, doc))
        return due

    def put_now(self, key: object, doc: D) -> None:
        """Index ``doc`` at once: a row that "always existed" (world setup only)."""
        self._apply(key, doc)

    def _apply(self, key: object, doc: D | None) -> None:
        old = self.docs.pop(key, None) if doc is None else self.docs.get(key)
        if doc is not None:
            self.docs[key] = doc
        if len(self._changes) >= 50_000:
            self._changes.clear()
            self._changes_base = self.version
        self._changes.append((old, doc))
        self.version += 1

    def changes_since(self, version: int) -> list[tuple[D | None, D | None]] | None:
        """Return the (old, new) documents applied after ``version``, or None if forgotten."""
        if version < self._changes_base:
            return None
        return self._changes[version - self._changes_base :]

    def settle(self, now: float) -> None:
        """Apply every queued write whose time has come, in order."""
        queue = self._queue
        while queue and queue[0][0] <= now:
            _, key, doc = queue.popleft()
            self._apply(key, doc)

    def pending_for(self, key: object) -> bool:
        """Return True while a write to ``key`` waits in the queue."""
        return any(queued == key for _, queued, _ in self._queue)

    def backlog(self) -> int:
        """Return how many writes wait in the queue."""
        return len(self._queue)
