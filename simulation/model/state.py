"""The model's whole server state: partners, rows, the search indexes, the limiter, the clock.

Every write to an entry or category goes through ``write_entry`` / ``write_category``, which
also queue the row's new index document and log the write (the invariants read the log).
"""

from __future__ import annotations

import heapq
import random
import string
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from simulation.accounts import BASE_USER_SESSION, DISABLE_CATEGORY_LIMIT, REFERENCE_MODIFY
from simulation.clock import VirtualClock
from simulation.knobs import ModelKnobs
from simulation.model.index import CategoryDoc, EntryDoc, Lag, SearchIndex, crc32
from simulation.model.ks import VerifiedKs
from simulation.model.limiter import RateLimiter
from simulation.model.records import (
    ASSET_QUEUED,
    ASSET_READY,
    IMAGE,
    PRECONVERT,
    READY,
    Category,
    CategoryEntry,
    Entry,
    FlavorAsset,
    Token,
)

_ID_ALPHABET = string.digits + string.ascii_lowercase


__all__ = ["BASE_USER_SESSION", "DISABLE_CATEGORY_LIMIT", "REFERENCE_MODIFY", "Partner", "State"]


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner account: its id, secrets, features, and its users' role permissions.

    ``roles`` maps a user id (lower case) to what its role grants; a user not in it has the
    partner's user-session role (``BASE_USER_SESSION``: ``kPermissionManager::getRoleIds``).
    An ADMIN session holds every permission.
    """

    id: int
    admin_secret: str
    user_secret: str
    features: frozenset[str] = frozenset()
    roles: dict[str, frozenset[str]] = field(default_factory=dict)

    def permissions_of(self, user_id: str) -> frozenset[str]:
        """Return what a USER session of ``user_id`` may do."""
        return self.roles.get(user_id.lower(), BASE_USER_SESSION)


class State:
    """The server's database, indexes and counters, on a virtual clock."""

    def __init__(self, clock: VirtualClock, knobs: ModelKnobs, rng: random.Random) -> None:
        self.clock, self.knobs, self.rng = clock, knobs, rng
        self.partners: dict[int, Partner] = {}
        self.entries: dict[str, Entry] = {}
        self.tokens: dict[str, Token] = {}
        self.assets: dict[str, FlavorAsset] = {}  # source flavor assets (``flavors``)
        self.categories: dict[int, Category] = {}
        self.category_rows: dict[str, dict[int, CategoryEntry]] = {}
        self.entry_index: SearchIndex[EntryDoc] = SearchIndex(Lag(*knobs.index_lag, rng))
        self.category_index: SearchIndex[CategoryDoc] = SearchIndex(Lag(*knobs.index_lag, rng))
        self.limiter = RateLimiter(knobs.rate_limits)
        self.entry_writes: list[tuple[float, str]] = []
        # Who the request being served acts for (user, admin?); None: the world's own moves.
        self.acting: tuple[str, bool] | None = None
        # Writes a non-admin request made to an entry another user owns: (when, entry, user).
        self.foreign_writes: list[tuple[float, str, str]] = []
        self.calls: Counter[str] = Counter()
        self.events: Counter[str] = Counter()  # the unkindness that actually happened
        self.query_cache: dict[object, Any] = {}
        self.sessions: dict[str, VerifiedKs] = {}  # KS strings already verified
        self._transcodes: list[tuple[float, int, str]] = []
        self._serial = 0

    def now(self) -> float:
        """Return the virtual time."""
        return self.clock.now()

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def mint_entry_id(self) -> str:
        """Return a new, unused id in the entry format (``0_`` + 8 of ``[0-9a-z]``)."""
        while True:
            candidate = "0_" + "".join(self.rng.choices(_ID_ALPHABET, k=8))
            if candidate not in self.entries and candidate not in self.assets:
                return candidate

    def mint_token_id(self) -> str:
        """Return a new upload token id (``0_`` + 32 hex)."""
        return f"0_{self.rng.getrandbits(128):032x}"

    def mint_int_id(self) -> int:
        """Return the next integer row id (entries' ``int_id``, category ids)."""
        return self._next_serial()

    def tie_key(self, entry_id: str, int_id: int) -> int:
        """Return the key that orders same-value rows in the index (knob ``tie_order``)."""
        return crc32(entry_id) if self.knobs.tie_order == "crc32" else int_id

    def categories_of(self, entry_id: str) -> list[int]:
        """Return the ids of the categories an entry is in (live rows: deleted ones leave)."""
        return list(self.category_rows.get(entry_id, ()))

    def entry_doc(self, entry: Entry) -> EntryDoc:
        """Return the index document for an entry's current row."""
        active = self.category_rows.get(entry.id, {})
        return EntryDoc(
            entry.id,
            entry.partner_id,
            entry.status,
            entry.type,
            entry.media_type or 0,
            entry.name,
            entry.reference_id,
            entry.user_id,
            entry.created_at,
            entry.updated_at,
            frozenset(active),  # every live link is ACTIVE: moderation is not modelled
            self.tie_key(entry.id, entry.int_id),
        )

    def write_entry(self, entry: Entry, at: float | None = None) -> None:
        """Record a write to ``entry`` (made at ``at``, default now) and queue its reindex."""
        when = self.now() if at is None else at
        self.entries[entry.id] = entry
        self.entry_writes.append((when, entry.id))
        acting = self.acting
        if acting is not None and not acting[1] and entry.user_id.lower() != acting[0].lower():
            self.foreign_writes.append((when, entry.id, acting[0]))
        self.entry_index.write(entry.id, self.entry_doc(entry), when)

    def category_doc(self, category: Category) -> CategoryDoc:
        """Return the index document for a category's current row."""
        c = category
        return CategoryDoc(
            c.id,
            c.partner_id,
            c.parent_id,
            c.depth,
            c.name,
            c.full_name,
            c.full_ids,
            c.status,
            c.created_at,
            c.id,
        )

    def write_category(self, category: Category) -> None:
        """Record a write to ``category`` and queue its reindex."""
        self.categories[category.id] = category
        self.category_index.write(category.id, self.category_doc(category), self.now())

    def start_transcoding(self, entry: Entry) -> None:
        """Put an entry with new content in PRECONVERT (images are READY at once)."""
        if entry.media_type == IMAGE:
            entry.status, entry.ready_at = READY, None
            return
        low, high = self.knobs.transcode_delay
        entry.status = PRECONVERT
        entry.ready_at = self.now() + (self.rng.uniform(low, high) if high > 0 else 0.0)
        heapq.heappush(self._transcodes, (entry.ready_at, self._next_serial(), entry.id))

    def tick(self) -> None:
        """Finish every transcoding whose time has come (the entry becomes READY then)."""
        now = self.now()
        while self._transcodes and self._transcodes[0][0] <= now:
            ready_at, _, entry_id = heapq.heappop(self._transcodes)
            entry = self.entries[entry_id]
            if entry.status == PRECONVERT and entry.ready_at == ready_at:
                entry.status, entry.ready_at = READY, None
                entry.updated_at = int(ready_at)
                asset = self.assets.get(entry.asset_id or "")
                if asset is not None and asset.status == ASSET_QUEUED:
                    # converted: the media info turns the size into KB (``flavors``)
                    asset.status, asset.size = ASSET_READY, asset.size_in_bytes // 1024
                    asset.updated_at = int(ready_at)
                self.write_entry(entry, at=ready_at)

    def settle_indexes(self) -> None:
        """Let the indexes see every write whose lag has passed."""
        now = self.now()
        self.entry_index.settle(now)
        self.category_index.settle(now)
