"""What the jobs' tables hold, as the queue returns it: a job, a claimed item, a job's progress,
a worker seen; and how a job's id is made."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen
class StoredJob:
    """A job as the store has it: ``spec`` is what every worker needs to run it."""

    job_id: str
    kind: str
    target: str
    spec: Mapping[str, Any]
    lease: float
    items: int
    created_at: float


@attrs.frozen
class ClaimedItem:
    """An item a worker holds: its number in the job, its payload, how often it was claimed."""

    seq: int
    payload: Mapping[str, Any]
    claims: int


@attrs.frozen
class JobProgress:
    """How far a job is: items done, held by a worker (live lease), free to claim."""

    items: int
    done: int
    held: int
    free: int

    @property
    def finished(self) -> bool:
        """Return whether every item has its outcome."""
        return self.done >= self.items


@attrs.frozen
class WorkerSeen:
    """A worker that joined a job: where it runs, when it was last heard of, items it did."""

    worker: str
    host: str
    pid: int
    started_at: float
    seen_at: float
    done: int
    alive: bool


def new_job_id() -> str:
    """Return a new job id: 10 hex digits, short enough to type on another machine."""
    return secrets.token_hex(5)
