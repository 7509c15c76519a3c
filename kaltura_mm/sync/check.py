"""Does a saved plan still fit the server? Read again what it acts on; refuse what drifted.

A plan saved with ``--plan-out`` may be applied minutes or days later. Before anything is sent,
every entry it changes is read again (``getByIds``, and ``categoryEntry.list`` for those it
acts on) and every file it uploads is fingerprinted again. First, the plan must stay inside its
own category (``kaltura_mm.sync.fence``: anything outside is refused, naming the items). Then,
for each action:

- already as the plan wants it (the field holds the new value, the link exists or is gone, the
  content was recorded as replaced, the entry to delete is gone): dropped, nothing to send;
- as the plan saw it: kept;
- anything else (a field changed to a third value, the entry's content version moved, its
  source flavor asset's version moved (a video's replacement, ``kaltura_mm.flows.flavors``: read
  for the entries the plan replaces) or a replacement started, the entry deleted, the file
  edited): *drift*, named per entry. One drift
  refuses the whole plan: make a new one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.edits import tag_set
from kaltura_mm.flows.entries import get_entries
from kaltura_mm.flows.flavors import read_sources
from kaltura_mm.models import BaseEntry, FlavorAsset
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.sync.fence import PlanScopeError, outside, scope_tree, with_linked
from kaltura_mm.sync.model import (
    ADD,
    ATTACH,
    DELETE,
    DETACH,
    KEEP,
    REPLACE,
    UPDATE,
    Plan,
    PlanItem,
)
from kaltura_mm.sync.records import SyncRecord, fingerprint, same_content
from kaltura_mm.sync.server import entry_links

_PAGE = 500
FILE_CHANGED = ": the file changed since the plan"


class StalePlanError(ConfigError):
    """The server (or a file) changed since the plan was made; ``drift`` names each change."""

    def __init__(self, drift: Sequence[str]) -> None:
        """Hold the drifted entries' descriptions."""
        shown = "; ".join(drift[:10]) + (f"; and {len(drift) - 10} more" if len(drift) > 10 else "")
        files = sum(d.endswith(FILE_CHANGED) for d in drift)
        where = (  # a changed local file is not the server's doing: name what moved
            "the local files"
            if files == len(drift)
            else "what the server holds"
            if not files
            else "the local files and what the server holds"
        )
        super().__init__(
            f"the plan no longer fits {where} ({len(drift)} changed since it was made): "
            f"{shown}; nothing was changed: make a new plan"
        )
        self.drift = tuple(drift)


def check_plan(plan: Plan, records: Mapping[str, SyncRecord] | None = None) -> Flow[Plan]:
    """Return ``plan`` without the actions already done; raise ``StalePlanError`` on drift."""
    records = records or {}
    tree = yield from scope_tree(plan)
    acting = [i for i in plan.items if i.changes and i.entry_id and ADD not in i.actions]
    made = {
        key: records[key].entry_id
        for key in (i.reference_id for i in plan.items if _made(i, records))
        if key is not None
    }
    entries = yield from get_entries([*(i.entry_id or "" for i in acting), *made.values()])
    # every link of each acted-on entry (any category): the scope check must see links outside
    linked, _ = yield from entry_links([i.entry_id or "" for i in acting], None)
    replaced = [i.entry_id or "" for i in acting if REPLACE in i.actions and _saw_source(i)]
    sources: dict[str, FlavorAsset] = {}
    if replaced:
        sources, _ = yield from read_sources(replaced)
    tree = yield from with_linked(tree, plan.scope.id, linked)
    refused = outside(plan, tree, entries, linked)
    if refused:
        raise PlanScopeError(plan.scope.full_name, refused)
    drift: list[str] = []
    items = []
    for item in plan.items:
        key = item.reference_id or ""
        if key in made and made[key] in entries:
            done = attrs.evolve(item, actions=(KEEP,), entry_id=made[key], attach=())
            items.append(attrs.evolve(done, note="made by an earlier apply of this plan"))
        else:
            items.append(_checked(item, entries, linked, records, drift, sources))
    if drift:
        raise StalePlanError(drift)
    return attrs.evolve(plan, items=tuple(items))


def _made(item: PlanItem, records: Mapping[str, SyncRecord]) -> bool:
    """Return whether an earlier apply of this plan made the entry ``item`` adds."""
    return ADD in item.actions and bool(item.reference_id) and item.reference_id in records


def _checked(
    item: PlanItem,
    entries: Mapping[str, BaseEntry],
    linked: Mapping[str, set[int]],
    records: Mapping[str, SyncRecord],
    drift: list[str],
    sources: Mapping[str, FlavorAsset],
) -> PlanItem:
    if not item.changes:
        return item
    if (ADD in item.actions or REPLACE in item.actions) and not _same_file(item):
        drift.append(f"{item.relative}{FILE_CHANGED}")
    entry = entries.get(item.entry_id or "")
    if ADD in item.actions:
        return item
    if entry is None:
        if DELETE not in item.actions:
            drift.append(f"entry {item.entry_id} no longer exists")
        return attrs.evolve(item, actions=(KEEP,), note="gone already")
    links = linked.get(item.entry_id or "", set())
    after = {k: v for k, v in item.after.items() if not _same(k, getattr(entry, k), v)}
    attach = tuple(p for p in item.attach if p.id is None or p.id not in links)
    detach = tuple(p for p in item.detach if p.id in links)
    still = {
        REPLACE: _replace_left(item, entry, records, drift, sources.get(entry.id)),
        UPDATE: _update_left(item, entry, after, drift),
        ATTACH: bool(attach),
        DETACH: bool(detach),
        DELETE: _delete_left(item, entry, drift),
    }
    left = tuple(a for a in item.actions if still.get(a, True))
    return attrs.evolve(
        item,
        actions=left if any(a in still for a in left) else (*left, KEEP)[-1:],
        after=after,
        before={k: v for k, v in item.before.items() if k in after},
        attach=attach,
        detach=detach,
    )


def _saw_source(item: PlanItem) -> bool:
    return item.seen is not None and item.seen.source is not None


def _replace_left(
    item: PlanItem,
    entry: BaseEntry,
    records: Mapping[str, SyncRecord],
    drift: list[str],
    source: FlavorAsset | None,
) -> bool:
    if REPLACE not in item.actions:
        return False
    record = records.get(item.reference_id or "")
    done = record is not None and record.entry_id == entry.id and item.fingerprint is not None
    if done and record is not None and item.fingerprint and record.holds(item.fingerprint):
        return False  # an earlier apply of this plan replaced it
    seen = item.seen
    now = (entry.version, entry.replacing_entry_id or None)
    if seen is not None and now != (seen.version, seen.replacing):
        drift.append(
            f"entry {entry.id}: its content changed since the plan (version {seen.version} -> "
            f"{entry.version}{', a replacement pending' if now[1] else ''})"
        )
    elif seen is not None and _saw_source(item) and (source and source.version) != seen.source:
        drift.append(
            f"entry {entry.id}: its file was replaced since the plan (its source flavor asset's "
            f"version {seen.source} -> {source.version if source else 'none'})"
        )
    return True


def _update_left(
    item: PlanItem, entry: BaseEntry, after: Mapping[str, Any], drift: list[str]
) -> bool:
    for field in after:
        now, then = getattr(entry, field), item.before.get(field)
        if not _same(field, now, then):
            drift.append(f"entry {entry.id}: {field} is now {now!r} (the plan saw {then!r})")
    return UPDATE in item.actions and bool(after)


def _delete_left(item: PlanItem, entry: BaseEntry, drift: list[str]) -> bool:
    if DELETE not in item.actions:
        return False
    if item.seen is not None and entry.updated_at != item.seen.updated_at:
        drift.append(f"entry {entry.id} was changed since the plan (it would be deleted)")
    return True


def _same(field: str, a: Any, b: Any) -> bool:
    if field in ("tags", "admin_tags"):
        return tag_set(a, admin=field == "admin_tags") == tag_set(b, admin=field == "admin_tags")
    return (a or "") == (b or "")


def _same_file(item: PlanItem) -> bool:
    try:
        now = fingerprint(Path(item.path or ""))
    except ConfigError:
        return False
    planned = item.fingerprint
    return planned is not None and same_content(now, planned)
