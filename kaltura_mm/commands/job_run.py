"""What every command run as a job does alike (``--workers``, ``--job``; ``job_options``).

``open_job`` makes the job (its id announced) or joins one (of the same kind and server);
``drive`` starts the worker processes and waits for them, then works here on what is left (a
dead worker's items, once its lease ends); ``report`` prints the job's one report from the
outcomes in the store, in the items' order, and returns its exit code. An outcome is the
command's own result line plus ``_exit``, the exit code that item alone would give.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.job_joining import refuse_other_settings
from kaltura_mm.commands.job_options import announce, run_workers
from kaltura_mm.commands.shell import command_line
from kaltura_mm.jobs import JobQueue, StoredJob, work
from kaltura_mm.jobs.worker import ItemHandler

EXIT = "_exit"  # the outcome's key for its own exit code (not shown)
# What a job holds, never read from a joiner's command line (those a command has)
HELD = (
    "paths",
    "source",
    "plan_file",
    "entry_ids",
    "from_file",
    "where",
    "category",
    "target",
    "shard",
)


@attrs.frozen
class JobRun:
    """``--workers``, ``--job``, ``--lease`` and the hidden ``--job-worker`` of one run."""

    workers: int | None
    job_id: str | None
    lease: float
    worker_only: bool

    @property
    def joining(self) -> bool:
        """Return whether the run joins a job (``--job``) rather than making one."""
        return self.job_id is not None


def open_job(
    state: AppContext,
    queue: JobQueue,
    run: JobRun,
    kind: str,
    made: tuple[Mapping[str, Any], Iterable[Mapping[str, Any]]] | None,
    fixed: Mapping[str, str] | None = None,
    held: Sequence[str] = HELD,
) -> StoredJob:
    """Make the job of ``made`` (spec, items) and say its id, or join ``run.job_id``.

    A joiner's flags must agree with the job (``job_joining``): ``fixed`` maps a parameter to
    its key in the job's spec, ``held`` names the parameters of what the job holds.
    """
    if made is not None:
        spec, items = made
        if run.workers:  # the workers cannot ask for the secret: ask now, before the job is made
            state.config()
        job = queue.create(kind, state.target().key, spec, items, run.lease)
        announce(state, job, run.workers, queue.store.where)
        return job
    job = queue.job(run.job_id or "")
    if job.kind != kind:
        raise CliError(
            f"job {job.job_id} is a {job.kind} job", f"join it with `kaltura-mm {job.kind}`"
        )
    if job.target != state.target().key:
        raise CliError(
            f"job {job.job_id} is for another server or partner than this run's settings",
            "run with the settings (profile, --service-url, --partner-id) the job was made with",
        )
    if not run.worker_only:  # --workers' own processes run the maker's command line
        refuse_other_settings(job, fixed or {}, held)
    return job


def drive(
    state: AppContext,
    queue: JobQueue,
    job: StoredJob,
    run: JobRun,
    handler: Callable[[Interrupts], ItemHandler],
    max_duration: float | None = None,
    batch: int = 8,
) -> Interrupts:
    """Run the job's workers (``--workers``), then work here on what is left; return how the
    run was stopped (Ctrl-C, ``--max-duration``), if it was."""
    with Interrupts(state.say, max_duration) as interrupts:
        if run.workers and not run.worker_only:
            codes = run_workers(state, job.job_id, run.workers)
            ended = sum(1 for c in codes if c not in (ExitCode.OK, ExitCode.INTERRUPTED))
            if ended:
                state.say(f"{ended} of {run.workers} workers ended early; going on here")
        if not interrupts.stopping:  # what a dead worker (or nobody yet) left: done here
            work(queue, job, handler(interrupts), stop=interrupts.event, batch=batch)
    return interrupts


Confirm = Callable[[Sequence[Mapping[str, Any]]], Mapping[int, tuple[str, str]]]
"""Read the server for the report's lines; return, by line number, the lines it contradicts:
(error kind, message) (``job_confirm``)."""


def report(
    state: AppContext,
    queue: JobQueue,
    job: StoredJob,
    interrupts: Interrupts,
    write: Callable[[Sequence[dict[str, Any]]], None],
    blank: Callable[[Mapping[str, Any]], dict[str, Any]],
    confirm: Confirm | None = None,
) -> int:
    """Hand the job's result lines (``blank(item)`` for an item not done) to ``write``, say the
    totals and return the exit code: as one run of all the items would have.

    The outcomes are what the workers recorded; ``confirm`` reads the server once more for
    what they say (each of the job's runs may have ended long ago): a line the server
    contradicts is reported failed, with why.
    """
    lines: list[dict[str, Any]] = []
    codes: dict[int, ExitCode] = {}
    for item, outcome in queue.outcomes(job.job_id):
        if outcome is None:
            lines.append(blank(item.payload))
            continue
        line = dict(outcome)
        codes[len(lines)] = ExitCode(int(line.pop(EXIT, 0) or 0))
        lines.append(line)
    stopped = interrupts.stopping and not interrupts.timed_out  # Ctrl-C: out now, as recorded
    if confirm is not None and not stopped:
        for at, (kind, message) in confirm(lines).items():
            lines[at] = {**lines[at], "status": "failed", "error": kind, "message": message}
            codes[at] = ExitCode.FAILED
    write(lines)
    failed = [c for c in codes.values() if c is not ExitCode.OK]
    done, left = len(codes) - len(failed), job.items - len(codes)
    state.say(f"job {job.job_id}: {done} done, {len(failed)} failed, {left} not finished")
    if left:
        state.say(
            "the job is not finished: run this to go on with it (with the same --store and "
            "settings):\n  " + command_line(["kaltura-mm", job.kind, "--job", job.job_id])
        )
        return ExitCode.TIME_LIMIT if interrupts.timed_out else ExitCode.INTERRUPTED
    return for_items(done, failed)


def worker_exit(interrupts: Interrupts) -> int:
    """Return a worker process's exit code: its outcomes are in the store, not on stdout."""
    return ExitCode.INTERRUPTED if interrupts.stopping else ExitCode.OK
