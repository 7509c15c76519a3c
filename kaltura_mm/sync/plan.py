"""The plan of a sync: what to do to each entry so the category looks like the source. Pure.

The scope is the sync's category and everything below it. For each item of the source:

1. Its entry is the one carrying its referenceId (the oldest complete one if several; the others
   are ``extra``, noted as duplicates). None: ``add`` (the upload engine makes it, or continues a
   half-made one). An entry without content (or in an error status): ``replace`` into it.
2. ``replace`` when the entry holds other content than the file: as its referenceId keeps it
   (``kaltura_mm.sync.truth``: read from the server, no local record needed), else as the
   sync's record says. Neither: the content is not compared, and a note says so. Content
   another tool put in since the sync's last write is a ``conflict`` (``kaltura_mm.sync.
   content``): left alone unless ``on_conflict`` says which side wins.
3. ``update`` the managed metadata fields that differ, compared as the server stores them
   (``kaltura_mm.flows.edits``): a re-run does not "update" tags the server rewrote.
4. ``attach`` to the item's categories it is not in, ``detach`` from the scope's categories it is
   in and should not be (categories outside the scope are never touched).
5. Nothing to do: ``keep``. Entries in the scope that no item claims are ``extra``: kept, or
   detached from the scope (``prune="detach"``) or deleted (``prune="delete"``).
6. An item with no entry of its own whose very file is in an entry of the category that no item
   claims is not uploaded again: that entry is taken over (its referenceId becomes the item's).
   Known to hold the file: an entry ``kaltura-mm upload`` made (its referenceId hashes every
   byte, the size, the name and the category), or one an earlier sync of the category made from
   another source kind (its record says which content). So switching from ``upload`` to
   ``sync``, or from a folder to a manifest listing its files and back, makes no duplicate
   (``kaltura_mm.sync.adopt``).

Categories an item names must lie in the scope; missing ones are created first when the caller
allows it (``create_categories``), else the plan refuses.

This module claims the entries (rule 1's choice), builds the whole plan and its extras (rule 5);
what to do to one item's entry is ``kaltura_mm.sync.item_plan``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.categories import PATH_SEPARATOR
from kaltura_mm.models import BaseEntry
from kaltura_mm.sync import truth
from kaltura_mm.sync.adopt import Uploads
from kaltura_mm.sync.content import OnConflict, Prints
from kaltura_mm.sync.item_plan import SOURCES_UNREAD as SOURCES_UNREAD
from kaltura_mm.sync.item_plan import ItemContext, plan_item, seen_as
from kaltura_mm.sync.model import (
    DELETE,
    DETACH,
    EXTRA,
    KEEP,
    Plan,
    PlanItem,
    Prune,
)
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.sync.scope import scope_of
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.source import Source, SyncItem
from kaltura_mm.upload.recover import COMPLETE_STATUSES


def _age(entry: BaseEntry) -> tuple[int, str]:
    return (entry.created_at or 0, entry.id)


def build_plan(
    source: Source,
    view: ServerView,
    records: Mapping[str, SyncRecord],
    prints: Prints,
    *,
    scope_name: str,
    prune: Prune = None,
    create_categories: bool = False,
    on_conflict: OnConflict = None,
) -> Plan:
    """Return the plan that makes the scope look like ``source`` (rules 1 to 5)."""
    scope = scope_of(view, scope_name)
    # a manifest's referenceId is the item's name even before the category exists; a derived
    # one needs the category's id, and is filled in once it is made (``apply.with_scope``)
    keys = [_key(item, scope.top.id) for item in source.items]
    _refuse_twice(source.items, keys)
    mine = _claims(view, keys)
    claimed = {e.id for found in mine.values() for e in found if e.id}
    uploads = Uploads.of(view, scope.top.id, records, claimed)
    context = ItemContext(scope, view, source, prints, uploads, on_conflict)
    items = [
        plan_item(context, item, key, mine.get(key or "", []), records.get(key or ""))
        for item, key in zip(source.items, keys, strict=True)
    ]
    claimed = {i.entry_id for i in items if i.entry_id}
    held = {k for k in (_key(i, scope.top.id) for i in source.held) if k}
    extras = [
        _held(entry)
        if truth.identity(entry.reference_id) in held
        else _extra(context, entry, prune)
        for entry in view.entries.values()
        if entry.id not in claimed and context.links(entry)
    ]
    create = {p.full_name for i in items for p in i.attach if p.id is None}
    if view.scope is None:
        create.add(scope.top.full_name)
    if create and not create_categories:
        raise ConfigError(
            f"categories {', '.join(sorted(create))} do not exist: create them with "
            "--create-categories (create_categories=True), or fix the source"
        )
    return Plan(
        scope=scope.top,
        items=(*items, *sorted(extras, key=lambda x: (x.name or "", x.entry_id or ""))),
        create=tuple(sorted(create, key=lambda n: (n.count(PATH_SEPARATOR), n))),
        prune=prune,
        managed=source.managed,
        source=source.origin,
    )


def _key(item: SyncItem, scope_id: int | None) -> str | None:
    """Return the referenceId ``item`` is known by (None: derived, the category not made yet)."""
    if item.reference_id:
        return item.reference_id
    return item.key(scope_id) if scope_id else None


def _refuse_twice(items: Sequence[SyncItem], keys: Sequence[str | None]) -> None:
    seen: dict[str, SyncItem] = {}
    for item, key in zip(items, keys, strict=True):
        name = key or item.reference_id or f"path:{item.relative}"
        if name in seen:
            raise ConfigError(
                f"{item.where()} and {seen[name].where()} are the same entry (referenceId "
                f"{key or item.reference_id or item.relative}): each entry may be listed once"
            )
        seen[name] = item


def _claims(view: ServerView, keys: Sequence[str | None]) -> dict[str, list[BaseEntry]]:
    """Return each key's entries, the one to keep first (rule 1)."""
    wanted = {k for k in keys if k}
    found = {k: v for k, v in view.by_reference().items() if k in wanted}
    return {
        k: sorted(v, key=lambda e: (e.status not in COMPLETE_STATUSES, _age(e)))
        for k, v in found.items()
    }


def _held(entry: BaseEntry) -> PlanItem:
    """The entry of a file skipped for now (empty): kept as it is, never pruned."""
    return PlanItem(
        actions=(KEEP,),
        reference_id=entry.reference_id,
        entry_id=entry.id,
        name=entry.name,
        note="its file is empty (0 bytes) for now: the entry is left as it is",
    )


def _extra(context: ItemContext, entry: BaseEntry, prune: Prune) -> PlanItem:
    links = sorted(context.links(entry))
    item = PlanItem(
        actions=(EXTRA,),
        reference_id=entry.reference_id,
        entry_id=entry.id,
        name=entry.name,
        seen=seen_as(entry),
        note="not in the source",
    )
    if prune == "detach":
        places = tuple(context.scope.by_id[i] for i in links)
        return attrs.evolve(item, actions=(EXTRA, DETACH), detach=places)
    if prune == "delete":
        return attrs.evolve(item, actions=(EXTRA, DELETE))
    return item
