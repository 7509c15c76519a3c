"""``--workers N``, ``--job ID``, ``--lease SECONDS``: one job, many workers (``kaltura_mm.jobs``).

``--workers N`` makes a job of the command's items in the store (its id is printed), starts N
worker processes on this machine (the same command line with ``--job ID``), waits for them, and
prints the job's one report from the outcomes recorded in the store. ``--job ID`` joins a job
made elsewhere, with the same store (``--store postgresql://...`` for several machines): this
run claims items until every item of the job has its outcome, then prints the same report.
If a worker dies (killed, its machine lost), its items are claimed again when its lease ends
(``--lease``, set when the job is made); the run that made the job takes over what is left when
its workers end. Leases only divide the work: each command's own server-side identity (an
upload's referenceId lookup, an entry id) keeps an item from being done twice.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from kaltura_mm.commands.context import AppContext
    from kaltura_mm.jobs import StoredJob

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_LEASE = 60.0
WORKER_FLAG = "--job-worker"
SECRET_VAR = "KALTURA_ADMIN_SECRET"  # noqa: S105 - the name of the variable, not a secret


def job_options(command: F) -> F:
    """Add ``--workers``, ``--job``, ``--lease`` (and the hidden ``--job-worker``)."""
    options = [
        click.option(
            "--workers",
            type=click.IntRange(1, 64),
            default=None,
            metavar="N",
            help="Run the items as one job in N worker processes (its id is printed; other "
            "machines join it with --job ID and the same --store).",
        ),
        click.option(
            "--job",
            "job_id",
            metavar="ID",
            default=None,
            help="Join the job ID (made by --workers) instead of naming items: claim its items "
            "until every one is done, then print its report (its items and settings are the "
            "job's; --concurrency is this run's).",
        ),
        click.option(
            "--lease",
            type=click.FloatRange(1, 86_400),
            default=DEFAULT_LEASE,
            show_default=True,
            metavar="SECONDS",
            help="With --workers: how long a worker holds its items without a heartbeat "
            "(a killed worker's items are taken again after it).",
        ),
        click.option(WORKER_FLAG, "job_worker", is_flag=True, hidden=True),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def worker_argv(argv: Sequence[str], job_id: str) -> list[str]:
    """Return the command line of a worker: ``argv`` without ``--workers``, joining ``job_id``."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--workers":
            skip = True
            continue
        if arg.startswith("--workers="):
            continue
        out.append(arg)
    return [*out, "--job", job_id, WORKER_FLAG, "--quiet"]


def announce(state: AppContext, job: StoredJob, workers: int | None, store: str) -> None:
    """Say the job's id and how another machine joins it."""
    how = f"; join it from another machine: kaltura-mm {job.kind} --job {job.job_id}"
    shared = store.startswith(("postgresql://", "postgres://"))
    state.notice(
        "job",
        f"job {job.job_id}: {job.items} items"
        + (f", {workers} workers" if workers else "")
        + (how + " --store URL" if shared else ""),
        job=job.job_id,
        items=job.items,
        workers=workers,
    )


def worker_env(state: AppContext) -> dict[str, str]:
    """Return the environment of the worker processes: this run's, with the admin secret this
    run was given at its prompt (a worker has no terminal to ask on).

    Asked here, once, before any worker starts (a run that cannot ask, under ``--json`` or
    without a terminal, fails here with the usual "no credentials" error, nothing started). The
    secret goes in the child's environment, as KALTURA_ADMIN_SECRET does for any run: never
    on a command line (``ps``), never in a log.
    """
    env = dict(state.env)
    state.config()  # the credentials, asked for now if this run has none yet
    secret = state.settings().admin_secret
    if secret and not state.settings().ks and env.get(SECRET_VAR) != secret:
        env[SECRET_VAR] = secret
    return env


def run_workers(state: AppContext, job_id: str, workers: int) -> list[int]:
    """Start ``workers`` processes joining ``job_id`` and wait for them; return their exit codes.

    Ctrl-C reaches them too (one process group); a second one here stops them at once. What a
    worker says on stderr comes through this run (``relay``): under ``--json``, as JSON lines.
    """
    from kaltura_mm.commands.job_relay import Relay

    command = [sys.executable, "-m", "kaltura_mm", *worker_argv(state.argv, job_id)]
    env = worker_env(state)
    procs = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module, the user's own argv
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            errors="replace",
        )
        for _ in range(workers)
    ]
    relays = [Relay(state, proc) for proc in procs]
    try:
        codes = [p.wait() for p in procs]
    except KeyboardInterrupt:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
        codes = [p.wait() for p in procs]
    for relay in relays:
        relay.close()
    return codes
