"""List entries: one page at a time (``list_page``), or every match past the server's
10,000-result cap (``list_entries``, ``entry_pages``, ``collect_entries``), each exactly once.

Listing everything walks a keyset on ``createdAt``; its rules (why a short page or a
``totalCount`` never ends a listing, how a second fuller than the ``idNotIn`` cut is read) are at
the top of ``kaltura_mm.flows.keyset``. A list also returns entries deleted after the index took
them, as rows with status DELETED (``entryPeer::allowDeletedInCriteriaFilter``): every walk here
drops them, and a caller of ``list_page`` drops them with ``live_rows``. Each page is read
``patiently`` (``kaltura_mm.runtime.patience``): a page failing longer than the client's own
retries costs time, not the walk.
"""

from __future__ import annotations

from typing import Any

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.flows.keyset import MAX_WINDOW, PAGE_SIZE, Keyset, next_page
from kaltura_mm.flows.query import ANY_STATUS, EntryQuery, Order
from kaltura_mm.models import BaseEntry, EntryStatus, ListPage, Pager
from kaltura_mm.protocol.calls import Call
from kaltura_mm.refs import CategoryOrPath
from kaltura_mm.runtime.effects import Emit, Flow, Stream
from kaltura_mm.services import base_entry

__all__ = [
    "ANY_STATUS",
    "PAGE_SIZE",
    "EntryQuery",
    "Keyset",
    "Order",
    "collect_entries",
    "entries",
    "entry_pages",
    "list_entries",
    "list_page",
    "live_rows",
    "next_page",
]


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


def live_rows(page: ListPage[BaseEntry], query: EntryQuery | None = None) -> list[BaseEntry]:
    """Return the entries of a list answer, without the DELETED rows (unless ``query`` asks for
    that status): entries deleted after the index took them still come back, marked DELETED."""
    wanted = (query.statuses if query is not None else None) or ()
    return [
        e
        for e in page.objects
        if e.status is not EntryStatus.DELETED or EntryStatus.DELETED in wanted
    ]


def list_entries(query: EntryQuery, page_size: int = PAGE_SIZE) -> Stream[BaseEntry]:
    """Stream every entry of ``query`` (``Emit`` each one), each exactly once."""
    cursor = Keyset.start(query, page_size)
    while not cursor.done:
        cursor, fresh = yield from next_page(cursor)
        for entry in fresh:
            yield Emit(entry)


def entries(
    query: EntryQuery | None = None, *, category: CategoryOrPath | None = None, **filters: Any
) -> Stream[BaseEntry]:
    """Stream every entry of ``query`` with ``filters`` (``EntryQuery`` fields) set, each once.

    ``category`` is a category id or full path (``"Root>Lectures"``), resolved first, or a
    ``Category``.
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
        cursor, fresh = yield from next_page(cursor)
        if fresh:
            yield Emit(fresh)


def collect_entries(query: EntryQuery, limit: int | None = None) -> Flow[list[BaseEntry]]:
    """Return the entries of ``query`` as a list, stopping after ``limit`` (all when None)."""
    cursor = Keyset.start(query)
    found: list[BaseEntry] = []
    while not cursor.done and (limit is None or len(found) < limit):
        cursor, fresh = yield from next_page(cursor)
        found.extend(fresh)
    return found if limit is None else found[:limit]
