"""Move entries between categories (rule 2 of ``kaltura_mm.flows.entries``): add to the target
first, then detach from the source only the entries now in the target, so an entry is never left
in neither category."""

from __future__ import annotations

from typing import Literal, overload

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.batch import (
    BatchProgress,
    Emitting,
    EntryOutcome,
    Operation,
    Pace,
    run_batches,
)
from kaltura_mm.flows.entries.links import add_read
from kaltura_mm.flows.entries.reads import unique_ids
from kaltura_mm.flows.entries.verdicts import classify_detach
from kaltura_mm.flows.membership import read_membership_with
from kaltura_mm.refs import CategoryRef, EntriesRef, category_id_of
from kaltura_mm.runtime.effects import Emit, Flow, Stream
from kaltura_mm.services import category, category_entry


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
    ids = unique_ids(entry_ids)
    both = (category.get(to_category), category.get(from_category))
    membership, _ = yield from read_membership_with(ids, [from_category, to_category], both)
    failed_add = None if not stream else (lambda o: not o.ok)
    added = yield from add_read(ids, to_category, membership, pace, failed_add)
    # Only entries now in the target leave the source (rule 2), and only those linked to it.
    leaving = [i for i in ids if added[i].ok and membership.linked(i, from_category)]
    if stream:
        for entry_id in ids:  # in the target and not in the source: final now
            if added[entry_id].ok and entry_id not in leaving:
                yield Emit(added[entry_id])

    op = Operation(lambda i: category_entry.delete(i, from_category), classify_detach)
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
