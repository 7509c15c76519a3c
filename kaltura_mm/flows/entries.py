"""Get, detach, delete, add and move entries in batches, with a per-entry outcome for each.

Batches, pacing and throttling are the batch engine's (``kaltura_mm.flows.batch``). Rules kept
here:

1. Idempotent outcomes: ``ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY`` on detach and
   ``CATEGORY_ENTRY_ALREADY_EXISTS`` on add are "already_done"; ``ENTRY_ID_NOT_FOUND`` on delete is
   "already_done" when the entry is known to have existed (listed by ``delete_where``) or an
   earlier attempt may have reached the server, else "failed" (the id may never have existed).
   Detach checks the entries it found not assigned: a missing entry is "failed", not "done".
2. Move adds to the target first and detaches from the source only the entries now in the
   target, so an entry is never left in neither category.
3. Who is in a category is read from ``categoryEntry.list`` (``kaltura_mm.flows.membership``),
   never from an entry's ``categoriesIds`` (which leaves out every category with a privacy
   context), in the request that checks the category exists: detach sends only the entries
   linked to the category, add only those not ACTIVE in it, move both; the others are
   ``already_done`` without a write. A link made or removed between the read and the write is
   still settled by the write's own answer (rule 1).
4. The reads around a batch (the category's existence, detach's check, ``*_where``'s pages) are
   sent ``patiently`` (``kaltura_mm.runtime.patience``): an outage longer than the client's own
   retries costs time, not work already done.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, overload

import attrs

from kaltura_mm.errors import (
    CategoryEntryExistsError,
    ConfigError,
    EntryNotFoundError,
    EntryNotInCategoryError,
    KalturaError,
)
from kaltura_mm.flows.batch import (
    RETRY,
    BatchProgress,
    Emitting,
    EntryOutcome,
    Operation,
    OutcomeFilter,
    Pace,
    run_batches,
    settle_all,
)
from kaltura_mm.flows.keyset import Keyset, next_page
from kaltura_mm.flows.membership import Membership, read_membership, read_membership_with
from kaltura_mm.flows.query import EntryQuery
from kaltura_mm.models import BaseEntry
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.refs import (
    CategoryRef,
    EntriesRef,
    EntryRef,
    category_id_of,
    entry_id_of,
    entry_ids_of,
)
from kaltura_mm.runtime.effects import Emit, Flow, Stream
from kaltura_mm.runtime.patience import patiently
from kaltura_mm.runtime.throttle import is_blocked
from kaltura_mm.services import base_entry, category, category_entry

GET_CHUNK = 500  # ids per getByIds call


def _unique(entries: EntriesRef) -> list[str]:
    entry_ids = entry_ids_of(entries)
    if isinstance(entry_ids, str):
        raise ConfigError(
            f"entry_ids must be a list of ids such as ['0_abc12345'], got {entry_ids!r}"
        )
    ids = list(dict.fromkeys(entry_ids))
    bad = [i for i in ids if not isinstance(i, str) or not i.strip()]
    if bad:
        raise ConfigError(
            f"entry ids must be non-empty strings such as '0_abc12345', got {bad[:3]}"
        )
    return ids


def _common(outcome: Any) -> str | None:
    if is_blocked(outcome):
        return RETRY
    if not isinstance(outcome, KalturaError):
        return "done"
    return None


def _classify_detach(_: str, outcome: Any, __: bool) -> str:
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, EntryNotInCategoryError) else "failed"


def _classify_delete(_: str, outcome: Any, maybe_ran: bool) -> str:
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, EntryNotFoundError) and maybe_ran else "failed"


def _classify_add(_: str, outcome: Any, __: bool) -> str:
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, CategoryEntryExistsError) else "failed"


def _delete_call(entry_id: str) -> Call[None]:
    # Marked not idempotent so that the client hands an unanswered batch back to the engine
    # instead of re-sending it: only the engine knows that a later "not found" then means done.
    return attrs.evolve(base_entry.delete(entry_id), idempotent=False)


# ---- get ---------------------------------------------------------------------------------------


def get_entry(entry_id: EntryRef) -> Flow[BaseEntry]:
    """Return one entry (by id, or fresh for an entry), typed by kind (``EntryNotFoundError``
    if missing or deleted)."""
    entry: BaseEntry = yield base_entry.get(entry_id_of(entry_id))
    return entry


def get_entries(entry_ids: Iterable[str]) -> Flow[dict[str, BaseEntry]]:
    """Return the entries that exist among ``entry_ids``, by id in the order asked.

    One multiRequest of ``getByIds`` calls of up to 500 ids; missing ids are simply absent.
    """
    ids = _unique(entry_ids)
    if not ids:
        return {}
    request = MultiRequest()
    refs = [request.add(call) for call in _by_ids(ids)]
    answer: MultiResponse = yield from patiently(request)
    return _found(ids, [answer[ref] for ref in refs])


def _by_ids(ids: list[str]) -> list[Call[list[BaseEntry]]]:
    return [base_entry.get_by_ids(ids[i : i + GET_CHUNK]) for i in range(0, len(ids), GET_CHUNK)]


def _found(ids: list[str], answers: Iterable[list[BaseEntry]]) -> dict[str, BaseEntry]:
    found = {entry.id: entry for answer in answers for entry in answer if entry.id}
    return {i: found[i] for i in ids if i in found}


def get_entries_in(
    entry_ids: Iterable[str], category_ids: Iterable[int]
) -> Flow[tuple[dict[str, BaseEntry], Membership]]:
    """Return the entries that exist among ``entry_ids`` (as ``get_entries``) and their links to
    ``category_ids`` (``kaltura_mm.flows.membership``), read in the same requests."""
    ids = _unique(entry_ids)
    if not ids:
        return {}, Membership()
    membership, answers = yield from read_membership_with(ids, category_ids, _by_ids(ids))
    return _found(ids, answers), membership


# ---- detach, delete, add, move -----------------------------------------------------------------


@overload
def detach_entries(
    entry_ids: EntriesRef,
    category_id: CategoryRef,
    *,
    pace: Pace | None = ...,
    stream: Literal[False] = ...,
) -> Flow[list[EntryOutcome]]: ...
@overload
def detach_entries(
    entry_ids: EntriesRef,
    category_id: CategoryRef,
    *,
    pace: Pace | None = ...,
    stream: Literal[True],
) -> Stream[BatchProgress]: ...
def detach_entries(
    entry_ids: EntriesRef,
    category_id: CategoryRef,
    *,
    pace: Pace | None = None,
    stream: bool = False,
) -> Emitting[list[EntryOutcome] | None]:
    """Remove entries from a category (the entries stay); one outcome per distinct id.

    ``stream=True`` makes it a stream for ``client.iterate``: ``Sending`` before each batch goes
    and each outcome once final (see ``Sending``), instead of a list at the end.
    """
    ids, category_id = _unique(entry_ids), category_id_of(category_id)
    outcomes = yield from _detach(ids, category_id, pace, _all if stream else None)
    return None if stream else outcomes


def _detach(
    ids: list[str], category_id: int, pace: Pace | None, stream: OutcomeFilter | None
) -> Emitting[list[EntryOutcome]]:
    # One request: the category exists (a missing one must not read as "already detached") and
    # which entries are linked to it (rule 3).
    membership, _ = yield from read_membership_with(ids, [category_id], [category.get(category_id)])
    linked = [i for i in ids if membership.linked(i, category_id)]
    op = Operation(lambda i: category_entry.delete(i, category_id), _classify_detach)
    # "Not assigned" is only final once the entry is known to exist: streamed after the check.
    early = None if stream is None else (lambda o: o.status != "already_done" and stream(o))
    sent = (yield from run_batches(linked, op, pace or Pace(), stream=early)) if linked else {}
    results = {i: sent.get(i) or EntryOutcome(i, "already_done") for i in ids}
    unassigned = [i for i, r in results.items() if r.status == "already_done"]
    if unassigned:
        existing = yield from get_entries(unassigned)
        for entry_id in unassigned:
            if entry_id not in existing:
                error = EntryNotFoundError("ENTRY_ID_NOT_FOUND", f'Entry id "{entry_id}" not found')
                results[entry_id] = EntryOutcome(entry_id, "failed", error)
            if stream is not None and stream(results[entry_id]):
                yield Emit(results[entry_id])
    return list(results.values())


def _all(_: EntryOutcome) -> bool:
    return True


@overload
def delete_entries(
    entry_ids: EntriesRef,
    *,
    pace: Pace | None = ...,
    known_to_exist: bool = ...,
    stream: Literal[False] = ...,
) -> Flow[list[EntryOutcome]]: ...
@overload
def delete_entries(
    entry_ids: EntriesRef,
    *,
    pace: Pace | None = ...,
    known_to_exist: bool = ...,
    stream: Literal[True],
) -> Stream[BatchProgress]: ...
def delete_entries(
    entry_ids: EntriesRef,
    *,
    pace: Pace | None = None,
    known_to_exist: bool = False,
    stream: bool = False,
) -> Emitting[list[EntryOutcome] | None]:
    """Delete entries; "not found" counts as already done only after a possible earlier try
    or when ``known_to_exist`` (the ids came from a listing).

    ``stream=True``: a stream of ``Sending`` and outcomes, as ``detach_entries``.
    """
    ids = _unique(entry_ids)
    op = Operation(_delete_call, _classify_delete)
    known = frozenset(ids) if known_to_exist else frozenset()
    results = yield from run_batches(ids, op, pace or Pace(), known, _all if stream else None)
    return None if stream else list(results.values())


@overload
def add_to_category(
    entry_ids: EntriesRef,
    category_id: CategoryRef,
    *,
    pace: Pace | None = ...,
    stream: Literal[False] = ...,
) -> Flow[list[EntryOutcome]]: ...
@overload
def add_to_category(
    entry_ids: EntriesRef,
    category_id: CategoryRef,
    *,
    pace: Pace | None = ...,
    stream: Literal[True],
) -> Stream[BatchProgress]: ...
def add_to_category(
    entry_ids: EntriesRef,
    category_id: CategoryRef,
    *,
    pace: Pace | None = None,
    stream: bool = False,
) -> Emitting[list[EntryOutcome] | None]:
    """Assign existing entries to a category; already assigned counts as done.

    ``stream=True``: a stream of ``Sending`` and outcomes, as ``detach_entries``.
    """
    ids, category_id = _unique(entry_ids), category_id_of(category_id)
    outcomes = yield from _add(ids, category_id, pace, _all if stream else None)
    return None if stream else outcomes


def _add(
    ids: list[str], category_id: int, pace: Pace | None, stream: OutcomeFilter | None
) -> Emitting[list[EntryOutcome]]:
    membership, _ = yield from read_membership_with(ids, [category_id], [category.get(category_id)])
    outcomes = yield from _add_read(ids, category_id, membership, pace, stream)
    return list(outcomes.values())


def _add_read(
    ids: list[str],
    category_id: int,
    membership: Membership,
    pace: Pace | None,
    stream: OutcomeFilter | None,
) -> Emitting[dict[str, EntryOutcome]]:
    """Add the entries not ACTIVE in the category (``membership`` read); the others are done."""
    members = {i for i in ids if membership.is_active(i, category_id)}
    if stream is not None:
        for entry_id in ids:
            done = EntryOutcome(entry_id, "already_done")
            if entry_id in members and stream(done):
                yield Emit(done)
    todo = [i for i in ids if i not in members]
    op = Operation(lambda i: category_entry.add(i, category_id), _classify_add)
    sent = (yield from run_batches(todo, op, pace or Pace(), stream=stream)) if todo else {}
    return {i: sent.get(i) or EntryOutcome(i, "already_done") for i in ids}


@overload
def move_entries(
    entry_ids: EntriesRef,
    from_category: CategoryRef,
    to_category: CategoryRef,
    *,
    pace: Pace | None = ...,
    stream: Literal[False] = ...,
) -> Flow[list[EntryOutcome]]: ...
@overload
def move_entries(
    entry_ids: EntriesRef,
    from_category: CategoryRef,
    to_category: CategoryRef,
    *,
    pace: Pace | None = ...,
    stream: Literal[True],
) -> Stream[BatchProgress]: ...
def move_entries(
    entry_ids: EntriesRef,
    from_category: CategoryRef,
    to_category: CategoryRef,
    *,
    pace: Pace | None = None,
    stream: bool = False,
) -> Emitting[list[EntryOutcome] | None]:
    """Move entries between categories: add to the target, then detach from the source.

    ``stream=True``: a stream of outcomes, each once final (a failed add at once, the rest after
    the detach), and ``Sending`` before each batch.
    """
    from_category, to_category = category_id_of(from_category), category_id_of(to_category)
    if from_category == to_category:
        raise ConfigError(f"moving from category {from_category} to itself changes nothing")
    ids = _unique(entry_ids)
    both = (category.get(to_category), category.get(from_category))
    membership, _ = yield from read_membership_with(ids, [from_category, to_category], both)
    failed_add = None if not stream else (lambda o: not o.ok)
    added = yield from _add_read(ids, to_category, membership, pace, failed_add)
    # Only entries now in the target leave the source (rule 2), and only those linked to it.
    leaving = [i for i in ids if added[i].ok and membership.linked(i, from_category)]
    if stream:
        for entry_id in ids:  # in the target and not in the source: final now
            if added[entry_id].ok and entry_id not in leaving:
                yield Emit(added[entry_id])

    op = Operation(lambda i: category_entry.delete(i, from_category), _classify_detach)
    # Not linked after all (detached meanwhile): the entry's outcome is the add's, told after.
    early = None if not stream else (lambda o: o.status != "already_done")
    detached = (
        (yield from run_batches(leaving, op, pace or Pace(), stream=early)) if leaving else {}
    )
    outcomes = []
    for entry_id in ids:
        outcome = detached.get(entry_id)
        if outcome is None or outcome.status == "already_done":
            outcome = added[entry_id]
            if stream and entry_id in detached:
                yield Emit(outcome)
        outcomes.append(outcome)
    return None if stream else outcomes


# ---- by filter ---------------------------------------------------------------------------------


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
    op = Operation(lambda i: category_entry.delete(i, category_id), _classify_detach)
    yield from _where(query, op, dry_run, pace or Pace(), category_id)


def delete_where(
    query: EntryQuery, *, dry_run: bool = False, pace: Pace | None = None
) -> Stream[EntryOutcome]:
    """Delete every entry matching ``query``, page by page (dry run: stream what would go)."""
    op = Operation(_delete_call, _classify_delete)
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
