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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.categories import PATH_SEPARATOR
from kaltura_mm.flows.edits import EntryEdit, differences
from kaltura_mm.models import BaseEntry, EntryStatus
from kaltura_mm.sync import truth
from kaltura_mm.sync.adopt import Uploads
from kaltura_mm.sync.content import OnConflict, Prints, judge
from kaltura_mm.sync.model import (
    ADD,
    ATTACH,
    CONFLICT,
    DELETE,
    DETACH,
    EXTRA,
    KEEP,
    REPLACE,
    UPDATE,
    Place,
    Plan,
    PlanItem,
    Prune,
    Seen,
)
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.sync.scope import Scope, scope_of
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.source import Source, SyncItem
from kaltura_mm.upload.recover import COMPLETE_STATUSES
from kaltura_mm.upload.request import REFERENCE_PREFIX

SOURCES_UNREAD = (
    "a video replaced by another tool is not seen: this session may not list flavor assets "
    "(flavorAsset.list)"
)


def _age(entry: BaseEntry) -> tuple[int, str]:
    return (entry.created_at or 0, entry.id)


def _seen(entry: BaseEntry, source: int | None = None) -> Seen:
    status = entry.status
    return Seen(
        updated_at=entry.updated_at,
        version=entry.version,
        status=int(status) if status is not None else None,
        replacing=entry.replacing_entry_id or None,
        source=source,
    )


@attrs.frozen
class _Context:
    """What every item of one plan is compared with."""

    scope: Scope
    view: ServerView
    source: Source
    prints: Prints
    uploads: Uploads
    on_conflict: OnConflict = None

    def links(self, entry: BaseEntry) -> set[int]:
        """Return the scope's categories ``entry`` is linked to."""
        return set(self.view.links.get(entry.id, frozenset()))

    def source_version(self, entry: BaseEntry) -> int | None:
        """Return the version of ``entry``'s source flavor asset (None: none, or not read)."""
        asset = self.view.sources.get(entry.id)
        return asset.version if asset is not None else None


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
    context = _Context(scope, view, source, prints, uploads, on_conflict)
    items = [
        _item(context, item, key, mine.get(key or "", []), records.get(key or ""))
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


def _desired_name(item: SyncItem, source: Source) -> str:
    if "name" in source.managed and item.fields.get("name"):
        return item.fields["name"]
    return item.default_name


def _desired_fields(item: SyncItem, source: Source) -> dict[str, str]:
    fields = {f: item.fields.get(f, "") for f in source.managed}
    if "name" in fields:
        fields["name"] = _desired_name(item, source)
    return fields


def _item(
    context: _Context,
    item: SyncItem,
    key: str | None,
    entries: list[BaseEntry],
    record: SyncRecord | None,
) -> PlanItem:
    scope = context.scope
    places = [scope.place(c, item) for c in item.categories or ()] or [scope.top]
    wanted = {p.full_name.casefold(): p for p in places}
    entry = entries[0] if entries else None
    if record is not None and (entry is None or record.entry_id != entry.id):
        record = None  # a record of another entry (deleted since) says nothing of this one
    base = PlanItem(
        actions=(KEEP,),
        reference_id=key,
        relative=item.relative,
        path=str(item.path),
        name=_desired_name(item, context.source),
    )
    if entry is None and key is not None:
        print_ = context.prints(item, None)
        twin = context.uploads.take(item.path, print_)
        if twin is not None:
            return _adopted(context, item, base, twin, SyncRecord.of(key, twin.id, print_))
    if entry is None or entry.status is EntryStatus.IMPORT:
        return attrs.evolve(
            base,
            actions=(ADD,),
            after=_desired_fields(item, context.source),
            entry_id=entry.id if entry else None,
            attach=tuple(wanted.values()),
            fingerprint=context.prints(item, None),
            note="continues its half-made entry" if entry else None,
        )
    return _existing(context, item, base, entries, record, wanted)


def _adopted(
    context: _Context, item: SyncItem, base: PlanItem, twin: BaseEntry, record: SyncRecord
) -> PlanItem:
    """Take over the entry ``kaltura-mm upload`` made of this very file (rule 6)."""
    places = [context.scope.place(c, item) for c in item.categories or ()] or [context.scope.top]
    wanted = {p.full_name.casefold(): p for p in places}
    found = _existing(context, item, base, [twin], record, wanted)
    before = {**found.before, "reference_id": twin.reference_id}
    # known to hold this very file now: a derived identity keeps its content and version
    source = context.source_version(twin)
    kept = truth.stamped(
        record.reference_id,
        found.fingerprint,
        twin.version,
        truth.SourceMark(source) if source is not None else None,
    )
    after = {**found.after, "reference_id": kept}
    actions = [a for a in (REPLACE, UPDATE, ATTACH, DETACH) if a in found.actions or a == UPDATE]
    return attrs.evolve(
        found,
        actions=tuple(actions),
        before=before,
        after=after,
        note=(
            "made by `kaltura-mm upload` from this very file: taken over, not uploaded again"
            if (twin.reference_id or "").startswith(REFERENCE_PREFIX)
            else f"made by an earlier sync of this very file (as {twin.reference_id}): taken "
            "over, not uploaded again"
        ),
    )


def _existing(
    context: _Context,
    item: SyncItem,
    base: PlanItem,
    entries: list[BaseEntry],
    record: SyncRecord | None,
    wanted: Mapping[str, Place],
) -> PlanItem:
    entry = entries[0]
    source = context.source_version(entry)
    verdict = judge(
        item, base.reference_id, entry, record, context.prints, context.on_conflict, source
    )
    actions = list(verdict.actions)
    notes = [verdict.note] if verdict.note else []
    print_ = verdict.print_
    if entry.replacing_entry_id:
        notes.append(f"a replacement is pending ({entry.replacing_entry_id})")
    if not context.view.sources_read and truth.read(entry.reference_id) is not None:
        notes.append(SOURCES_UNREAD)
    edit = EntryEdit(entry_id=entry.id, **_desired_fields(item, context.source))
    before, after = differences(edit, entry)
    if verdict.reference_id is not None:  # kept as the server holds it: recorded in step
        before = {**before, "reference_id": entry.reference_id}
        after = {**after, "reference_id": verdict.reference_id}
    if CONFLICT in actions:  # the row is left alone until a flag says which side wins
        before, after = {}, {}
    actions += [UPDATE] * (bool(after) and UPDATE not in actions)
    links = context.links(entry)
    attach = tuple(p for p in wanted.values() if p.id is None or p.id not in links)
    by_id = context.scope.by_id
    detach = tuple(by_id[i] for i in sorted(links) if by_id[i].full_name.casefold() not in wanted)
    if CONFLICT in actions:
        attach, detach = (), ()
    actions += [ATTACH] * bool(attach) + [DETACH] * bool(detach)
    twins = [e.id for e in entries[1:] if e.id]
    if twins:
        notes.insert(0, f"duplicates with the same referenceId: {', '.join(twins)}")
    return attrs.evolve(
        base,
        actions=tuple(actions) or (KEEP,),
        entry_id=entry.id,
        name=entry.name,
        before=before,
        after=after,
        attach=attach,
        detach=detach,
        fingerprint=print_,
        seen=attrs.evolve(_seen(entry, source), foreign=verdict.foreign),
        note="; ".join(notes) or None,
    )


def _held(entry: BaseEntry) -> PlanItem:
    """The entry of a file skipped for now (empty): kept as it is, never pruned."""
    return PlanItem(
        actions=(KEEP,),
        reference_id=entry.reference_id,
        entry_id=entry.id,
        name=entry.name,
        note="its file is empty (0 bytes) for now: the entry is left as it is",
    )


def _extra(context: _Context, entry: BaseEntry, prune: Prune) -> PlanItem:
    links = sorted(context.links(entry))
    item = PlanItem(
        actions=(EXTRA,),
        reference_id=entry.reference_id,
        entry_id=entry.id,
        name=entry.name,
        seen=_seen(entry),
        note="not in the source",
    )
    if prune == "detach":
        places = tuple(context.scope.by_id[i] for i in links)
        return attrs.evolve(item, actions=(EXTRA, DETACH), detach=places)
    if prune == "delete":
        return attrs.evolve(item, actions=(EXTRA, DELETE))
    return item
