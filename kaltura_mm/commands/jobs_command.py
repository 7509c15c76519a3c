"""``kaltura-mm jobs``: the jobs of the store (``--workers``), with their progress and workers.

Read from the store alone (no server needed): each job's items done, held by a worker whose
lease is live, and free (never taken, or taken by a worker whose lease ended), and its workers,
alive when heard of within the job's lease. ``--json`` writes one line per job with its workers.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import click

from kaltura_mm.commands.browse import FORMAT
from kaltura_mm.commands.context import app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.store_option import open_state, store_option
from kaltura_mm.jobs import JobQueue, StoredJob
from kaltura_mm.store import state_dir

JOB_KEYS = (
    "job",
    "kind",
    "items",
    "done",
    "held",
    "free",
    "workers",
    "workers_alive",
    "created",
    "worker_list",
)
_SHOWN = ("job", "kind", "items", "done", "held", "free", "workers_alive", "workers", "created")


def _when(seconds: float) -> str:
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _record(queue: JobQueue, job: StoredJob) -> dict[str, Any]:
    progress = queue.progress(job.job_id)
    seen = queue.workers(job.job_id, job.lease)
    return {
        "job": job.job_id,
        "kind": job.kind,
        "items": job.items,
        "done": progress.done,
        "held": progress.held,
        "free": progress.free,
        "workers": len(seen),
        "workers_alive": sum(1 for w in seen if w.alive and not progress.finished),
        "created": _when(job.created_at),
        "worker_list": [
            {
                "worker": w.worker,
                "host": w.host,
                "pid": w.pid,
                "done": w.done,
                "alive": w.alive and not progress.finished,
                "seen": _when(w.seen_at),
            }
            for w in seen
        ],
    }


@click.command("jobs")
@click.option(
    "--state-dir",
    "state_dir_",
    type=click.Path(file_okay=False, path_type=Path),
    help="The state directory (default: as upload's).",
)
@store_option
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@common_options
@click.pass_context
def jobs_command(ctx: click.Context, state_dir_: Path | None, fmt: str) -> int:
    """List the jobs of the store (--workers) with their progress and workers."""
    state = app(ctx)
    db = open_state(state_dir(state_dir_, state.env), state.env)
    queue = JobQueue(db)
    jobs = queue.jobs()
    writer = state.writer(JOB_KEYS, Format(fmt), table_keys=_SHOWN)
    for job in jobs:
        writer.write(_record(queue, job))
    writer.close()
    db.close()
    if not jobs:
        state.say("no jobs in this store (`upload --workers N` makes one)")
    return ExitCode.OK
