"""Which categories entries are in, read where the server keeps it: ``categoryEntry.list``.

An entry's own ``categoriesIds`` is not its membership (Kaltura server source):

1. ``categoryEntry::setEntryOnCategory`` writes a category there only when the category has no
   privacy context, and ``category::save`` gives every descendant of a privacy-context category
   its contexts: no category of a MediaSpace/KMS tree (channels, galleries) ever appears there;
2. ``entry::getCategoriesIds`` returns null for partners with ``FEATURE_DISABLE_CATEGORY_LIMIT``;
3. ``KalturaBaseEntry::doFromObject`` nulls it when the session's privacy context is not the
   default one.

The links themselves are rows in MySQL, which ``categoryEntry.list`` reads exactly and at once
(no search index, no lag). Rules kept here:

1. Each call asks ``entryIdIn`` (up to 500 ids) and ``categoryIdEqual`` (up to ``ONE_BY_ONE``
   categories, one each) or ``categoryIdIn`` (up to 500 ids, with 250 entries; every category
   when none are given), a page of 500; up to ``CALLS_PER_REQUEST`` calls go in one
   multiRequest (``kaltura_mm.flows.paged``, the reader of pages by id). A caller's own reads
   (``also``: the category's existence, the entries by id) ride in the first one, so a
   membership read usually costs no request of its own.
2. A page that comes back full, while the ask could match more rows than a page (an entry has
   at most one listed link to a category), is not trusted to be all: that ask is split in two
   (its entries, else its categories) and sent again. No offsets, so a link made or removed
   meanwhile cannot shift another out of view. Only one entry asked about every category it is
   in that fills a page is read by page number (``+createdAt``): the server caps an entry at 32
   categories (1,000 with ``FEATURE_DISABLE_CATEGORY_LIMIT``).
3. Rows are PENDING, ACTIVE or REJECTED (DELETED ones are never listed). ``linked``: any row, so
   ``categoryEntry.delete`` finds it (a detach has work to do); ``active``: an ACTIVE row, the
   only one ``categoryEntry.add`` refuses as ``CATEGORY_ENTRY_ALREADY_EXISTS`` (a PENDING or
   REJECTED row is re-activated by an add).
4. Under entitlement, a call whose entries are all gone fails ``ENTRY_ID_NOT_FOUND``
   (``KalturaCategoryEntryFilter::getListResponse``): none of them has a link. An item the rate
   limiter blocks is sent again after a pause; any other error is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.flows.paged import PAGE, chunks, read_pages
from kaltura_mm.models import (
    CategoryEntry,
    CategoryEntryFilter,
    CategoryEntryStatus,
    ListPage,
    Pager,
)
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import category_entry

# Up to this many categories are asked about one by one (a move's two): 500 entries' links to
# one category fit a page, where a list of them could fill it and be split (rule 2).
ONE_BY_ONE = 4


@attrs.frozen
class LinkQuery:
    """One ``categoryEntry.list`` ask: these entries' links to these categories (None: any)."""

    entry_ids: tuple[str, ...]
    category_ids: tuple[int, ...] | None = None
    page: int = 1

    def call(self) -> Call[ListPage[CategoryEntry]]:
        """Return the call that asks it."""
        cats = self.category_ids
        query = CategoryEntryFilter(
            entry_id_in=self.entry_ids,
            category_id_equal=cats[0] if cats is not None and len(cats) == 1 else None,
            category_id_in=cats if cats is not None and len(cats) > 1 else None,
            # only a read by page number (rule 2) needs a stable order
            order_by="+createdAt" if cats is None else None,
        )
        return category_entry.list(query, Pager(page_size=PAGE, page_index=self.page))

    def after(self, page: ListPage[CategoryEntry]) -> list[LinkQuery]:
        """Return what to ask next once ``page`` answered this: nothing unless it is full."""
        ids, cats = self.entry_ids, self.category_ids
        # An entry has at most one listed link to a category (an add re-activates a PENDING or
        # REJECTED row): a page as long as the pairs asked about holds every one of them.
        if len(page.objects) < PAGE or (cats is not None and len(ids) * len(cats) <= PAGE):
            return []
        if len(ids) > 1:
            half = len(ids) // 2
            return [
                attrs.evolve(self, entry_ids=ids[:half]),
                attrs.evolve(self, entry_ids=ids[half:]),
            ]
        if cats is not None and len(cats) > 1:
            half = len(cats) // 2
            return [
                attrs.evolve(self, category_ids=cats[:half]),
                attrs.evolve(self, category_ids=cats[half:]),
            ]
        return [attrs.evolve(self, page=self.page + 1)]


def link_queries(
    entry_ids: Sequence[str], category_ids: Sequence[int] | None = None
) -> list[LinkQuery]:
    """Return the asks covering every pair of ``entry_ids`` and ``category_ids`` (rule 1)."""
    if not entry_ids or (category_ids is not None and not category_ids):
        return []
    if category_ids is None:
        return [LinkQuery(chunk) for chunk in chunks(entry_ids, PAGE)]
    if len(category_ids) <= ONE_BY_ONE:  # each ask's page then holds every pair it asks about
        return [LinkQuery(e, (c,)) for e in chunks(entry_ids, PAGE) for c in category_ids]
    # Many categories (a sync's tree): 250 entries a call, so entries in one or two of them
    # each leave the page short of full, and no ask has to be split and sent again.
    cats = chunks(category_ids, PAGE)
    return [LinkQuery(e, c) for e in chunks(entry_ids, PAGE // 2) for c in cats]


@attrs.frozen
class Membership:
    """Each asked entry's links to the asked categories, by category id, with their status;
    ``requests``: the HTTP requests the read took."""

    links: Mapping[str, Mapping[int, CategoryEntryStatus | None]] = attrs.field(factory=dict)
    requests: int = attrs.field(default=0, eq=False)

    def categories(self, entry_id: str) -> frozenset[int]:
        """Return the categories ``entry_id`` is linked to (any listed row: rule 3)."""
        return frozenset(self.links.get(entry_id, {}))

    def active(self, entry_id: str) -> frozenset[int]:
        """Return the categories ``entry_id`` is an ACTIVE member of."""
        found = self.links.get(entry_id, {})
        return frozenset(c for c, s in found.items() if s is CategoryEntryStatus.ACTIVE)

    def linked(self, entry_id: str, category_id: int | None) -> bool:
        """Return whether a link (of any listed status) joins ``entry_id`` to ``category_id``."""
        return category_id in self.links.get(entry_id, {})

    def is_active(self, entry_id: str, category_id: int | None) -> bool:
        """Return whether ``entry_id`` is an ACTIVE member of ``category_id``."""
        if category_id is None:
            return False
        return self.links.get(entry_id, {}).get(category_id) is CategoryEntryStatus.ACTIVE

    def absorb(self, page: ListPage[CategoryEntry]) -> Membership:
        """Return this membership with the rows of ``page`` added."""
        links = {k: dict(v) for k, v in self.links.items()}
        for row in page.objects:
            listed = row.status is not CategoryEntryStatus.DELETED  # never listed; never a link
            if row.entry_id in links and listed:
                links[row.entry_id][row.category_id] = row.status
        return Membership(links, self.requests)


def read_membership(
    entry_ids: Iterable[str], category_ids: Iterable[int] | None = None
) -> Flow[Membership]:
    """Return the links of ``entry_ids`` to ``category_ids`` (None: to any category)."""
    membership, _ = yield from read_membership_with(entry_ids, category_ids)
    return membership


def read_membership_with(
    entry_ids: Iterable[str],
    category_ids: Iterable[int] | None,
    also: Sequence[Call[Any]] = (),
) -> Flow[tuple[Membership, list[Any]]]:
    """Return the links (as ``read_membership``) and the values of the reads ``also``.

    ``also`` go in the first request with the first asks (rule 1); the first of them that fails
    is raised, before any error of the asks (a category that does not exist is named as such).
    """
    ids = [i for i in dict.fromkeys(entry_ids) if i]
    cats = None if category_ids is None else list(dict.fromkeys(category_ids))
    # rule 4: under entitlement, an ask whose entries are all gone has no link to list
    read = yield from read_pages(link_queries(ids, cats), also, empty=(EntryNotFoundError,))
    membership = Membership({i: {} for i in ids}, read.requests)
    for page in read.pages:
        membership = membership.absorb(page)
    return membership, read.also
