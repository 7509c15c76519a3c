"""What ``detach``, ``delete``, ``move`` and ``add`` would do to each entry, read from the server.

A dry run reports these verdicts, with the exit code the real run would end with; the real run
sends only the entries that would change and reports the others as they are (already done, or
not found). Entries are read by id (``getByIds``, 500 a call), so nothing here depends on a list
catching up with a write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.models import BaseEntry


@attrs.frozen(kw_only=True)
class Plan:
    """One ``detach``/``delete``/``move`` asked for: the action and its categories."""

    action: str
    category_id: int | None = None
    destination_id: int | None = None
    missing_ok: bool = False
    deleted_before: frozenset[str] = frozenset()
    listed: bool = False  # the ids came from a listing: a vanished one was deleted meanwhile


def _categories(entry: BaseEntry) -> set[int]:
    return {int(c) for c in (entry.categories_ids or "").split(",") if c.strip().isdigit()}


def _missing(plan: Plan, entry_id: str) -> EntryOutcome:
    gone_anyway = plan.action == "delete" and (
        plan.missing_ok or plan.listed or entry_id in plan.deleted_before
    )
    if gone_anyway:
        return EntryOutcome(entry_id, "already_done")
    error = EntryNotFoundError("ENTRY_ID_NOT_FOUND", f'Entry id "{entry_id}" not found')
    return EntryOutcome(entry_id, "failed", error)


def verdict(plan: Plan, entry_id: str, entry: BaseEntry | None) -> EntryOutcome:
    """Return what the action would do to ``entry_id`` (``entry``: it as the server has it)."""
    if entry is None:
        return _missing(plan, entry_id)
    categories = _categories(entry)
    if plan.action == "detach" and plan.category_id not in categories:
        return EntryOutcome(entry_id, "already_done")
    if plan.action == "add" and plan.category_id in categories:
        return EntryOutcome(entry_id, "already_done")
    if plan.action == "move" and (
        plan.destination_id in categories and plan.category_id not in categories
    ):
        return EntryOutcome(entry_id, "already_done")
    return EntryOutcome(entry_id, "would_change")


def verdicts(
    plan: Plan, entry_ids: Sequence[str], known: Mapping[str, BaseEntry]
) -> list[EntryOutcome]:
    """Return the verdict for each of ``entry_ids``, in order."""
    return [verdict(plan, i, known.get(i)) for i in entry_ids]
