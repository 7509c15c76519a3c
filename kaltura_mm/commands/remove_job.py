"""``detach``/``delete``/``move``/``add`` with ``--workers N`` or ``--job ID``: a job of entry ids.

The run that makes the job resolves the categories once (the job's spec: the action, its
categories, ``--missing-ok``) and stores each entry id as an item; it asks no question, so it
needs ``--yes`` (after a ``--dry-run``, which runs as today). A worker runs each batch of ids it
claims as a normal run does: the entries are read by id with their links, only those that would
change are sent, and a delete is written to the worker's deletion log. An entry id is its own
identity on the server: an item taken again after its worker died finds the entry already
detached or deleted (``already_done``: a delete that worker sent is in the shared store's
deletion log, or it was listed by ``--where``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.job_confirm import entries_gone
from kaltura_mm.commands.job_run import EXIT, JobRun, drive, open_job, worker_exit
from kaltura_mm.commands.job_run import report as job_report
from kaltura_mm.commands.remove_plan import RemovalPlan, verdicts
from kaltura_mm.commands.remove_run import apply
from kaltura_mm.commands.store_option import open_state
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.flows.entries import get_entries_in
from kaltura_mm.jobs import ClaimedItem, JobQueue, StoredJob
from kaltura_mm.models import BaseEntry
from kaltura_mm.store import state_dir
from kaltura_mm.store.deletions import DeletionLog

OutcomeRecorder = Callable[[EntryOutcome, RemovalPlan, dict[str, BaseEntry]], dict[str, Any]]
_CLAIM = 100  # ids a worker claims at once: one read, then the batch engine's multirequests


def needs_yes(run: JobRun, yes: bool, dry_run: bool) -> None:
    """Refuse a job that would have to ask (``--workers`` asks nothing) or only show."""
    if run.joining:
        return
    if dry_run:
        raise CliError("--dry-run shows, --workers does", "run --dry-run without --workers first")
    if not yes:
        raise CliError(
            "--workers does not ask before it changes entries",
            "add --yes (after a --dry-run without --workers)",
        )


def _spec(plan: RemovalPlan) -> dict[str, Any]:
    return {
        "category_id": plan.category_id,
        "destination_id": plan.destination_id,
        "missing_ok": plan.missing_ok,
        "listed": plan.listed,
    }


def _plan(job: StoredJob) -> RemovalPlan:
    spec = job.spec
    return RemovalPlan(
        action=job.kind,
        category_id=spec["category_id"],
        destination_id=spec["destination_id"],
        missing_ok=bool(spec["missing_ok"]),
        listed=bool(spec["listed"]),
    )


@attrs.frozen
class _Handler:
    state: AppContext
    plan: RemovalPlan
    log: DeletionLog | None
    record: OutcomeRecorder

    def __call__(self, items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
        ids = [str(c.payload["entry_id"]) for c in items]
        known, links = self.state.client().run(get_entries_in(ids, self.plan.categories))
        plan = self.plan
        if self.log is not None:
            plan = attrs.evolve(plan, deleted_before=frozenset(self.log.known(ids)))
        ended: dict[str, EntryOutcome] = {}
        planned = verdicts(plan, ids, known, links)
        for outcome in planned:
            if outcome.status != "would_change":
                ended[outcome.entry_id] = outcome
        changing = [o.entry_id for o in planned if o.status == "would_change"]
        if changing:
            apply(self.state, plan, changing, lambda o: ended.__setitem__(o.entry_id, o), self.log)
        outcomes: dict[int, Mapping[str, Any] | None] = {}
        for claimed, entry_id in zip(items, ids, strict=True):
            done = ended.get(entry_id)
            if done is None:
                outcomes[claimed.seq] = None
                continue
            code = ExitCode.OK if done.ok else _code(done)
            outcomes[claimed.seq] = {**self.record(done, plan, known), EXIT: int(code)}
        return outcomes


def _code(outcome: EntryOutcome) -> ExitCode:
    return describe(outcome.error).code if outcome.error else ExitCode.FAILED


def run_remove_job(
    state: AppContext,
    run: JobRun,
    action: str,
    made: tuple[RemovalPlan, Sequence[str]] | None,
    record: OutcomeRecorder,
    write: Callable[[Sequence[dict[str, Any]]], None],
) -> int:
    """Make the job of ``made`` (plan, ids) or join ``run.job_id``; run its workers (or work
    here); hand the job's one report to ``write``; return its exit code."""
    db = open_state(state_dir(None, state.env), state.env)
    queue = JobQueue(db)
    new = None
    if made is not None:
        plan, ids = made
        new = (_spec(plan), ({"entry_id": i} for i in ids))
    job = open_job(state, queue, run, action, new, {"missing_ok": "missing_ok"})
    plan = _plan(job)
    log = DeletionLog(db, state.target()) if action == "delete" else None

    def handler(_interrupts: Interrupts) -> _Handler:
        return _Handler(state, plan, log, record)

    interrupts = drive(state, queue, job, run, handler, batch=_CLAIM)
    if run.worker_only:
        return worker_exit(interrupts)

    def blank(item: Mapping[str, Any]) -> dict[str, Any]:
        return {"entry_id": item["entry_id"], "action": action, "status": "not_started"}

    confirm = entries_gone(state, ("done", "already_done")) if action == "delete" else None
    return job_report(state, queue, job, interrupts, write, blank, confirm)
