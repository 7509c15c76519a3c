"""Send entries to the recycle bin and bring them back, in batches, one outcome per entry.

Rules (``BaseEntryService::recycleAction`` / ``restoreRecycledAction``):

1. ``recycle`` of an entry already in the bin answers ``INVALID_ENTRY_STATUS_FOR_RECYCLE``:
   "already_done". ``restore`` of an entry not in the bin answers
   ``INVALID_ENTRY_STATUS_FOR_RESTORE``: "already_done" (the entry is live).
2. An account without the bin (``FEATURE_RECYCLE_BIN`` off) refuses every ``recycle`` with
   ``RecycleBinDisabledError``: each entry "failed" with it; the caller decides whether to
   delete for good instead (a sync does, saying so).
3. A recycled entry keeps its category links; it is left out of every list that does not name
   it by id, and the account's retention period (30 days unless set shorter) deletes it.
"""

from __future__ import annotations

from typing import Any, cast

from kaltura_mm.errors import ApiError, ConfigError, KalturaError
from kaltura_mm.flows.batch import RETRY, EntryOutcome, Operation, Pace, run_batches
from kaltura_mm.refs import EntriesRef, entry_ids_of
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.throttle import is_blocked
from kaltura_mm.services import base_entry

RECYCLED = -2  # displayInSearch of an entry in the recycle bin (EntryDisplayInSearchType)
_ALREADY = {
    "recycle": "INVALID_ENTRY_STATUS_FOR_RECYCLE",
    "restore": "INVALID_ENTRY_STATUS_FOR_RESTORE",
}


def _ids(entries: EntriesRef) -> list[str]:
    entry_ids = entry_ids_of(entries)
    if isinstance(entry_ids, str):
        raise ConfigError("entry_ids must be a list of ids such as ['0_abc12345'], not a string")
    ids = list(dict.fromkeys(entry_ids))
    if any(not isinstance(i, str) or not i.strip() for i in ids):
        raise ConfigError("entry ids must be non-empty strings such as '0_abc12345'")
    return ids


def _classify(kind: str) -> Any:
    def classify(_: str, outcome: Any, __: bool) -> str:
        if is_blocked(outcome):
            return RETRY
        if not isinstance(outcome, KalturaError):
            return "done"
        if isinstance(outcome, ApiError) and outcome.code == _ALREADY[kind]:
            return "already_done"
        return "failed"

    return classify


def _run(ids: list[str], op: Operation, pace: Pace | None) -> Flow[list[EntryOutcome]]:
    # no stream: run_batches emits nothing, so its flow is a plain Flow
    results = yield from cast(Flow[dict[str, EntryOutcome]], run_batches(ids, op, pace or Pace()))
    return [results[i] for i in ids]


def recycle_entries(entry_ids: EntriesRef, *, pace: Pace | None = None) -> Flow[list[EntryOutcome]]:
    """Move entries to the recycle bin; one outcome per entry, in the order given."""
    op = Operation(base_entry.recycle, _classify("recycle"))
    return (yield from _run(_ids(entry_ids), op, pace))


def restore_entries(entry_ids: EntriesRef, *, pace: Pace | None = None) -> Flow[list[EntryOutcome]]:
    """Bring entries back from the recycle bin; one outcome per entry, in the order given."""
    op = Operation(base_entry.restore_recycled, _classify("restore"))
    return (yield from _run(_ids(entry_ids), op, pace))
