"""Where a full listing stands, and the request that moves it on: a keyset on ``createdAt``.

The server refuses offsets of 10,000 or more (``QUERY_EXCEEDED_MAX_MATCHES_ALLOWED``), so listing
everything walks a keyset on ``createdAt`` instead of page numbers, the documented workaround.
Lists are served by a search index that lags the database, and each page's ids are re-read from
the database afterwards (``SphinxCriteria::applySphinxResult``), so the rules never trust a page's
length or its ``totalCount``:

1. Every request asks for page 1, ``orderBy=+createdAt``, with ``createdAtGreaterThanOrEqual`` =
   the last ``createdAt`` handed out and ``idNotIn`` = the ids already handed out at that second
   (the server does not sort by id, so ties need this). No offsets: an entry deleted or added
   behind the cursor shifts nothing ahead of it, so each entry that exists throughout is handed
   out exactly once, under concurrent adds and deletes.
2. A page may come back short while more matches remain (entitlement and access control drop
   rows in the re-read), and ``totalCount`` may be the page's own count (access control on entry
   metadata). An entry deleted after it was indexed comes back as a row with status DELETED
   (``entryPeer::allowDeletedInCriteriaFilter``; an older reading had it dropped): it moves the
   cursor and is never handed out (rule 5). Neither ends the listing: it ends only on an empty
   page whose ``totalCount`` is 0, the index holding nothing past the cursor. That costs one
   request per listing (25,000 entries: 50 pages and the empty one), not one per short page.
3. An empty page whose ``totalCount`` is not 0 means every match the index has past the cursor
   was dropped by the re-read: entries deleted since they were indexed. The next request *peeks*
   past them: the same query with DELETED added to its statuses, so the deleted entries come
   back, move the cursor, and are not handed out. A peek that is empty too means the index still
   counts entries the database no longer matches: moved out of the category or changed since
   they were indexed (or not visible to this session). The index catches up within its lag, so
   the peek is sent again after pauses growing from 2 s (``INDEX_PEEKS``, ``PEEK_WAITS`` of
   them: about 10 minutes in all; the runtime's poll schedule, ``runtime.poll``) until the
   count is 0 (done) or a page comes back; then ``ListingError``.
4. ``idNotIn`` keeps only 150 values on the index path (``SphinxCriterion::MAX_IN_VALUES``), so
   once more than 150 entries share the cursor's second that second is read on its own
   ("crowded"): counted with ``baseEntry.count`` (the index's count, which access control does
   not shrink), then read by page number from the *last* page down to the first. Walking
   backwards, a deletion can only move an unread entry onto a page still to come, never onto
   one already read; ids are de-duplicated. One second holding more than 10,000 entries cannot
   be read at all and raises ``ListingError``.
5. Entries whose status is DELETED are never handed out unless the query asks for that status.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from kaltura_mm.errors import ConfigError, ListingError
from kaltura_mm.flows.query import EntryQuery
from kaltura_mm.models import BaseEntry, EntryStatus, ListPage, Pager
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.patience import patiently
from kaltura_mm.runtime.poll import Every, pause_before
from kaltura_mm.services import base_entry

PAGE_SIZE = 500  # the server's largest page
MAX_NOT_IN = 150  # an ``idNotIn`` on the index path keeps 150 values (rule 4)
MAX_WINDOW = 10_000  # offsets at or past this fail
# Pauses before peeking again at what the index counts and the database does not return (rule
# 3): about 10 minutes in all, a busy server's index lag.
INDEX_PEEKS = Every(first=2.0, cap=128.0)
PEEK_WAITS = 10


def next_page(cursor: Keyset) -> Flow[tuple[Keyset, list[BaseEntry]]]:
    """Fetch the cursor's next page, after its pause if the index must catch up (rule 3), read
    ``patiently``; return the moved cursor and the entries to hand out. Every walk of a keyset
    goes through here, so each waits out the index the same way, and ``waited`` counts the
    seconds it really paused (what a ``ListingError`` says it waited)."""
    if cursor.waits:
        waited = yield from pause_before(cursor.waits, INDEX_PEEKS)
        cursor = attrs.evolve(cursor, waited=cursor.waited + waited)
    page = yield from patiently(cursor.request())
    return cursor.advance(page)


def _created_at(entry: BaseEntry) -> int:
    if entry.created_at is None:
        raise ListingError(
            f"entry {entry.id} came without createdAt, which the keyset needs; "
            "do not strip createdAt with a response profile when listing everything"
        )
    return entry.created_at


@attrs.frozen(kw_only=True)
class Keyset:
    """Where a full listing stands: the next request to send, and what was already handed out.

    ``since``/``boundary``: the lower ``createdAt`` bound and the ids handed out at that second.
    ``peek``: the last page was empty while the index still matched (rule 3); ``waits``: how
    often the peek came back empty too (``pause`` is the wait before the next request).
    ``crowded_total``/``crowded_page``: set while reading one over-full second page by page.
    """

    query: EntryQuery
    since: int | None = None
    boundary: frozenset[str] = frozenset()
    peek: bool = False
    waited: float = 0.0
    waits: int = 0
    crowded: bool = False
    crowded_total: int | None = None
    crowded_page: int = 0
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

    @property
    def pause(self) -> float:
        """Return the most seconds to wait before the next request (the index catching up;
        the runtime's jitter shortens it)."""
        return INDEX_PEEKS.pause(self.waits, 0.0) if self.waits else 0.0

    def request(self) -> Call[Any]:
        """Return the call that fetches the next page (or counts a crowded second)."""
        if self.done:
            raise ValueError("the listing is finished; there is no next request")
        if self.crowded:
            return self._crowded_request()
        overrides: dict[str, Any] = {"order_by": "+createdAt"}
        if self.since is not None:
            overrides["created_at_greater_than_or_equal"] = self.since
        if self.boundary:
            overrides["id_not_in"] = tuple(sorted(self.boundary))
        if self.peek:
            overrides["status_in"] = (*(self.query.statuses or (EntryStatus.READY,)),)
            overrides["status_in"] += (EntryStatus.DELETED,)
        pager = Pager(page_size=self.page_size, page_index=1)
        return base_entry.list(self.query.to_filter(**overrides), pager)

    def _crowded_request(self) -> Call[Any]:
        one_second = self.query.to_filter(
            order_by="+createdAt",
            created_at_greater_than_or_equal=self.since,
            created_at_less_than_or_equal=self.since,
        )
        if self.crowded_total is None:
            return base_entry.count(one_second)
        pager = Pager(page_size=self.page_size, page_index=self.crowded_page)
        return base_entry.list(one_second, pager)

    def _handed_out(self, entries: tuple[BaseEntry, ...]) -> list[BaseEntry]:
        """Return the entries of a page to hand out: not handed out before, not DELETED."""
        wanted = self.query.statuses or ()
        return [
            e
            for e in entries
            if e.id not in self.boundary
            and (e.status is not EntryStatus.DELETED or EntryStatus.DELETED in wanted)
        ]

    def advance(self, answer: Any) -> tuple[Keyset, list[BaseEntry]]:
        """Return the next position and the entries of ``answer`` not handed out before."""
        if self.crowded:
            return self._advance_crowded(answer)
        page: ListPage[BaseEntry] = answer
        if not page.objects:
            return self._empty(page), []
        fresh = self._handed_out(page.objects)
        last = _created_at(page.objects[-1])
        at_last = {e.id for e in page.objects if _created_at(e) == last and e.id}
        boundary = (self.boundary | at_last) if last == self.since else frozenset(at_last)
        state = attrs.evolve(
            self, since=last, boundary=frozenset(boundary), peek=False, waits=0, waited=0.0
        )
        if len(boundary) > MAX_NOT_IN:
            state = attrs.evolve(state, crowded=True, crowded_total=None)
        return state, fresh

    def _empty(self, page: ListPage[BaseEntry]) -> Keyset:
        """Return the position after an empty page (rules 2 and 3)."""
        if page.total_count <= 0:
            return attrs.evolve(self, done=True)
        if not self.peek:
            return attrs.evolve(self, peek=True)
        if self.waits < PEEK_WAITS:
            return attrs.evolve(self, waits=self.waits + 1)
        raise ListingError(
            f"the server's index holds {page.total_count} entries created at or after "
            f"{self.since} that it does not return, even counting deleted ones, after "
            f"{self.waited:.0f} s of waiting for it to catch up: they may not be visible "
            "to this session; list again later, or with an admin session"
        )

    def _advance_crowded(self, answer: Any) -> tuple[Keyset, list[BaseEntry]]:
        if self.crowded_total is None:
            total = int(answer)
            if total > MAX_WINDOW:
                raise ListingError(
                    f"{total} entries share the creation second {self.since}; the server reads "
                    "at most 10,000 per query: narrow the query (media_types, statuses, "
                    "updated_from/updated_to) so each part holds fewer"
                )
            pages = max(1, math.ceil(total / self.page_size))
            return attrs.evolve(self, crowded_total=total, crowded_page=pages), []
        page: ListPage[BaseEntry] = answer
        fresh = self._handed_out(page.objects)
        seen = self.boundary | {e.id for e in page.objects if e.id}
        if self.crowded_page > 1:
            state = attrs.evolve(self, boundary=frozenset(seen), crowded_page=self.crowded_page - 1)
            return state, fresh
        # The crowded second is read in full: go on from the next second, with no idNotIn.
        since = (self.since or 0) + 1
        past_end = self.query.created_to is not None and since > self.query.created_to
        state = Keyset(query=self.query, since=since, done=past_end, page_size=self.page_size)
        return state, fresh
