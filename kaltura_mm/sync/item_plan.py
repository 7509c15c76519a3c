"""The plan of one item of the source: what to do to its entry (rules 1 to 4 and 6 of
``kaltura_mm.sync.plan``), compared with what every item of the plan is compared with. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from kaltura_mm.flows.edits import EntryEdit, differences
from kaltura_mm.models import BaseEntry, EntryStatus
from kaltura_mm.sync import truth
from kaltura_mm.sync.adopt import Uploads
from kaltura_mm.sync.content import OnConflict, Prints, judge
from kaltura_mm.sync.model import (
    ADD,
    ATTACH,
    CONFLICT,
    DETACH,
    KEEP,
    REPLACE,
    UPDATE,
    Place,
    PlanItem,
    Seen,
)
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.sync.scope import Scope
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.source import Source, SyncItem
from kaltura_mm.upload.request import REFERENCE_PREFIX

SOURCES_UNREAD = (
    "a video replaced by another tool is not seen: this session may not list flavor assets "
    "(flavorAsset.list)"
)


def seen_as(entry: BaseEntry, source: int | None = None) -> Seen:
    status = entry.status
    return Seen(
        updated_at=entry.updated_at,
        version=entry.version,
        status=int(status) if status is not None else None,
        replacing=entry.replacing_entry_id or None,
        source=source,
    )


@attrs.frozen
class ItemContext:
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


def _desired_name(item: SyncItem, source: Source) -> str:
    if "name" in source.managed and item.fields.get("name"):
        return item.fields["name"]
    return item.default_name


def _desired_fields(item: SyncItem, source: Source) -> dict[str, str]:
    fields = {f: item.fields.get(f, "") for f in source.managed}
    if "name" in fields:
        fields["name"] = _desired_name(item, source)
    return fields


def plan_item(
    context: ItemContext,
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
    context: ItemContext, item: SyncItem, base: PlanItem, twin: BaseEntry, record: SyncRecord
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
    context: ItemContext,
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
        seen=attrs.evolve(seen_as(entry, source), foreign=verdict.foreign),
        note="; ".join(notes) or None,
    )
