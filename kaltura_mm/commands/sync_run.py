"""Apply a sync plan from the command line: under the run lock, journaled, resumable.

Everything a re-run needs is written the moment it is known, in the state database: each upload's
and replacement's chunk state (``uploads``, ``replacements``), each entry's content record
(``sync_records``), each category made (``categories``). Ctrl-C stops starting work (uploads in
flight stop at a chunk boundary); the same command again plans from what the server now holds
and the records, and resumes what was half sent. Each item's outcome is printed as it lands.

An outcome line: ``reference_id``, ``entry_id``, ``action`` (the item's actions, ``+``-joined),
``status`` (``done``, ``already_done``, ``failed``, ``cancelled``), ``path``, ``name``,
``error``, ``message``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.item_progress import ItemProgress
from kaltura_mm.commands.output import Format, ResultWriter
from kaltura_mm.commands.report_file import with_report
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.sync_restart import changed_uploads
from kaltura_mm.commands.sync_retry import LastOutcomes
from kaltura_mm.models import Category
from kaltura_mm.store import Store
from kaltura_mm.store.sync_state import KnownCategories, Replacements, SyncRecords
from kaltura_mm.store.uploads import UploadStore
from kaltura_mm.sync import ApplyHooks, ItemOutcome, Plan, Resume, SyncRecord, apply_sync
from kaltura_mm.sync.model import ADD, REPLACE
from kaltura_mm.upload.request import UploadOptions

OUTCOME_KEYS = (
    "reference_id",
    "entry_id",
    "action",
    "status",
    "path",
    "name",
    "error",
    "message",
)
OUTCOME_TABLE = ("action", "status", "name", "entry_id", "message")


@attrs.define
class Journal:
    """The state a sync apply keeps, for one server, partner and sync category."""

    db: Store
    state: AppContext
    plan: Plan
    scope_id: int | None = None
    writer: ResultWriter | None = None
    progress: ItemProgress | None = None
    recycle: bool = True  # deleted entries go to the recycle bin, where the account has one
    outcomes: list[ItemOutcome] = attrs.field(factory=list)
    uploads: UploadStore = attrs.field(init=False)
    replacements: Replacements = attrs.field(init=False)
    categories: KnownCategories = attrs.field(init=False)
    last: LastOutcomes = attrs.field(init=False)  # for the next --retry-failed

    def __attrs_post_init__(self) -> None:
        self.scope_id = self.plan.scope.id
        target = self.state.target()
        self.last = LastOutcomes(self.db, self.state)
        self.uploads = UploadStore(self.db, target)
        self.replacements = Replacements(self.db, target)
        self.categories = KnownCategories(self.db, target)

    def records(self) -> dict[str, SyncRecord]:
        """Return the records of the sync category (none before it exists)."""
        return self._records().all() if self.scope_id else {}

    def _records(self) -> SyncRecords:
        return SyncRecords(self.db, self.state.target(), self.scope_id or 0)

    def resume(self) -> Resume:
        """Return what earlier, interrupted applies left to take up."""
        keys = [i.reference_id for i in self.plan.items if ADD in i.actions and i.reference_id]
        uploads = {k: s for k in keys if (s := self.uploads.load(k)) is not None}
        return Resume(
            uploads=uploads,
            replacements=self.replacements.all(),
            categories=self.categories.all(),
        )

    def hooks(self, interrupts: Interrupts) -> ApplyHooks:
        """Return the hooks that keep this journal as the apply goes."""
        return ApplyHooks(
            on_outcome=self._landed,
            on_record=lambda r: self._records().save(r),
            on_category=self._made,
            on_upload_state=self.uploads.save,
            on_replace_state=self.replacements.save,
            cancel=interrupts.event,
        )

    def _made(self, category: Category) -> None:
        self.categories.save(category.full_name, category.id)
        if category.full_name.casefold() == self.plan.scope.full_name.casefold():
            self.scope_id = category.id

    def _landed(self, outcome: ItemOutcome) -> None:
        key, entry_id = outcome.item.reference_id, outcome.entry_id
        if ADD in outcome.done and key:
            self.uploads.discard(key)
        if REPLACE in outcome.done and entry_id:
            self.replacements.discard(entry_id)
        self.outcomes.append(outcome)
        self.last.save(outcome, self.scope_id)
        if self.writer is not None:
            self.writer.write(outcome_record(outcome))
        if self.progress is not None:
            self.progress.item_ended(outcome.status not in ("failed", "cancelled"))


def outcome_record(outcome: ItemOutcome) -> dict[str, Any]:
    """Return one applied item's documented record."""
    item = outcome.item
    failure = describe(outcome.error) if outcome.error is not None else None
    return {
        "reference_id": item.reference_id,
        "entry_id": outcome.entry_id,
        "action": "+".join(a for a in item.actions if a != "extra"),
        "status": outcome.status,
        "path": item.relative,
        "name": item.name,
        "error": getattr(outcome.error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else outcome.note,
    }


def apply_with_journal(
    journal: Journal,
    options: UploadOptions,
    files: int,
    fmt: Format,
    *,
    check: bool,
    report: Path | None = None,
    max_duration: float | None = None,
) -> int:
    """Apply the journal's plan; print each outcome as it lands (and write it to ``report``);
    return the exit code."""
    state = journal.state
    writer = state.writer(OUTCOME_KEYS, fmt, table_keys=OUTCOME_TABLE, actions=True)
    journal.writer = with_report(writer, OUTCOME_KEYS, report)  # refused before anything is sent
    if not check:  # a saved plan's changed file is drift, refused before anything is sent
        _restart_changed(journal, options)
    total = sum(i.changes for i in journal.plan.items)
    quiet = state.quiet or state.json
    shown = ItemProgress(state.stderr, "sync", total, quiet=quiet)
    with Interrupts(state.say, max_duration) as interrupts, shown:
        journal.progress = shown
        flow = apply_sync(
            journal.plan,
            records=journal.records(),
            check=check,
            options=options,
            files_in_flight=files,
            resume=journal.resume(),
            hooks=journal.hooks(interrupts),
            recycle=journal.recycle,
        )
        final = state.client().run(flow)
    for outcome in final:  # those that never ended (cancelled) were not printed yet
        if outcome not in journal.outcomes and outcome.status == "cancelled":
            journal.writer.write(outcome_record(outcome))
    journal.writer.close()
    return _summary(state, final, interrupts)


def _restart_changed(journal: Journal, options: UploadOptions) -> None:
    """Forget (and remove from the server) the saved uploads whose file changed since."""
    saved = journal.resume().uploads
    if not saved:
        return
    for stale in journal.state.client().run(changed_uploads(saved, options)):
        journal.uploads.discard(stale.reference_id)
        journal.state.notice(
            "restarted",
            f"{stale.request.path} changed since its upload stopped: the half-sent upload was "
            "removed, and the file is sent again from its new content",
            path=str(stale.request.path),
        )


def _summary(state: AppContext, outcomes: list[ItemOutcome], interrupts: Interrupts) -> int:
    stopped = interrupts.stopping
    failed = [o for o in outcomes if o.status == "failed"]
    cancelled = [o for o in outcomes if o.status == "cancelled"]
    done = len(outcomes) - len(failed) - len(cancelled)
    state.say(f"applied: {done} done, {len(failed)} failed, {len(cancelled)} not finished")
    if interrupts.timed_out:
        state.notice(
            "time_limit",
            "sync stopped at --max-duration; what landed is recorded. Run the same command "
            "again to go on: " + command_line(state.command()),
        )
        return ExitCode.TIME_LIMIT
    if cancelled or stopped:
        state.notice(
            "interrupted",
            "sync stopped; what landed is recorded. Run the same command again to finish: "
            + command_line(state.command()),
        )
        return ExitCode.INTERRUPTED
    from kaltura_mm.commands.auth_hints import name_auth_fixes

    name_auth_fixes(state, (o.error for o in failed))
    kinds = [describe(o.error).code if o.error else ExitCode.FAILED for o in failed]
    return for_items(done, kinds)
