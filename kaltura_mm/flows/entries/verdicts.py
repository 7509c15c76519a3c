"""What an answer means for one entry of a batch (rule 1 of ``kaltura_mm.flows.entries``), and
the calls whose answers need that reading."""

from __future__ import annotations

from typing import Any

import attrs

from kaltura_mm.errors import (
    CategoryEntryExistsError,
    EntryNotFoundError,
    EntryNotInCategoryError,
    KalturaError,
)
from kaltura_mm.flows.batch import RETRY, EntryOutcome
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime.throttle import is_blocked
from kaltura_mm.services import base_entry


def _common(outcome: Any) -> str | None:
    if is_blocked(outcome):
        return RETRY
    if not isinstance(outcome, KalturaError):
        return "done"
    return None


def classify_detach(_: str, outcome: Any, __: bool) -> str:
    """A detach: "not assigned" is already done (whether the entry exists is checked after)."""
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, EntryNotInCategoryError) else "failed"


def classify_delete(_: str, outcome: Any, maybe_ran: bool) -> str:
    """A delete: "not found" is already done only when the entry may have been deleted by an
    earlier try or is known to have existed (``maybe_ran``)."""
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, EntryNotFoundError) and maybe_ran else "failed"


def classify_add(_: str, outcome: Any, __: bool) -> str:
    """An add: an ACTIVE link there already is already done."""
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, CategoryEntryExistsError) else "failed"


def delete_call(entry_id: str) -> Call[None]:
    """Return the delete of ``entry_id``, which the client never sends again by itself."""
    # Marked not idempotent so that the client hands an unanswered batch back to the engine
    # instead of re-sending it: only the engine knows that a later "not found" then means done.
    return attrs.evolve(base_entry.delete(entry_id), idempotent=False)


def every(_: EntryOutcome) -> bool:
    """Stream every outcome (a batch's ``stream`` filter)."""
    return True
