"""What the server holds for a sync, read in a few requests and never trusting the index alone.

``read_server`` gathers, for the sync's category (its *scope*) and everything below it:

1. the category tree below the scope (``category.list``, 500 a page);
2. every entry in it, of every status, past the 10,000 cap (the listing keyset, 500 a request);
   what the index lists is re-read by the server, so each entry's fields are as they are now;
3. the entries the caller knows by id (a sync's records) that the listing did not return,
   read exactly (``getByIds``, 500 an item): the index does not show an entry made or attached a
   moment ago, and a plan built from the listing alone would upload it again;
4. the entries carrying a wanted referenceId that neither found (``referenceIdIn``, 500 a list):
   an entry of the source that left the category, or one made where the index lags;
5. the source flavor asset of each entry whose referenceId keeps content truth
   (``kaltura_mm.flows.flavors``: ``flavorAsset.list`` by ``entryIdIn``, 500 entries a call):
   a video's replacement moves its version, not the entry's (``kaltura_mm.sync.truth``);
6. each entry's links to the scope's categories (``categoryEntry.list`` by ``entryIdIn`` and
   ``categoryIdIn``, exact: ``kaltura_mm.flows.membership``): an entry's own ``categoriesIds``
   leaves out categories with privacy contexts, and lists lag. Not ``categoryFullIdsStartsWith``:
   a link's copy of its category's full ids is rewritten by a job after a category moves.

Steps 3 to 6 go in multiRequests of up to ``CALLS_PER_REQUEST`` calls, so a 20,000-entry category
costs about 40 listing requests and a handful of others (step 5: 2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.errors import KalturaError, ServiceForbiddenError
from kaltura_mm.flows.flavors import read_sources
from kaltura_mm.flows.listing import ANY_STATUS, EntryQuery, Keyset, next_page
from kaltura_mm.flows.membership import read_membership
from kaltura_mm.flows.paged import CALLS_PER_REQUEST, PAGE
from kaltura_mm.flows.recycle_bin import RECYCLED
from kaltura_mm.models import (
    BaseEntry,
    BaseEntryFilter,
    Category,
    CategoryFilter,
    EntryStatus,
    FlavorAsset,
    ListPage,
    Pager,
)
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.throttle import again, is_blocked
from kaltura_mm.services import base_entry, category
from kaltura_mm.sync import truth
from kaltura_mm.sync.truth import identity

_ANY_MODERATION = {"moderationStatusIn": "1,2,3,5,6"}


@attrs.frozen
class ServerView:
    """What the server holds for a sync: the scope's tree, the entries, their links in it."""

    scope: Category | None
    tree: Mapping[int, Category] = attrs.field(factory=dict)
    entries: Mapping[str, BaseEntry] = attrs.field(factory=dict)
    links: Mapping[str, frozenset[int]] = attrs.field(factory=dict)
    listed: frozenset[str] = frozenset()
    requests: int = 0
    sources: Mapping[str, FlavorAsset] = attrs.field(factory=dict)
    sources_read: bool = True
    """False: the session may not list flavor assets (a role without it): no source was read."""

    def by_reference(self) -> dict[str, list[BaseEntry]]:
        """Return the entries under each identity: a referenceId, without the content a
        derived one keeps after its key (``kaltura_mm.sync.truth``)."""
        found: dict[str, list[BaseEntry]] = {}
        for entry in self.entries.values():
            if entry.reference_id:
                found.setdefault(identity(entry.reference_id), []).append(entry)
        return found

    def category_by_path(self) -> dict[str, Category]:
        """Return the scope's categories by case-folded full name."""
        return {c.full_name.casefold(): c for c in self.tree.values()}


def read_server(
    top: Category,
    wanted: Iterable[str],
    known: Mapping[str, str] | None = None,
    known_categories: Mapping[str, int] | None = None,
    aliases: Callable[[str], Sequence[str]] | None = None,
) -> Flow[ServerView]:
    """Return what the server holds for the sync of the category ``top`` (steps 1 to 6).

    ``wanted`` are the referenceIds of the source's items; ``known`` maps referenceIds to the
    entry ids a sync made for them; ``known_categories`` full names to the ids of categories
    made (read by id: the listing of step 1 may not show them yet); ``aliases`` gives the exact
    referenceIds an entry of a wanted one the listing did not show may carry (the identity with
    the file's content, ``kaltura_mm.sync.truth.candidates``).
    """
    tree, requests = yield from _tree(top)
    tree.update((yield from _made_below(top, tree, known_categories or {})))
    entries, pages = yield from _listing(top)
    listed = frozenset(entries)
    missing = [i for i in dict.fromkeys((known or {}).values()) if i not in entries]
    listed_keys = {identity(e.reference_id) for e in entries.values() if e.reference_id}
    unseen = sorted(set(wanted) - listed_keys)
    if aliases is not None:
        unseen = list(dict.fromkeys(a for key in unseen for a in aliases(key)))
    batch: list[Call[Any]] = [*_by_ids(missing), *_by_reference(unseen)]
    for answer in (yield from _batched(batch)):
        for entry in answer.objects if isinstance(answer, ListPage) else answer:
            # a list also returns entries deleted after the index took them, marked DELETED;
            # getByIds also returns one in the recycle bin: gone, for a sync
            if (
                entry.id
                and entry.id not in entries
                and entry.status is not EntryStatus.DELETED
                and entry.display_in_search != RECYCLED
            ):
                entries[entry.id] = entry
    truthful = [i for i, e in entries.items() if truth.read(e.reference_id) is not None]
    sources: dict[str, FlavorAsset] = {}
    source_requests, sources_read = 0, True
    try:
        sources, source_requests = yield from read_sources(truthful)
    except ServiceForbiddenError:  # a role without flavorAsset.list: the rest still holds
        source_requests, sources_read = 1, False
    links, link_requests = yield from _links(top, tree, list(entries))
    total = requests + pages + _requests(len(batch)) + source_requests + link_requests
    return ServerView(top, tree, entries, links, listed, total, sources, sources_read)


def _requests(calls: int) -> int:
    return -(-calls // CALLS_PER_REQUEST)


def _tree(top: Category) -> Flow[tuple[dict[int, Category], int]]:
    tree = {top.id: top}
    index, requests = 1, 0
    while True:
        query = CategoryFilter(ancestor_id_in=(top.id,), order_by="+createdAt")
        page: ListPage[Category] = yield category.list(
            query, Pager(page_size=PAGE, page_index=index)
        )
        requests += 1
        tree.update({c.id: c for c in page.objects if c.id})
        if len(page.objects) < PAGE or index * PAGE >= page.total_count or index == 20:
            return tree, requests
        index += 1


def _made_below(
    top: Category, tree: Mapping[int, Category], made: Mapping[str, int]
) -> Flow[dict[int, Category]]:
    """Return the categories below ``top`` that were made but are not listed yet, read by id."""
    prefix = top.full_name.casefold() + ">"
    ids = [i for name, i in made.items() if name.casefold().startswith(prefix) and i not in tree]
    if not ids:
        return {}
    batch = MultiRequest()
    refs: list[Ref[Any]] = [batch.add(category.get(i)) for i in ids]
    answer: MultiResponse = yield batch
    found = [answer.outcome(r) for r in refs]
    below = top.full_ids + ">"
    return {c.id: c for c in found if isinstance(c, Category) and c.full_ids.startswith(below)}


def _listing(top: Category) -> Flow[tuple[dict[str, BaseEntry], int]]:
    query = EntryQuery(category_id=top.id, include_subcategories=True, statuses=ANY_STATUS)
    cursor = Keyset.start(query)
    entries: dict[str, BaseEntry] = {}
    pages = 0
    while not cursor.done:  # the listing's own step: it waits out the index's lag
        cursor, fresh = yield from next_page(cursor)
        pages += 1
        # the index may list an entry recycled a moment ago (its re-read shows it recycled)
        entries.update({e.id: e for e in fresh if e.id and e.display_in_search != RECYCLED})
    return entries, pages


def _by_ids(ids: Sequence[str]) -> list[Call[Any]]:
    return [base_entry.get_by_ids(ids[i : i + PAGE]) for i in range(0, len(ids), PAGE)]


def _by_reference(keys: Sequence[str]) -> list[Call[Any]]:
    usable = [k for k in keys if "," not in k]  # a comma cannot travel in the list filter
    calls: list[Call[Any]] = []
    for i in range(0, len(usable), PAGE):
        query = BaseEntryFilter(
            reference_id_in=tuple(usable[i : i + PAGE]), status_in=ANY_STATUS, extra=_ANY_MODERATION
        )
        calls.append(base_entry.list(query, Pager(page_size=PAGE)))
    return calls


def _batched(calls: Sequence[Call[Any]]) -> Flow[list[Any]]:
    """Send ``calls`` in multiRequests of ``CALLS_PER_REQUEST``; return their values in order.

    A call the rate limiter blocked (``ACTION_BLOCKED`` in its slot) is sent again after a pause,
    alone with the others blocked, as often and after as long as the runtime says
    (``runtime.throttle``: the retry policy's ``throttled_attempts``, ``--retries``).
    """
    values: list[Any] = []
    for start in range(0, len(calls), CALLS_PER_REQUEST):
        chunk = list(calls[start : start + CALLS_PER_REQUEST])
        got: dict[int, Any] = {}
        attempt = 0
        while True:
            batch = MultiRequest()
            refs = {i: batch.add(chunk[i]) for i in range(len(chunk)) if i not in got}
            answer: MultiResponse = yield batch
            got.update({i: answer.outcome(ref) for i, ref in refs.items()})
            blocked = [i for i in refs if is_blocked(got[i])]
            attempt += answer.sends  # the runtime's own sends of it count
            if not blocked or not (yield from again(attempt, base=1.0, cap=30.0)):
                break
            for i in blocked:
                del got[i]
        for i in range(len(chunk)):
            if isinstance(got[i], KalturaError):
                raise got[i]
            values.append(got[i])
    return values


def entry_links(
    entry_ids: Sequence[str], category_ids: Sequence[int] | None
) -> Flow[tuple[dict[str, set[int]], int]]:
    """Return each entry's links to ``category_ids`` (None: to any category), read exactly
    (``categoryEntry.list``, ``kaltura_mm.flows.membership``), and the requests it took."""
    membership = yield from read_membership(entry_ids, category_ids)
    return {i: set(membership.categories(i)) for i in entry_ids}, membership.requests


def _links(
    top: Category, tree: Mapping[int, Category], entry_ids: Sequence[str]
) -> Flow[tuple[dict[str, frozenset[int]], int]]:
    """Return each entry's links to the scope's categories (step 5)."""
    found, requests = yield from entry_links(entry_ids, sorted(tree))
    return {k: frozenset(v) for k, v in found.items()}, requests


def category_tree(top: Category) -> Flow[dict[int, Category]]:
    """Return ``top`` and the categories below it, as the category listing shows them."""
    tree, _ = yield from _tree(top)
    return tree


def made_below(
    top: Category, tree: Mapping[int, Category], made: Mapping[str, int]
) -> Flow[dict[int, Category]]:
    """Return the categories of ``made`` (full name to id) below ``top`` and not in ``tree``,
    read by id (the listing may not show a category made a moment ago)."""
    return (yield from _made_below(top, tree, made))
