"""One job, many workers: a job's items in the store, divided among processes and machines by
leases (``JobQueue``), and the loop one worker runs (``work``). docs/store.md says how to run a
job on several machines with one PostgreSQL store."""

from __future__ import annotations

from kaltura_mm.jobs.model import ClaimedItem, JobProgress, StoredJob, WorkerSeen, new_job_id
from kaltura_mm.jobs.queue import JobQueue
from kaltura_mm.jobs.worker import WorkerRun, work, worker_name

__all__ = [
    "ClaimedItem",
    "JobProgress",
    "JobQueue",
    "StoredJob",
    "WorkerRun",
    "WorkerSeen",
    "new_job_id",
    "work",
    "worker_name",
]
