"""``sync ... --workers N`` and ``apply PLAN --workers N`` (``--job ID`` to join): a plan as a job.

The run that makes the job has planned (and asked, unless ``--yes``) as without workers; each
plan item is a job item, and the plan's head (its category, prune mode, source) and whether the
server must not have changed (``apply``) are the spec. A worker applies the items it claims as
one small plan (``apply_sync``, with the sync's records and saved uploads), so each item is done
as a run of the whole plan would: an upload by its referenceId, a prune by its entry id. The
categories must exist first (a worker never makes one): as with ``--shard``, a plan that would
make any is refused, naming the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.job_run import EXIT, HELD, JobRun, drive, open_job, worker_exit
from kaltura_mm.commands.job_run import report as job_report
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.report_file import with_report
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.store_option import open_state
from kaltura_mm.commands.sync_run import OUTCOME_KEYS, OUTCOME_TABLE, Journal, outcome_record
from kaltura_mm.jobs import ClaimedItem, JobQueue, StoredJob
from kaltura_mm.store import Store
from kaltura_mm.store.lock import RunLock
from kaltura_mm.sync import ItemOutcome, Plan, apply_sync
from kaltura_mm.sync.model import ADD, PlanItem
from kaltura_mm.sync.planfile import dumps, item_data, loads, read_item
from kaltura_mm.upload.request import UploadOptions

_CLAIM = 8
FIXED = {"chunk_size": "chunk_size", "documents": "documents"}  # --concurrency: each worker's
_HELD = ("prune", "on_conflict", "include", "exclude", "create_categories", "no_recycle")


def _key(item: PlanItem) -> tuple[str | None, str | None, str | None]:
    return item.reference_id, item.entry_id, item.relative


def _spec(plan: Plan, check: bool, recycle: bool, options: dict[str, Any]) -> dict[str, Any]:
    if plan.create or plan.scope.id is None:
        raise CliError(
            "--workers needs the sync's categories to exist (a worker never makes one)",
            "make them first: run this sync once without --workers, or `kaltura-mm categories "
            "create`",
        )
    head = dumps(attrs.evolve(plan, items=()))
    sending = {key: options[key] for key in FIXED}  # how files go: the job's, for every worker
    return {"head": head, "check": check, "recycle": recycle, **sending}


@attrs.frozen
class _Handler:
    state: AppContext
    db: Store
    job: StoredJob
    options: tuple[UploadOptions, int]
    interrupts: Interrupts

    def __call__(self, items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
        head, _ = loads(str(self.job.spec["head"]))
        part = attrs.evolve(head, items=tuple(read_item(c.payload) for c in items))
        journal = Journal(self.db, self.state, part, recycle=bool(self.job.spec["recycle"]))
        upload, files = self.options
        flow = apply_sync(
            part,
            records=journal.records(),
            check=bool(self.job.spec["check"]),
            options=upload,
            files_in_flight=files,
            resume=journal.resume(),
            hooks=journal.hooks(self.interrupts),
            recycle=journal.recycle,
        )
        final: list[ItemOutcome] = self.state.client().run(flow)
        by_key = {_key(o.item): o for o in final}
        outcomes: dict[int, Mapping[str, Any] | None] = {}
        for claimed, item in zip(items, part.items, strict=True):
            outcome = by_key.get(_key(item))
            if outcome is None or outcome.status == "cancelled":
                outcomes[claimed.seq] = None  # given back: another worker (or a re-run) goes on
                continue
            failed = outcome.status == "failed"
            code = (
                (describe(outcome.error).code if outcome.error else ExitCode.FAILED)
                if failed
                else ExitCode.OK
            )
            outcomes[claimed.seq] = {**outcome_record(outcome), EXIT: int(code)}
        return outcomes


def run_sync_job(
    state: AppContext,
    run: JobRun,
    kind: str,
    plan: Plan | None,
    options: dict[str, Any],
    root: Path,
    *,
    check: bool,
) -> int:
    """Make the job of ``plan`` (``kind``: ``sync`` or ``apply``) or join ``run.job_id``; run
    its workers (or work here); return the exit code of its one report."""
    from kaltura_mm.commands.sync import _options as upload_options

    made = None
    if plan is not None:
        made = (_spec(plan, check, not options["no_recycle"], options), map(item_data, plan.items))
    db = open_state(root, state.env)
    queue = JobQueue(db)
    if made is None:  # a joiner sends files as the job says (jobs made before: as it says)
        spec = queue.job(run.job_id or "").spec
        options = {**options, **{key: spec[key] for key in FIXED if key in spec}}
    adds = sum(ADD in i.actions for i in plan.items) if plan is not None else _CLAIM
    sending = upload_options(state, options, adds)
    # The job's runs share the run lock (leases divide the items); a plain run waits for them.
    with RunLock(root, state.command(), options["lock_wait"], command_line, shared=True) as lock:
        if lock.note:
            state.notice("note", lock.note)
        return _run(state, queue, run, kind, made, sending, options)


def _run(
    state: AppContext,
    queue: JobQueue,
    run: JobRun,
    kind: str,
    made: tuple[dict[str, Any], Any] | None,
    sending: tuple[UploadOptions, int],
    options: dict[str, Any],
) -> int:
    job = open_job(state, queue, run, kind, made, FIXED, (*HELD, *_HELD))

    def handler(interrupts: Interrupts) -> _Handler:
        return _Handler(state, queue.store, job, sending, interrupts)

    interrupts = drive(state, queue, job, run, handler, options["max_duration"], batch=_CLAIM)
    if run.worker_only:
        return worker_exit(interrupts)

    def write(lines: Sequence[dict[str, Any]]) -> None:
        shown = state.writer(OUTCOME_KEYS, Format(options["fmt"]), OUTCOME_TABLE, actions=True)
        writer = with_report(shown, OUTCOME_KEYS, options["report"])
        for line in lines:
            writer.write(line)
        writer.close()

    def blank(item: Mapping[str, Any]) -> dict[str, Any]:
        line = {**dict.fromkeys(OUTCOME_KEYS), "reference_id": item["reference_id"]}
        return {**line, "path": item["relative"], "status": "not_started"}

    return job_report(state, queue, job, interrupts, write, blank)
