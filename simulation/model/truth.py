"""The model's ground truth, for the invariants: what the server really holds.

Never what a driver believes: every entry ever created (deleted ones too), its status, content
bytes and categories; every upload token, its status and its file; the write log.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from simulation.model.records import READY, Token
from simulation.model.state import State


@dataclass(frozen=True, slots=True)
class EntryTruth:
    """One entry as the store holds it."""

    id: str
    status: int
    name: str
    reference_id: str
    user_id: str
    created_at: int
    content: bytes | None
    categories: frozenset[int]
    pending_token: str | None


@dataclass(frozen=True, slots=True)
class TokenTruth:
    """One upload token as the store holds it, with its file's real size."""

    id: str
    status: int
    file_name: str
    uploaded_file_size: int | None
    file_bytes: int | None
    attached_type: str | None
    attached_id: str | None
    entry_id: str | None


class Truth:
    """Everything the invariants may check. Tokens, names and the write log are copied when
    taken; entries (thousands in a walk) are copied on first use, so take the truth once the
    world has stopped changing, or read ``entries`` at once."""

    def __init__(self, state: State) -> None:
        state.tick()
        self._state = state
        self.time = state.now()
        self.tokens = {t.id: _token_truth(t) for t in state.tokens.values()}
        self.category_names = {c.id: c.full_name for c in state.categories.values()}
        self.entry_writes = tuple(state.entry_writes)
        self.foreign_writes = tuple(state.foreign_writes)  # (when, entry, the USER who wrote)

    @cached_property
    def entries(self) -> dict[str, EntryTruth]:
        """Return every entry ever created (deleted ones too), as the store holds it."""
        state = self._state
        return {
            e.id: EntryTruth(
                e.id,
                e.status,
                e.name,
                e.reference_id,
                e.user_id,
                e.created_at,
                e.content,
                frozenset(state.categories_of(e.id)),
                e.pending_token,
            )
            for e in state.entries.values()
        }

    def written_between(self, start: float, end: float) -> set[str]:
        """Return the ids of entries written (any change) in ``(start, end]``."""
        return {entry_id for when, entry_id in self.entry_writes if start < when <= end}


def _token_truth(t: Token) -> TokenTruth:
    size = None if t.data is None else len(t.data)
    return TokenTruth(
        t.id,
        t.status,
        t.file_name,
        t.uploaded_file_size,
        size,
        t.attached_type,
        t.attached_id,
        t.entry_id,
    )


def take(state: State) -> Truth:
    """Return the state's ground truth."""
    return Truth(state)


def listable(state: State, category_id: int, owner: str | None = None) -> set[str]:
    """Return the entries a plain list of ``category_id`` must find now: READY and in the
    category in the store, and the index already holding that same row (``owner``: only
    that user's, what a USER session without ``list:*`` is shown)."""
    state.tick()
    state.settle_indexes()
    docs = state.entry_index.docs
    found = set()
    for entry_id, links in state.category_rows.items():
        entry = state.entries[entry_id]
        if entry.status != READY or category_id not in state.categories_of(entry_id):
            continue
        if owner is not None and entry.user_id != owner:
            continue
        if docs.get(entry_id) == state.entry_doc(entry) and links:
            found.add(entry_id)
    return found
