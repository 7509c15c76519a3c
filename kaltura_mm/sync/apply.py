"""Carry a sync's plan out: categories, then adds, replaces, updates, attaches, detaches, deletes.

Each phase uses the library's own engines, so each keeps their guarantees:

1. Categories to create first (``create_categories``: every missing level, idempotent); the
   items' referenceIds that depend on the sync's category id are derived once it exists.
2. ``add``: ``upload_many`` with each item's referenceId, categories and metadata: one lookup of
   every referenceId, then the upload engine never makes a second entry (an entry found complete
   is ``existing``; its categories and metadata are brought in line in the later phases).
3. ``replace``: ``replace_content``, a few at a time; the entry keeps its id.
4. ``update``: the planned before/after in the batch engine's multiRequests (and, for entries an
   add found or made, the fields the upload cannot set, compared first).
5. ``attach``, ``detach``, ``delete``: batched per category, paced, one outcome per entry.

``ApplyHooks`` (``kaltura_mm.sync.ledger``) hears what a caller must keep to resume: every upload
and replacement state, each record of the content an entry now holds, each category made, and
each item's outcome as soon as its last action ended. Once ``cancel`` is set no new phase starts
(uploads in flight stop at a chunk boundary, keeping their state); unfinished items end
``cancelled``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import attrs

from kaltura_mm.errors import KalturaError, RecycleBinDisabledError, UploadCancelledError
from kaltura_mm.flows.batch import EntryOutcome, Pace
from kaltura_mm.flows.category_admin import create_categories
from kaltura_mm.flows.edits import EditOutcome, EntryEdit, apply_edits, plan_edits
from kaltura_mm.flows.entries import add_to_category, delete_entries, detach_entries
from kaltura_mm.flows.recycle_bin import recycle_entries
from kaltura_mm.runtime.effects import Flow, interleave
from kaltura_mm.sync import truth
from kaltura_mm.sync.ledger import ApplyHooks, ItemOutcome, Ledger
from kaltura_mm.sync.model import ADD, ATTACH, DELETE, DETACH, REPLACE, UPDATE, Plan, PlanItem
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.sync.source import derived_key
from kaltura_mm.sync.withhold import permission_refusal, withheld
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.replace import ReplaceResult, replace_content
from kaltura_mm.upload.request import FileFingerprint, UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.result import UploadOutcome

RECYCLED_NOTE = "in the recycle bin: kaltura-mm restore brings it back"
NO_BIN_NOTE = "deleted for good: this account has no recycle bin (FEATURE_RECYCLE_BIN)"
_FOLLOW_UP = ("admin_tags", "partner_data")  # fields an upload cannot set as it makes an entry


@attrs.frozen(kw_only=True)
class Resume:
    """What an interrupted apply left to take up: upload states by referenceId, replacement
    states by entry id, categories made before (full name to id)."""

    uploads: Mapping[str, UploadState] = attrs.field(factory=dict)
    replacements: Mapping[str, UploadState] = attrs.field(factory=dict)
    categories: Mapping[str, int] = attrs.field(factory=dict)


def apply_plan(
    plan: Plan,
    *,
    options: UploadOptions | None = None,
    pace: Pace | None = None,
    files_in_flight: int = 4,
    resume: Resume | None = None,
    hooks: ApplyHooks | None = None,
    recycle: bool = True,
) -> Flow[list[ItemOutcome]]:
    """Apply ``plan`` (phases 1 to 5); return the outcome of every item that changes something.

    ``recycle``: a deleted entry goes to the recycle bin (where the account has one; else, and
    without ``recycle``, it is deleted for good)."""
    hooks = hooks or ApplyHooks()
    resume = resume or Resume()
    items = yield from _placed(plan, resume.categories, hooks)
    # sync finds its entries by referenceId: a session that may not set it is refused at once
    sending = attrs.evolve(options or UploadOptions(), require_reference_id=True)
    run = _Run(Ledger.of(items, hooks), sending, pace or Pace(), files_in_flight, recycle)
    for phase in (run.adds, run.replaces, run.updates, run.attaches, run.detaches, run.deletes):
        if hooks.cancelled:
            break
        yield from phase(resume)
    return [run.ledger.outcome(t) for t in run.ledger.tracks if t.item.changes]


def _placed(plan: Plan, known: Mapping[str, int], hooks: ApplyHooks) -> Flow[list[PlanItem]]:
    """Return the items with every category's id and every referenceId known (phase 1)."""
    ids = {p.full_name.casefold(): p.id for i in plan.items for p in i.attach if p.id}
    if plan.scope.id:
        ids[plan.scope.full_name.casefold()] = plan.scope.id
    if plan.create:
        made = yield from create_categories(plan.create, known=known)
        for outcome in made.values():
            for category in (*outcome.created, outcome.category):
                if hooks.on_category is not None:
                    hooks.on_category(category)
            ids[outcome.category.full_name.casefold()] = outcome.category.id
    scope_id = ids[plan.scope.full_name.casefold()] or 0

    def placed(item: PlanItem) -> PlanItem:
        key = item.reference_id
        if key is None and item.relative is not None:
            key = derived_key(scope_id, item.relative)
        places = tuple(attrs.evolve(p, id=ids[p.full_name.casefold()]) for p in item.attach)
        return attrs.evolve(item, reference_id=key, attach=places)

    return [placed(i) for i in plan.items]


def with_scope(plan: Plan, scope_id: int) -> Plan:
    """Return ``plan`` (made before its category existed) once the category has ``scope_id``:
    the referenceIds derived from it filled in, so what an earlier apply did can be found."""
    items = tuple(
        attrs.evolve(i, reference_id=derived_key(scope_id, i.relative))
        if i.reference_id is None and i.relative is not None
        else i
        for i in plan.items
    )
    return attrs.evolve(plan, scope=attrs.evolve(plan.scope, id=scope_id), items=items)


@attrs.define
class _Run:
    ledger: Ledger
    options: UploadOptions
    pace: Pace
    files: int
    recycle: bool = True
    follow_ups: dict[str, tuple[int, EntryEdit]] = attrs.field(factory=dict)
    refused: KalturaError | None = None  # an add refused for permission: nothing is pruned

    def adds(self, resume: Resume) -> Flow[None]:
        todo = [(i, t.item) for i, t in self.ledger.waiting(ADD)]
        if not todo:
            return
        hooks = self.ledger.hooks
        requests = [_request(item) for _, item in todo]
        where = {id(r): place for r, place in zip(requests, todo, strict=True)}
        yield from upload_many(
            requests,
            self.options,
            self.files,
            on_state=hooks.on_upload_state,
            on_progress=hooks.on_progress,
            cancel=hooks.cancel,
            states=[resume.uploads.get(r.reference_id or "") for r in requests],
            on_outcome=lambda o: self._added(*where[id(o.request)], o),
        )

    def _added(self, index: int, item: PlanItem, outcome: UploadOutcome) -> None:
        result = outcome.result
        if isinstance(outcome.error, UploadCancelledError):  # stopped by the caller: the unit
            kept = outcome.error.state  # stays left (the item ends cancelled), its entry kept
            if isinstance(kept, UploadState) and kept.entry_id:
                self.ledger.tracks[index].entry_id = kept.entry_id
            return
        if result is None:
            self.refused = self.refused or permission_refusal(outcome.error)
            self.ledger.ended(index, ADD, "failed", _error(item, outcome.error))
            return
        track = self.ledger.tracks[index]
        track.entry_id = result.entry_id
        self._record(item, result.entry_id, None if result.existing else item.fingerprint)
        fields = {k: v for k, v in item.after.items() if k in _FOLLOW_UP and v}
        if result.existing:  # found complete by its referenceId: bring it in line too
            track.note = "an entry with this referenceId existed: kept, its content not compared"
            fields = {k: v or "" for k, v in item.after.items() if k != "name" or v}
            for place in item.attach:
                self.ledger.owe(index, ATTACH, place.id or 0)
        else:  # made from this very file: its referenceId keeps the content from now on
            fields.update(_stamp(item, result.entry.version, truth.SourceMark(0, ours=True)))
        if fields:
            self.ledger.owe(index, UPDATE)
            self.follow_ups[result.entry_id] = (
                index,
                EntryEdit(entry_id=result.entry_id, **fields),
            )
        self.ledger.ended(index, ADD, "already_done" if result.existing else "done")

    def _record(self, item: PlanItem, entry_id: str, print_: FileFingerprint | None) -> None:
        hook = self.ledger.hooks.on_record
        if hook is None or not item.reference_id:
            return
        unknown = FileFingerprint(size=0, mtime_ns=0, sample_sha256="")  # content not known
        hook(SyncRecord.of(item.reference_id, entry_id, print_ or unknown, item.relative or ""))

    def replaces(self, resume: Resume) -> Flow[None]:
        todo = [(i, t.item) for i, t in self.ledger.waiting(REPLACE)]
        if not todo:
            return
        hooks = self.ledger.hooks
        flows = [
            replace_content(
                item.entry_id or "",
                Path(item.path or ""),
                self.options,
                state=resume.replacements.get(item.entry_id or ""),
                on_state=hooks.on_replace_state,
                cancel=hooks.cancel,
                fresh=item.seen is not None and item.seen.foreign,
            )
            for _, item in todo
        ]
        ended = yield from interleave(flows, self.files, lambda e: isinstance(e, Exception))
        for (index, item), result in zip(todo, ended, strict=True):
            if isinstance(result, UploadCancelledError):
                continue  # stopped by the caller: kept for the re-run, the item ends cancelled
            if not isinstance(result, ReplaceResult):
                self.ledger.ended(index, REPLACE, "failed", _error(item, result))
                continue
            self._record(item, result.entry_id, item.fingerprint)
            # the entry's version as the server holds it: an image's swap raised it before the
            # replacement returned (never pending), a video's never moves it; a video's source
            # asset takes one swap after the version the plan saw (the mark's "+")
            source = truth.SourceMark((item.seen and item.seen.source) or 0, ours=True)
            stamp = _stamp(item, result.entry.version, source)
            if stamp:
                fields = {k: v or "" for k, v in item.after.items() if k != "name" or v}
                self.ledger.owe(index, UPDATE)
                self.follow_ups[result.entry_id] = (
                    index,
                    EntryEdit(entry_id=result.entry_id, **{**fields, **stamp}),
                )
            if result.status == "awaiting_approval":
                self.ledger.tracks[index].note = (
                    "the account requires approval before the new content is swapped in: "
                    f"kaltura-mm replace {result.entry_id} FILE --approve approves it"
                )
            elif result.pending:
                self.ledger.tracks[index].note = "the new content is converting"
            self.ledger.ended(index, REPLACE, "done")

    def updates(self, _: Resume) -> Flow[None]:
        planned: list[EditOutcome] = []
        index_of: dict[str, int] = {}
        # an add or replace owes its item's update as a follow-up, by the entry it landed on: the
        # plan's entry may be another one (a half-made entry removed and the file sent again)
        followed = {index for index, _ in self.follow_ups.values()}
        for index, track in self.ledger.waiting(UPDATE):
            item = track.item
            if item.entry_id and index not in followed:
                planned.append(EditOutcome(item.entry_id, "would_change", item.before, item.after))
                index_of[item.entry_id] = index
        if self.follow_ups:
            planned += yield from plan_edits([edit for _, edit in self.follow_ups.values()])
            index_of.update({k: i for k, (i, _) in self.follow_ups.items()})
        if not planned:
            return
        for outcome in (yield from apply_edits(planned, pace=self.pace)):
            index = index_of[outcome.entry_id]
            item = self.ledger.tracks[index].item
            if (
                outcome.ok
                and item.reference_id
                and truth.identity(item.after.get("reference_id")) == item.reference_id
            ):
                self._record(item, outcome.entry_id, item.fingerprint)  # an upload taken over
            self.ledger.ended(index, UPDATE, outcome.status, outcome.error)

    def attaches(self, _: Resume) -> Flow[None]:
        yield from self._per_category(
            ATTACH, lambda ids, c: add_to_category(ids, c, pace=self.pace)
        )

    def detaches(self, _: Resume) -> Flow[None]:
        if self._withheld(DETACH):
            return
        yield from self._per_category(DETACH, lambda ids, c: detach_entries(ids, c, pace=self.pace))

    def deletes(self, _: Resume) -> Flow[None]:
        if self._withheld(DELETE):
            return
        todo = {t.entry_id: i for i, t in self.ledger.waiting(DELETE) if t.entry_id}
        if not todo:
            return
        forever = list(todo)
        if self.recycle:  # to the bin; an account without one: deleted for good, said per entry
            forever = []
            for outcome in (yield from recycle_entries(list(todo), pace=self.pace)):
                index = todo[outcome.entry_id]
                if isinstance(outcome.error, RecycleBinDisabledError):
                    forever.append(outcome.entry_id)
                    self.ledger.tracks[index].note = NO_BIN_NOTE
                    continue
                if outcome.ok:
                    self.ledger.tracks[index].note = RECYCLED_NOTE
                self.ledger.ended(index, DELETE, outcome.status, outcome.error)
        if not forever:
            return
        for outcome in (yield from delete_entries(forever, known_to_exist=True, pace=self.pace)):
            self.ledger.ended(todo[outcome.entry_id], DELETE, outcome.status, outcome.error)

    def _withheld(self, action: str) -> bool:
        """End every ``action`` unit failed when an add was refused for permission."""
        if self.refused is None:
            return False
        error = withheld(self.refused)
        for index, track in enumerate(self.ledger.tracks):
            for kind, unit in sorted(track.left):
                if kind == action:
                    self.ledger.ended(index, action, "failed", error, unit)
        return True

    def _per_category(
        self, action: str, act: Callable[[list[str], int], Flow[list[EntryOutcome]]]
    ) -> Flow[None]:
        groups: dict[int, dict[str, int]] = {}
        for index, track in enumerate(self.ledger.tracks):
            for kind, category_id in sorted(track.left):
                if kind == action and track.entry_id:
                    groups.setdefault(category_id, {})[track.entry_id] = index
        for category_id, members in sorted(groups.items()):
            if self.ledger.hooks.cancelled:
                return
            for outcome in (yield from act(list(members), category_id)):
                index = members[outcome.entry_id]
                self.ledger.ended(index, action, outcome.status, outcome.error, category_id)


def _request(item: PlanItem) -> UploadRequest:
    after = item.after
    return UploadRequest(
        path=item.path or "",
        category_ids=tuple(p.id for p in item.attach if p.id),
        name=after.get("name") or item.name,
        description=after.get("description") or None,
        tags=after.get("tags") or (),
        reference_id=item.reference_id,
    )


def _stamp(item: PlanItem, version: int | None, source: truth.SourceMark) -> dict[str, str]:
    """Return the referenceId field that records ``item``'s file as the entry's content at
    ``version``, its source flavor asset at ``source`` (``kaltura_mm.sync.truth``); none for a
    user's own referenceId."""
    key = item.reference_id or ""
    written = truth.stamped(key, item.fingerprint, version, source)
    return {"reference_id": written} if written != key else {}


def _error(item: PlanItem, error: object) -> KalturaError:
    if isinstance(error, KalturaError):
        return error
    return KalturaError(f"{item.path or item.entry_id}: {error}")


__all__ = ["ApplyHooks", "ItemOutcome", "Resume", "apply_plan", "with_scope"]
