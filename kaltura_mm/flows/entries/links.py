"""Detach entries from a category and add them to one (rules 1 and 3 of
``kaltura_mm.flows.entries``): who is linked is read first, in the request that checks the
category exists, and only the entries that would change are written."""

from __future__ import annotations

from typing import Literal, overload

from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.flows.batch import (
    BatchProgress,
    Emitting,
    EntryOutcome,
    Operation,
    OutcomeFilter,
    Pace,
    run_batches,
)
from kaltura_mm.flows.entries.reads import get_entries, unique_ids
from kaltura_mm.flows.entries.verdicts import classify_add, classify_detach, every
from kaltura_mm.flows.membership import Membership, read_membership_with
from kaltura_mm.refs import CategoryRef, EntriesRef, category_id_of
from kaltura_mm.runtime.effects import Emit, Flow, Stream
from kaltura_mm.services import category, category_entry


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
    ids, category_id = unique_ids(entry_ids), category_id_of(category_id)
    outcomes = yield from _detach(ids, category_id, pace, every if stream else None)
    return None if stream else outcomes


def _detach(
    ids: list[str], category_id: int, pace: Pace | None, stream: OutcomeFilter | None
) -> Emitting[list[EntryOutcome]]:
    # One request: the category exists (a missing one must not read as "already detached") and
    # which entries are linked to it (rule 3).
    membership, _ = yield from read_membership_with(ids, [category_id], [category.get(category_id)])
    linked = [i for i in ids if membership.linked(i, category_id)]
    op = Operation(lambda i: category_entry.delete(i, category_id), classify_detach)
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
    ids, category_id = unique_ids(entry_ids), category_id_of(category_id)
    outcomes = yield from _add(ids, category_id, pace, every if stream else None)
    return None if stream else outcomes


def _add(
    ids: list[str], category_id: int, pace: Pace | None, stream: OutcomeFilter | None
) -> Emitting[list[EntryOutcome]]:
    membership, _ = yield from read_membership_with(ids, [category_id], [category.get(category_id)])
    outcomes = yield from add_read(ids, category_id, membership, pace, stream)
    return list(outcomes.values())


def add_read(
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
    op = Operation(lambda i: category_entry.add(i, category_id), classify_add)
    sent = (yield from run_batches(todo, op, pace or Pace(), stream=stream)) if todo else {}
    return {i: sent.get(i) or EntryOutcome(i, "already_done") for i in ids}
