"""Delete entries by id (rule 1 of ``kaltura_mm.flows.entries``: "not found" is done only when
the entry is known to have existed or an earlier try may have reached the server)."""

from __future__ import annotations

from typing import Literal, overload

from kaltura_mm.flows.batch import (
    BatchProgress,
    Emitting,
    EntryOutcome,
    Operation,
    Pace,
    run_batches,
)
from kaltura_mm.flows.entries.reads import unique_ids
from kaltura_mm.flows.entries.verdicts import classify_delete, delete_call, every
from kaltura_mm.refs import EntriesRef
from kaltura_mm.runtime.effects import Flow, Stream


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
    ids = unique_ids(entry_ids)
    op = Operation(delete_call, classify_delete)
    known = frozenset(ids) if known_to_exist else frozenset()
    results = yield from run_batches(ids, op, pace or Pace(), known, every if stream else None)
    return None if stream else list(results.values())
