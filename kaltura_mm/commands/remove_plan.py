"""What ``detach``, ``delete``, ``move`` and ``add`` would do to each entry, read from the server.

A dry run reports these verdicts, with the exit code the real run would end with; the real run
sends only the entries that would change and reports the others as they are (already done, or
not found). Entries are read by id (``getByIds``, 500 a call), so nothing here depends on a list
catching up with a write. Who is in the categories is read from ``categoryEntry.list`` in the
same request (``kaltura_mm.flows.membership``), never from an entry's ``categoriesIds``: that
field leaves out every category with a privacy context (MediaSpace channels), and is empty for
partners with ``FEATURE_DISABLE_CATEGORY_LIMIT``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.flows.membership import Membership
from kaltura_mm.models import BaseEntry


@attrs.frozen(kw_only=True)
class RemovalPlan:
    """One ``detach``/``delete``/``move`` asked for: the action and its categories."""

    action: str
    category_id: int | None = None
    destination_id: int | None = None
    missing_ok: bool = False
    deleted_before: frozenset[str] = frozenset()
    listed: bool = False  # the ids came from a listing: a vanished one was deleted meanwhile

    @property
    def categories(self) -> list[int]:
        """Return the categories whose links the verdicts read."""
        return [c for c in (self.category_id, self.destination_id) if c is not None]


def _missing(plan: RemovalPlan, entry_id: str) -> EntryOutcome:
    gone_anyway = plan.action == "delete" and (
        plan.missing_ok or plan.listed or entry_id in plan.deleted_before
    )
    if gone_anyway:
        return EntryOutcome(entry_id, "already_done")
    error = EntryNotFoundError("ENTRY_ID_NOT_FOUND", f'Entry id "{entry_id}" not found')
    return EntryOutcome(entry_id, "failed", error)


def verdict(
    plan: RemovalPlan, entry_id: str, entry: BaseEntry | None, links: Membership
) -> EntryOutcome:
    """Return what the action would do to ``entry_id`` (``entry``: it as the server has it;
    ``links``: its links to the plan's categories).

    As the writes would answer: a detach has work while any link is there (pending and
    rejected ones too), an add unless the link is ACTIVE.
    """
    if entry is None:
        return _missing(plan, entry_id)
    source, target = plan.category_id, plan.destination_id
    if plan.action == "detach" and not links.linked(entry_id, source):
        return EntryOutcome(entry_id, "already_done")
    if plan.action == "add" and links.is_active(entry_id, source):
        return EntryOutcome(entry_id, "already_done")
    if plan.action == "move" and (
        links.is_active(entry_id, target) and not links.linked(entry_id, source)
    ):
        return EntryOutcome(entry_id, "already_done")
    return EntryOutcome(entry_id, "would_change")


def verdicts(
    plan: RemovalPlan, entry_ids: Sequence[str], known: Mapping[str, BaseEntry], links: Membership
) -> list[EntryOutcome]:
    """Return the verdict for each of ``entry_ids``, in order."""
    return [verdict(plan, i, known.get(i), links) for i in entry_ids]
