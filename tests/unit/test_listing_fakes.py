"""An in-memory Kaltura to drive flows without sockets, and tests that it keeps the server rules.

``InMemoryKaltura`` answers the calls browse flows make (``baseEntry.list/get/getByIds/delete``,
``categoryEntry.add/delete/list``) with the server's documented quirks: READY-only by default,
``idNotIn`` cut to 150 values (the index path), offsets of 10,000 or more refused,
``orderBy=+createdAt`` with ties in insertion order. Lists read an index that still holds
entries deleted since (``settle()`` catches it up): their page is re-read without them, so it
comes back short while ``totalCount`` counts them; a status filter holding DELETED returns them.
``metadata_access_control`` makes a non-empty page's ``totalCount`` its own count; ``hidden``
ids are in the index but never returned (entitlement). It is a ``kaltura_mm.testing.Responder``:
``drive(flow, fake)`` runs a flow against it on the runtime's machine, answers encoded and
decoded as on the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import pytest

from kaltura_mm.errors import ApiError, TransportError
from kaltura_mm.models import (
    BaseEntry,
    Category,
    CategoryEntry,
    CategoryEntryStatus,
    EntryStatus,
    ListPage,
    MediaEntry,
    MediaType,
)
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime import Answer, Failed, Send
from kaltura_mm.testing import answer_for


def _err(code: str, message: str = "") -> ApiError:
    return ApiError.create(code, message or code)


@attrs.define
class InMemoryKaltura:
    """Entries and category memberships in memory, answering built ``Call`` values."""

    entries: dict[str, BaseEntry] = attrs.field(factory=dict)
    order: list[str] = attrs.field(factory=list)
    members: set[tuple[str, int]] = attrs.field(factory=set)
    calls: list[str] = attrs.field(factory=list)
    requests: int = 0
    blocked: Callable[[Call[Any]], bool] = lambda call: False
    before_request: Callable[[InMemoryKaltura], None] = lambda fake: None
    lose_answer: Callable[[InMemoryKaltura], bool] = lambda fake: False
    category_ids: set[int] = attrs.field(factory=lambda: {7})
    dead: dict[str, BaseEntry] = attrs.field(factory=dict)  # deleted, still in the index
    hidden: set[str] = attrs.field(factory=set)
    metadata_access_control: bool = False
    # a link's status when not ACTIVE (PENDING: awaiting a moderator; REJECTED)
    link_status: dict[tuple[str, int], CategoryEntryStatus] = attrs.field(factory=dict)
    # what the index holds of the links, when it lags the store (None: it does not)
    indexed_members: set[tuple[str, int]] | None = None

    def settle(self) -> None:
        """Let the index catch up: entries deleted so far leave it."""
        self.order = [i for i in self.order if i not in self.dead]
        self.dead.clear()

    def add(
        self,
        entry_id: str,
        created_at: int,
        *,
        status: EntryStatus = EntryStatus.READY,
        media_type: MediaType = MediaType.VIDEO,
        categories: tuple[int, ...] = (),
    ) -> None:
        """Store an entry and its category memberships."""
        self.entries[entry_id] = MediaEntry(
            id=entry_id, name=entry_id, created_at=created_at, status=status, media_type=media_type
        )
        self.order.append(entry_id)
        self.members.update((entry_id, c) for c in categories)

    def answer(self, call: Call[Any]) -> Any:
        """Return the decoded result of ``call`` or raise its ``ApiError``."""
        self.calls.append(call.label)
        if self.blocked(call):
            raise _err("ACTION_BLOCKED")
        handler = getattr(self, "_" + call.label.replace(".", "_"))
        return handler(**call.params)

    def _indexed(self, entry_id: str) -> BaseEntry:
        """Return the entry as the index holds it (a deleted one as it was)."""
        return self.dead.get(entry_id) or self.entries[entry_id]

    def _index_matches(self, f: Any) -> list[BaseEntry]:
        matches = [self._indexed(i) for i in self.order if self._matches(self._indexed(i), f)]
        matches.sort(key=lambda e: e.created_at or 0)  # stable: ties keep insertion order
        return matches

    def _baseEntry_count(self, filter: Any) -> int:
        return len(self._index_matches(filter))

    def _baseEntry_list(self, filter: Any, pager: Any) -> ListPage[BaseEntry]:
        offset = (pager.page_index - 1) * pager.page_size
        if offset >= 10_000:
            raise _err("QUERY_EXCEEDED_MAX_MATCHES_ALLOWED")
        matches = self._index_matches(filter)
        page = [
            self._reread(e, filter) for e in matches[offset : min(offset + pager.page_size, 10_000)]
        ]
        objects = tuple(e for e in page if e is not None)
        total = len(objects) if objects and self.metadata_access_control else len(matches)
        return ListPage(objects=objects, total_count=total)

    def _reread(self, indexed: BaseEntry, f: Any) -> BaseEntry | None:
        """Re-read an index match from the store: deleted ones only if the filter asks."""
        entry_id = indexed.id or ""
        if entry_id in self.hidden:
            return None
        if entry_id in self.dead:
            wanted = EntryStatus.DELETED in (f.status_in or ())
            return attrs.evolve(indexed, status=EntryStatus.DELETED) if wanted else None
        return self.entries[entry_id]

    def _matches(self, entry: BaseEntry, f: Any) -> bool:
        statuses = f.status_in or (EntryStatus.READY,)
        not_in = set((f.id_not_in or ())[:150])
        checks = [
            entry.status in statuses,
            entry.id not in not_in,
            f.created_at_greater_than_or_equal is None
            or (entry.created_at or 0) >= f.created_at_greater_than_or_equal,
            f.created_at_less_than_or_equal is None
            or (entry.created_at or 0) <= f.created_at_less_than_or_equal,
            not f.categories_ids_match_or
            or any((entry.id, c) in self._index_links() for c in f.categories_ids_match_or),
            not getattr(f, "media_type_in", None)
            or getattr(entry, "media_type", None) in f.media_type_in,
        ]
        return all(checks)

    def _index_links(self) -> set[tuple[str, int]]:
        return self.members if self.indexed_members is None else self.indexed_members

    def _baseEntry_get(self, entryId: str, version: Any = None) -> BaseEntry:
        if entryId not in self.entries:
            raise _err("ENTRY_ID_NOT_FOUND")
        return self.entries[entryId]

    def _baseEntry_getByIds(self, entryIds: str) -> list[BaseEntry]:
        return [self.entries[i] for i in entryIds.split(",") if i in self.entries]

    def _baseEntry_delete(self, entryId: str) -> None:
        gone = self.entries.pop(entryId, None)
        if gone is None:
            raise _err("ENTRY_ID_NOT_FOUND")
        self.dead[entryId] = gone  # the index still holds it until settle()

    def _categoryEntry_add(self, categoryEntry: Any) -> Any:
        key = (categoryEntry.entry_id, categoryEntry.category_id)
        if key[0] not in self.entries:
            raise _err("INVALID_ENTRY_ID")
        if key in self.members and key not in self.link_status:
            raise _err("CATEGORY_ENTRY_ALREADY_EXISTS")
        self.link_status.pop(key, None)  # a PENDING or REJECTED link is re-activated
        self.members.add(key)
        return categoryEntry

    def _categoryEntry_delete(self, entryId: str, categoryId: int) -> None:
        if (entryId, categoryId) not in self.members:
            raise _err("ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY")
        self.members.discard((entryId, categoryId))
        self.link_status.pop((entryId, categoryId), None)

    def _categoryEntry_list(self, filter: Any, pager: Any) -> ListPage[CategoryEntry]:
        # The store's links (exact, no index); ordered by entry then category, paged.
        entries = set(filter.entry_id_in or ()) | {filter.entry_id_equal} - {None}
        cats = set(filter.category_id_in or ()) | {filter.category_id_equal} - {None}
        if not entries and not cats:
            raise _err("MUST_FILTER_ON_ENTRY_OR_CATEGORY")
        rows = sorted(
            (e, c)
            for e, c in self.members
            if (not entries or e in entries) and (not cats or c in cats)
        )
        start = (pager.page_index - 1) * pager.page_size
        page = rows[start : start + pager.page_size]
        objects = tuple(
            CategoryEntry(
                entry_id=e,
                category_id=c,
                status=self.link_status.get((e, c), CategoryEntryStatus.ACTIVE),
            )
            for e, c in page
        )
        return ListPage(objects=objects, total_count=len(rows))

    def outcome(self, effect: Call[Any] | MultiRequest) -> Any:
        """Run a call or a batch; return its value (a batch: per-item values or errors)."""
        self.requests += 1
        self.before_request(self)
        if isinstance(effect, MultiRequest):
            raw: list[Any] = []
            for call in effect.calls:
                try:
                    raw.append(self.answer(call))
                except ApiError as exc:
                    raw.append(exc)
            if self.lose_answer(self):
                raise TransportError("connection reset", may_have_reached_server=True)
            return raw
        return self.answer(effect)

    def respond(self, send: Send) -> Answer:
        """Answer a request the way the server would (``kaltura_mm.testing.Responder``)."""
        try:
            return answer_for(send, self.outcome(send.target))
        except ApiError as exc:
            return answer_for(send, exc)
        except TransportError as exc:
            return Failed(send.id, exc)

    def _category_get(self, id: int) -> Category:
        if id not in self.category_ids:
            raise _err("CATEGORY_NOT_FOUND")
        return Category(id=id, parent_id=0, name=f"c{id}", full_name=f"c{id}", full_ids=str(id))


# ---- the fake keeps the server's rules ---------------------------------------------------------


def test_fake_refuses_offsets_past_ten_thousand() -> None:
    from kaltura_mm.models import BaseEntryFilter, Pager
    from kaltura_mm.services import base_entry

    fake = InMemoryKaltura()
    call = base_entry.list(BaseEntryFilter(), Pager(page_size=500, page_index=21))
    with pytest.raises(ApiError) as caught:
        fake.answer(call)
    assert caught.value.code == "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED"


def test_fake_cuts_id_not_in_to_150_values() -> None:
    from kaltura_mm.models import BaseEntryFilter, Pager
    from kaltura_mm.services import base_entry

    fake = InMemoryKaltura()
    for n in range(152):
        fake.add(f"0_{n:08d}", created_at=100)
    excluded = tuple(f"0_{n:08d}" for n in range(151))
    page = fake.answer(base_entry.list(BaseEntryFilter(id_not_in=excluded), Pager(page_size=10)))
    assert [e.id for e in page.objects] == ["0_00000150", "0_00000151"]


def test_fake_leaves_deleted_entries_in_its_index_until_it_settles() -> None:
    from kaltura_mm.models import BaseEntryFilter, Pager
    from kaltura_mm.services import base_entry

    fake = InMemoryKaltura()
    for n in range(4):
        fake.add(f"0_{n:08d}", created_at=100 + n)
    fake._baseEntry_delete("0_00000001")
    page = fake.answer(base_entry.list(BaseEntryFilter(), Pager(page_size=2)))
    assert ([e.id for e in page.objects], page.total_count) == (["0_00000000"], 4)
    fake.settle()
    page = fake.answer(base_entry.list(BaseEntryFilter(), Pager(page_size=2)))
    assert ([e.id for e in page.objects], page.total_count) == (["0_00000000", "0_00000002"], 3)
