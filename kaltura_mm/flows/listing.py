"""List entries: one page at a time, or every match past the server's 10,000-result cap.

The server refuses offsets of 10,000 or more (``QUERY_EXCEEDED_MAX_MATCHES_ALLOWED``), so listing
everything uses a keyset on ``createdAt`` instead of page numbers, the documented workaround:

1. Every request asks for page 1, 500 entries, ``orderBy=+createdAt``, with
   ``createdAtGreaterThanOrEqual`` = the last ``createdAt`` handed out and ``idNotIn`` = the ids
   already handed out at that second (the server does not sort by id, so ties need this).
2. No offsets means an entry deleted or added behind the cursor shifts nothing ahead of it: each
   entry that exists throughout is handed out exactly once, under concurrent adds and deletes.
3. The listing ends when a page holds every remaining match (``totalCount``), so 25,000 entries
   take 50 requests, not 51.
4. ``idNotIn`` is cut to 500 values by the server, so when more than 500 entries share one second
   that second is read on its own ("crowded"): its entries are counted, then read by page number
   from the *last* page down to the first. Walking backwards, a deletion can only move an unread
   entry onto a page still to come, never onto one already read; ids are de-duplicated. One second
   holding more than 10,000 entries cannot be read at all and raises ``ListingError``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import attrs

from kaltura_mm.errors import ConfigError, ListingError
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.models import (
    BaseEntry,
    BaseEntryFilter,
    EntryStatus,
    EntryType,
    ListPage,
    MediaEntryFilter,
    MediaType,
    Pager,
)
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime.effects import Emit, Flow, Stream
from kaltura_mm.services import base_entry

PAGE_SIZE = 500  # the server's largest page
MAX_IN_VALUES = 500  # the server keeps only the first 500 values of an ``...In`` filter
MAX_WINDOW = 10_000  # offsets at or past this fail

ANY_STATUS: tuple[EntryStatus, ...] = tuple(s for s in EntryStatus if s is not EntryStatus.DELETED)
"""Every status but DELETED: ready entries and those still importing, converting or failed."""

Order = Literal["+createdAt", "-createdAt", "+updatedAt", "-updatedAt", "+name", "-name"]


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        return (value,)
    return tuple(value)


@attrs.frozen(kw_only=True)
class EntryQuery:
    """Which entries to list: a category's (direct or with sub-categories) or all, filtered.

    ``statuses=None`` lists READY entries only (the server's default); pass ``ANY_STATUS`` to
    include entries still importing or converting. ``media_types`` (video, image, audio) and
    ``entry_types`` (media clip, document...) narrow the kinds; ranges are Unix seconds,
    inclusive. ``order`` applies to page-by-page listing; listing everything is by creation time.
    """

    category_id: int | None = None
    include_subcategories: bool = False
    media_types: tuple[MediaType, ...] = attrs.field(default=(), converter=_tuple)
    entry_types: tuple[EntryType, ...] = attrs.field(default=(), converter=_tuple)
    statuses: tuple[EntryStatus, ...] | None = None
    free_text: str | None = None
    created_from: int | None = None
    created_to: int | None = None
    updated_from: int | None = None
    updated_to: int | None = None
    reference_id: str | None = None
    owner_user_id: str | None = None
    order: str = "+createdAt"

    def __attrs_post_init__(self) -> None:
        if self.category_id is not None and (
            isinstance(self.category_id, bool) or not isinstance(self.category_id, int)
        ):
            raise ConfigError(
                f"category_id must be an integer id such as 42, got {self.category_id!r}; "
                "resolve a path such as 'Root>Courses' with resolve_category first"
            )
        if self.statuses is not None and not self.statuses:
            raise ConfigError("statuses is empty: pass None for READY only, or ANY_STATUS")

    def to_filter(self, **overrides: Any) -> BaseEntryFilter:
        """Return the server filter for this query; ``overrides`` set further filter fields."""
        fields: dict[str, Any] = {
            "order_by": self.order,
            "type_in": self.entry_types or None,
            "status_in": self.statuses,
            "free_text": self.free_text,
            "created_at_greater_than_or_equal": self.created_from,
            "created_at_less_than_or_equal": self.created_to,
            "updated_at_greater_than_or_equal": self.updated_from,
            "updated_at_less_than_or_equal": self.updated_to,
            "reference_id_equal": self.reference_id,
            "user_id_equal": self.owner_user_id,
        }
        if self.category_id is not None:
            key = "category_ancestor_id_in" if self.include_subcategories else None
            fields[key or "categories_ids_match_or"] = (self.category_id,)
        fields.update(overrides)
        if self.media_types:
            # mediaTypeIn is silently ignored unless the filter is a KalturaMediaEntryFilter.
            return MediaEntryFilter(media_type_in=self.media_types, **fields)
        return BaseEntryFilter(**fields)


def list_page(
    query: EntryQuery, page_index: int = 1, page_size: int = PAGE_SIZE
) -> Call[ListPage[BaseEntry]]:
    """Build the call for one page of ``query`` (pages past 10,000 entries fail server-side)."""
    if (page_index - 1) * page_size >= MAX_WINDOW:
        raise ConfigError(
            f"page {page_index} of {page_size} starts past the server's 10,000-result window; "
            "use list_entries (keyset) to read everything"
        )
    return base_entry.list(query.to_filter(), Pager(page_size=page_size, page_index=page_index))


@attrs.frozen(kw_only=True)
class Keyset:
    """Where a full listing stands: the next request to send, and what was already handed out.

    ``since``/``boundary``: the lower ``createdAt`` bound and the ids handed out at that second.
    ``crowded_total``/``crowded_page``: set while reading one over-full second page by page.
    """

    query: EntryQuery
    since: int | None = None
    boundary: frozenset[str] = frozenset()
    crowded_total: int | None = None
    crowded_page: int = 0
    crowded: bool = False
    done: bool = False
    page_size: int = PAGE_SIZE

    @classmethod
    def start(cls, query: EntryQuery, page_size: int = PAGE_SIZE) -> Keyset:
        """Return the position before the first entry of ``query``."""
        if query.order not in ("+createdAt", "createdAt"):
            raise ConfigError(
                f"listing every entry walks by creation time; order {query.order!r} is only "
                "for page-by-page listing (list_page): leave order as '+createdAt'"
            )
        return cls(query=query, since=query.created_from, page_size=page_size)

    def request(self) -> Call[ListPage[BaseEntry]]:
        """Return the call that fetches the next page."""
        if self.done:
            raise ValueError("the listing is finished; there is no next request")
        if self.crowded:
            return self._crowded_request()
        overrides: dict[str, Any] = {"order_by": "+createdAt"}
        if self.since is not None:
            overrides["created_at_greater_than_or_equal"] = self.since
        if self.boundary:
            overrides["id_not_in"] = tuple(sorted(self.boundary))
        pager = Pager(page_size=self.page_size, page_index=1)
        return base_entry.list(self.query.to_filter(**overrides), pager)

    def _crowded_request(self) -> Call[ListPage[BaseEntry]]:
        overrides = {
            "order_by": "+createdAt",
            "created_at_greater_than_or_equal": self.since,
            "created_at_less_than_or_equal": self.since,
        }
        if self.crowded_total is None:  # count first: page size 1 is enough for totalCount
            pager = Pager(page_size=1, page_index=1)
        else:
            pager = Pager(page_size=self.page_size, page_index=self.crowded_page)
        return base_entry.list(self.query.to_filter(**overrides), pager)

    def advance(self, page: ListPage[BaseEntry]) -> tuple[Keyset, list[BaseEntry]]:
        """Return the next position and the entries of ``page`` not handed out before."""
        if self.crowded:
            return self._advance_crowded(page)
        fresh = [e for e in page.objects if e.id not in self.boundary]
        if not page.objects:
            return attrs.evolve(self, done=True), fresh
        last = _created_at(page.objects[-1])
        at_last = {e.id for e in page.objects if _created_at(e) == last and e.id}
        boundary = (self.boundary | at_last) if last == self.since else frozenset(at_last)
        finished = page.total_count <= len(page.objects) or len(page.objects) < self.page_size
        state = attrs.evolve(self, since=last, boundary=frozenset(boundary), done=finished)
        if not finished and len(boundary) > MAX_IN_VALUES:
            state = attrs.evolve(state, crowded=True, crowded_total=None)
        return state, fresh

    def _advance_crowded(self, page: ListPage[BaseEntry]) -> tuple[Keyset, list[BaseEntry]]:
        if self.crowded_total is None:
            total = page.total_count
            if total > MAX_WINDOW:
                raise ListingError(
                    f"{total} entries share the creation second {self.since}; the server reads "
                    "at most 10,000 per query: narrow the query (media_types, statuses, "
                    "updated_from/updated_to) so each part holds fewer"
                )
            pages = max(1, math.ceil(total / self.page_size))
            return attrs.evolve(self, crowded_total=total, crowded_page=pages), []
        fresh = [e for e in page.objects if e.id not in self.boundary]
        seen = self.boundary | {e.id for e in fresh if e.id}
        if self.crowded_page > 1:
            state = attrs.evolve(self, boundary=frozenset(seen), crowded_page=self.crowded_page - 1)
            return state, fresh
        # The crowded second is read in full: go on from the next second, with no idNotIn.
        since = (self.since or 0) + 1
        past_end = self.query.created_to is not None and since > self.query.created_to
        state = Keyset(query=self.query, since=since, done=past_end, page_size=self.page_size)
        return state, fresh


def _created_at(entry: BaseEntry) -> int:
    if entry.created_at is None:
        raise ListingError(
            f"entry {entry.id} came without createdAt, which the keyset needs; "
            "do not strip createdAt with a response profile when listing everything"
        )
    return entry.created_at


def list_entries(query: EntryQuery, page_size: int = PAGE_SIZE) -> Stream[BaseEntry]:
    """Stream every entry of ``query`` (``Emit`` each one), each exactly once."""
    cursor = Keyset.start(query, page_size)
    while not cursor.done:
        page = yield cursor.request()
        cursor, fresh = cursor.advance(page)
        for entry in fresh:
            yield Emit(entry)


def entries(
    query: EntryQuery | None = None, *, category: int | str | None = None, **filters: Any
) -> Stream[BaseEntry]:
    """Stream every entry of ``query`` with ``filters`` (``EntryQuery`` fields) set, each once.

    ``category`` is a category id or full path (``"Root>Lectures"``), resolved first.
    """
    unknown = sorted(set(filters) - {f.name for f in attrs.fields(EntryQuery)})
    if unknown:
        raise ConfigError(f"unknown filters {unknown}: filters are EntryQuery's fields")
    if category is not None:
        filters["category_id"] = (yield from resolve_category(category)).id
    yield from list_entries(attrs.evolve(query or EntryQuery(), **filters))


def entry_pages(query: EntryQuery, page_size: int = PAGE_SIZE) -> Stream[list[BaseEntry]]:
    """Stream every entry of ``query`` a page at a time (``Emit`` a list per request)."""
    cursor = Keyset.start(query, page_size)
    while not cursor.done:
        page = yield cursor.request()
        cursor, fresh = cursor.advance(page)
        if fresh:
            yield Emit(fresh)


def collect_entries(query: EntryQuery, limit: int | None = None) -> Flow[list[BaseEntry]]:
    """Return the entries of ``query`` as a list, stopping after ``limit`` (all when None)."""
    cursor = Keyset.start(query)
    found: list[BaseEntry] = []
    while not cursor.done and (limit is None or len(found) < limit):
        page = yield cursor.request()
        cursor, fresh = cursor.advance(page)
        found.extend(fresh)
    return found if limit is None else found[:limit]
