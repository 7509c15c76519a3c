"""Where applying a plan stands, item by item: what each item still has to do, what it did.

An item's *units* are its actions, one per category for ``attach``/``detach``. Each phase ends
units; when an item has none left its ``ItemOutcome`` is final and handed to ``on_outcome`` at
once (so a caller can print and record it while later phases run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import attrs

from kaltura_mm.errors import KalturaError
from kaltura_mm.models import Category
from kaltura_mm.sync.model import ADD, ATTACH, DELETE, DETACH, REPLACE, UPDATE, PlanItem
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.upload.job import CancelSignal, OnProgress, OnState

ItemStatus = Literal["done", "already_done", "failed", "cancelled"]


@attrs.frozen
class ItemOutcome:
    """What applying one item did: ``status``, the entry, the actions done and the errors.

    ``done``: every action ran (one at least changed something); ``already_done``: the server
    already held what each action asked for; ``failed``: an action failed (``errors``);
    ``cancelled``: the apply stopped before the item's last action.
    """

    item: PlanItem
    status: ItemStatus
    entry_id: str | None = None
    done: tuple[str, ...] = ()
    errors: tuple[KalturaError, ...] = ()
    note: str | None = None

    @property
    def error(self) -> KalturaError | None:
        """Return the first error, if any action failed."""
        return self.errors[0] if self.errors else None

    @property
    def ok(self) -> bool:
        """Return whether every action of the item ended as planned."""
        return self.status in ("done", "already_done")


@attrs.frozen(kw_only=True)
class ApplyHooks:
    """Where ``apply_plan`` reports what a caller keeps: states, records, categories, outcomes."""

    on_outcome: Callable[[ItemOutcome], None] | None = None
    on_record: Callable[[SyncRecord], None] | None = None
    on_category: Callable[[Category], None] | None = None
    on_upload_state: OnState | None = None
    on_replace_state: OnState | None = None
    on_progress: OnProgress | None = None
    cancel: CancelSignal | None = None

    @property
    def cancelled(self) -> bool:
        """Return whether the caller asked to stop."""
        return self.cancel is not None and self.cancel.is_set()


def units(item: PlanItem) -> set[tuple[str, int]]:
    """Return the units of ``item``: its actions, attach and detach one per category.

    An add attaches its categories as it makes the entry, so they are not units of their own.
    """
    found = {(a, 0) for a in item.actions if a in (ADD, REPLACE, UPDATE, DELETE)}
    if ATTACH in item.actions and ADD not in item.actions:
        found |= {(ATTACH, p.id or 0) for p in item.attach}
    if DETACH in item.actions:
        found |= {(DETACH, p.id or 0) for p in item.detach}
    return found


@attrs.define
class Track:
    """One item on its way."""

    item: PlanItem
    entry_id: str | None
    left: set[tuple[str, int]]
    done: list[str] = attrs.field(factory=list)
    errors: list[KalturaError] = attrs.field(factory=list)
    changed: bool = False
    note: str | None = None


@attrs.define
class Ledger:
    """Every item's track; ends units and hands out final outcomes."""

    tracks: list[Track]
    hooks: ApplyHooks

    @classmethod
    def of(cls, items: list[PlanItem], hooks: ApplyHooks) -> Ledger:
        """Return the ledger of ``items`` (those that change nothing have no unit)."""
        return cls([Track(i, i.entry_id, units(i)) for i in items], hooks)

    def waiting(self, action: str) -> list[tuple[int, Track]]:
        """Return the tracks with the unit ``(action, 0)`` left."""
        return [(i, t) for i, t in enumerate(self.tracks) if (action, 0) in t.left]

    def owe(self, index: int, action: str, unit: int = 0) -> None:
        """Add a follow-up unit to item ``index``."""
        self.tracks[index].left.add((action, unit))

    def ended(
        self, index: int, action: str, status: str, error: KalturaError | None = None, unit: int = 0
    ) -> None:
        """End one unit of item ``index`` with ``status``; hand the outcome out once final."""
        track = self.tracks[index]
        track.left.discard((action, unit))
        if status == "failed":
            track.errors.append(error or KalturaError(f"{action} failed"))
        elif action not in track.done:
            track.done.append(action)
        track.changed = track.changed or status == "done"
        if not track.left and self.hooks.on_outcome is not None:
            self.hooks.on_outcome(self.outcome(track))

    def outcome(self, track: Track) -> ItemOutcome:
        """Return the outcome of ``track`` as it stands."""
        status: ItemStatus = "done" if track.changed else "already_done"
        if track.errors:
            status = "failed"
        elif track.left:
            status = "cancelled"
        return ItemOutcome(
            track.item, status, track.entry_id, tuple(track.done), tuple(track.errors), track.note
        )
