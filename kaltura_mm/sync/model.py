"""The plan of a sync as data: each entry's actions and what they change, the categories to
create. ``kaltura_mm.sync.plan`` builds it; ``kaltura_mm.sync.planfile`` saves and reads it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Literal

import attrs

from kaltura_mm.upload.request import FileFingerprint

Prune = Literal["detach", "delete"] | None
ADD, REPLACE, UPDATE = "add", "replace", "update"
ATTACH, DETACH, DELETE = "attach", "detach", "delete"
KEEP, EXTRA = "keep", "extra"
CONFLICT = "conflict"  # the server's content changed since the sync wrote it: nothing is done
WRITES = (ADD, REPLACE, UPDATE, ATTACH, DETACH, DELETE)


@attrs.frozen
class Place:
    """A category of the scope: its full name, and its id once it exists."""

    full_name: str
    id: int | None = None


@attrs.frozen(kw_only=True)
class Seen:
    """What the plan saw of an entry, to tell later whether the server changed underneath."""

    updated_at: int | None = None
    version: int | None = None
    status: int | None = None
    replacing: str | None = None
    source: int | None = None
    """The version of the entry's source flavor asset (None: it has none, or it was not read)."""
    foreign: bool = False
    """The entry holds content another tool put in since the sync's last write."""


@attrs.frozen(kw_only=True)
class PlanItem:
    """What the sync does to one entry: its actions, and what each one changes."""

    actions: tuple[str, ...]
    reference_id: str | None = None
    relative: str | None = None
    path: str | None = None
    entry_id: str | None = None
    name: str | None = None
    before: Mapping[str, str | None] = attrs.field(factory=dict)
    after: Mapping[str, str | None] = attrs.field(factory=dict)
    attach: tuple[Place, ...] = ()
    detach: tuple[Place, ...] = ()
    fingerprint: FileFingerprint | None = None
    seen: Seen | None = None
    note: str | None = None

    @property
    def action(self) -> str:
        """Return the item's main action: the first of ``actions`` that writes (an extra being
        pruned is its ``detach`` or ``delete``), else the first."""
        return next((a for a in self.actions if a in WRITES), self.actions[0])

    @property
    def changes(self) -> bool:
        """Return whether applying the item writes anything."""
        return any(a in WRITES for a in self.actions)


@attrs.frozen(kw_only=True)
class Plan:
    """Every item of a sync, in source order, then the extras; and the categories to create."""

    scope: Place
    items: tuple[PlanItem, ...]
    create: tuple[str, ...] = ()
    prune: Prune = None
    managed: tuple[str, ...] = ()
    source: str = ""

    def counts(self) -> dict[str, int]:
        """Return how many items each action has (an item with several counts in each)."""
        counted = Counter(a for item in self.items for a in item.actions)
        return {a: counted[a] for a in (*WRITES, CONFLICT, KEEP, EXTRA) if counted[a]}

    @property
    def changes(self) -> int:
        """Return how many items write anything (categories to create count too)."""
        return sum(item.changes for item in self.items) + len(self.create)

    @property
    def conflicts(self) -> tuple[PlanItem, ...]:
        """Return the items whose content changed on the server since the sync wrote it, which
        the plan leaves alone (``--on-conflict`` resolves them)."""
        return tuple(item for item in self.items if CONFLICT in item.actions)

    def summary(self) -> str:
        """Return the plan in one line: ``0 changes`` or the counts of each action."""
        counts = self.counts()
        # an extra that is detached or deleted is counted as that, not twice
        counts[EXTRA] = sum(item.actions == (EXTRA,) for item in self.items)
        parts = [f"{counts[a]} {a}" for a in (*WRITES, CONFLICT, KEEP, EXTRA) if counts.get(a)]
        plural = "category" if len(self.create) == 1 else "categories"
        made = [f"{len(self.create)} {plural} to create"] if self.create else []
        head = f"{self.changes} change" + ("" if self.changes == 1 else "s")
        return head + (": " + ", ".join(made + parts) if parts or made else "")
