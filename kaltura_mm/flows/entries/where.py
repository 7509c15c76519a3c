"""Detach or delete every entry a query matches, page by page (the listing keyset, stable while
entries leave it), with a dry run that says what would change."""

from __future__ import annotations

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.batch import EntryOutcome, Operation, Pace, settle_all
from kaltura_mm.flows.entries.verdicts import classify_delete, classify_detach, delete_call
from kaltura_mm.flows.keyset import Keyset, next_page
from kaltura_mm.flows.membership import read_membership
from kaltura_mm.flows.query import EntryQuery
from kaltura_mm.runtime.effects import Emit, Flow, Stream
from kaltura_mm.services import category_entry


def detach_where(
    query: EntryQuery, *, dry_run: bool = False, pace: Pace | None = None
) -> Stream[EntryOutcome]:
    """Detach every entry matching ``query`` from ``query.category_id``, page by page.

    Streams each entry's outcome as its page is done; a dry run streams what would change
    (``would_change``: linked to the category, read from ``categoryEntry.list``; the others
    ``already_done``) and changes nothing.
    """
    if query.category_id is None or query.include_subcategories:
        raise ConfigError(
            "detach_where needs query.category_id (the category to detach from) and "
            "include_subcategories=False: entries of sub-categories are not assigned to it"
        )
    category_id = query.category_id
    op = Operation(lambda i: category_entry.delete(i, category_id), classify_detach)
    yield from _where(query, op, dry_run, pace or Pace(), category_id)


def delete_where(
    query: EntryQuery, *, dry_run: bool = False, pace: Pace | None = None
) -> Stream[EntryOutcome]:
    """Delete every entry matching ``query``, page by page (dry run: stream what would go)."""
    op = Operation(delete_call, classify_delete)
    yield from _where(query, op, dry_run, pace or Pace())


def _where(
    query: EntryQuery, op: Operation, dry_run: bool, pace: Pace, detach_from: int | None = None
) -> Stream[EntryOutcome]:
    """Walk ``query`` with the keyset (stable while entries leave it) and apply ``op``.

    The real run needs no read of the links: each write's answer says whether the entry was
    linked (``ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY`` is ``already_done``), and the entry was listed.
    """
    cursor = Keyset.start(query)
    while not cursor.done:
        cursor, fresh = yield from next_page(cursor)
        ids = [e.id for e in fresh if e.id]
        if dry_run:
            done = yield from _would(ids, detach_from)
        else:
            settled = yield from settle_all(ids, op, pace, frozenset(ids))
            done = list(settled.values())
        for outcome in done:
            yield Emit(outcome)


def _would(ids: list[str], detach_from: int | None) -> Flow[list[EntryOutcome]]:
    """Return a dry run's verdicts for a listed page (a detach's read from the links)."""
    if detach_from is None or not ids:
        return [EntryOutcome(i, "would_change") for i in ids]
    membership = yield from read_membership(ids, [detach_from])
    return [
        EntryOutcome(i, "would_change" if membership.linked(i, detach_from) else "already_done")
        for i in ids
    ]
