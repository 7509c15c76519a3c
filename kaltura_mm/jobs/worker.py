"""One worker of a job: claim items, hand them to the command, record outcomes, keep leases alive.

``work`` runs until every item of the job has its outcome (or the worker is told to stop):

1. claim up to ``batch`` free items (``JobQueue.claim``);
2. hand them to ``handle``, which returns an outcome for each item it finished and ``None`` for
   each it did not (stopped by Ctrl-C, ``--max-duration``): those are given back at once;
3. record the outcomes (``JobQueue.finish``: once per item, whoever finishes it first).

While ``handle`` runs, a thread renews the worker's leases every third of the lease, so a live
worker keeps its items however long an upload takes, and a killed one (SIGKILL, a lost machine)
loses them when its lease ends. When no item is free but some are held by other workers, the
worker waits (``poll`` seconds at a time) and claims again: if one of them dies, its items are
claimed here when its lease ends.

Both waits can be handed in (``sleep``, ``heartbeat``): the simulation runs workers on its
virtual clock, one at a time (``simulation/client/jobs.py``); a real run keeps the defaults.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.jobs.model import ClaimedItem, StoredJob
from kaltura_mm.jobs.queue import JobQueue
from kaltura_mm.store.errors import StoreError

ItemHandler = Callable[[Sequence[ClaimedItem]], Mapping[int, Mapping[str, Any] | None]]
ClaimWait = Callable[[float], object]
"""Wait this many seconds (between claims, while others hold every open item)."""
Heartbeat = Callable[[JobQueue, StoredJob, str], contextlib.AbstractContextManager[object]]
"""Keep ``worker``'s leases alive while the block runs (default: a thread renewing them)."""


def worker_name() -> str:
    """Return a name for this worker, unique among machines: host, process, 6 hex digits."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


@attrs.define
class WorkerRun:
    """What one worker did: items it recorded, items it gave back, items another finished."""

    recorded: int = 0
    released: int = 0
    lost: int = 0  # finished here after another worker had recorded them (lease ended)
    stopped: bool = False


class _Heartbeat:
    """A thread renewing a worker's leases every third of the lease until stopped."""

    def __init__(self, queue: JobQueue, job: StoredJob, worker: str) -> None:
        self._queue, self._job, self._worker = queue, job, worker
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kaltura-mm-lease", daemon=True)
        self.error: StoreError | None = None

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._job.lease / 3):
            try:
                self._queue.heartbeat(self._job.job_id, self._worker, self._job.lease)
            except StoreError as exc:  # the store is gone: the leases end, others take over
                self.error = exc


def work(
    queue: JobQueue,
    job: StoredJob,
    handle: ItemHandler,
    *,
    worker: str | None = None,
    batch: int = 8,
    stop: threading.Event | None = None,
    poll: float | None = None,
    sleep: ClaimWait | None = None,
    heartbeat: Heartbeat | None = None,
) -> WorkerRun:
    """Work on ``job`` until every item has its outcome or ``stop`` is set; return what was done.

    ``batch``: items claimed at once (a small number spreads a job evenly among workers);
    ``poll``: seconds between claims while others hold every open item (default: a quarter of
    the lease, at most 1 s); ``sleep`` and ``heartbeat``: how to wait and how to keep the
    leases alive meanwhile (default: ``stop.wait`` and a thread, on real time).
    """
    name = worker or worker_name()
    stop = stop or threading.Event()
    wait = poll if poll is not None else min(1.0, job.lease / 4)
    pause: ClaimWait = sleep or stop.wait
    keep_alive: Heartbeat = heartbeat or _Heartbeat
    queue.join(job.job_id, name, socket.gethostname(), os.getpid())
    run = WorkerRun()
    while not stop.is_set():
        claimed = queue.claim(job.job_id, name, batch, job.lease)
        if not claimed:
            if queue.progress(job.job_id).finished:
                break
            pause(wait)  # others hold the rest: take it over if their leases end
            continue
        try:
            with keep_alive(queue, job, name):
                outcomes = handle(claimed)
        except BaseException:
            # Ctrl-C or a failure mid-batch: what it did is not known here, so the items go
            # back (a command's server-side identity makes a second try of a done one a no-op).
            queue.release(job.job_id, name, [c.seq for c in claimed])
            raise
        finished = {c.seq: o for c in claimed if (o := outcomes.get(c.seq)) is not None}
        recorded = queue.finish(job.job_id, name, finished)
        run.recorded += len(recorded)
        run.lost += len(finished) - len(recorded)
        left = [c.seq for c in claimed if c.seq not in finished]
        if left:
            queue.release(job.job_id, name, left)
            run.released += len(left)
            run.stopped = True
            break  # the command stopped (Ctrl-C, --max-duration): leave the rest to others
    run.stopped = run.stopped or stop.is_set()
    return run
