"""``upload --workers N`` and ``upload --job ID``: an upload run as one job of many workers.

The run that makes the job resolves the categories once and stores each file's request as an
item (its path as given: other machines need the files at the same paths, e.g. a shared file
system) and what every worker needs (chunk size, ``--wait-ready``, ``--documents``) as the job's
spec. A worker runs the items it claims as a normal upload run does (``UploadBatch``, journal,
saved partial states, the server-side check of what the journal claims), a few files at a time,
and records each file's result line as the item's outcome. A file is never uploaded twice by
two workers: the upload engine finds an entry made for the file by its referenceId, so an item
taken again after its worker died resumes or finds that worker's entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.job_options import announce, run_workers
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.store_option import location, open_state
from kaltura_mm.commands.upload_batch import UploadBatch
from kaltura_mm.commands.upload_report import FAILURE_EXIT, UPLOAD_KEYS, write_report
from kaltura_mm.jobs import Claimed, Job, JobQueue, work
from kaltura_mm.store import Store, state_dir
from kaltura_mm.store.files import FileJournal
from kaltura_mm.store.uploads import UploadStore
from kaltura_mm.upload.request import UploadOptions, UploadRequest

KIND = "upload"
_GOOD = frozenset({"uploaded", "resumed", "existing", "skipped", "relinked"})
_GIVEN_BACK = frozenset({"cancelled", "not_started"})  # another worker (or a re-run) takes them


def payload(request: UploadRequest) -> dict[str, Any]:
    """Return the item of one file's upload request (JSON)."""
    return {
        "path": str(request.path),
        "category_ids": list(request.category_ids),
        "name": request.name,
        "description": request.description,
        "tags": list(request.tags),
        "reference_id": request.reference_id,
    }


def request_of(item: Mapping[str, Any]) -> UploadRequest:
    """Return the upload request an item holds."""
    return UploadRequest(
        path=Path(item["path"]),
        category_ids=tuple(item["category_ids"]),
        name=item["name"],
        description=item["description"],
        tags=tuple(item["tags"]),
        reference_id=item["reference_id"],
    )


def spec_of(options: UploadOptions, categories_checked: bool) -> dict[str, Any]:
    """Return what every worker of the job needs besides the items."""
    return {
        "chunk_size": options.chunk_size,
        "wait_ready": options.wait_ready,
        "support_documents": options.support_documents,
        "categories_checked": categories_checked,
    }


def _options(job: Job, chunks: int, retries: int | None) -> UploadOptions:
    spec = job.spec
    more: dict[str, Any] = {} if retries is None else {"max_attempts": retries + 1}
    return UploadOptions(
        chunk_size=int(spec["chunk_size"]),
        concurrency=chunks,
        wait_ready=bool(spec["wait_ready"]),
        support_documents=bool(spec["support_documents"]),
        keep_on_cancel=True,
        **more,
    )


def _line_key(path: str, category_ids: str | None) -> tuple[str, str]:
    return path, category_ids or ""


class _Handler:
    """Runs the items a worker claims as one upload batch each; returns their outcomes."""

    def __init__(
        self, state: AppContext, db: Store, job: Job, files: int, chunks: int, stop: Interrupts
    ) -> None:
        target = state.target()
        self.state, self.job, self.files, self.interrupts = state, job, files, stop
        self.journal, self.store = FileJournal(db, target), UploadStore(db, target)
        self.options = _options(job, chunks, state.retries)

    def __call__(self, items: Sequence[Claimed]) -> dict[int, Mapping[str, Any] | None]:
        from kaltura_mm.commands.upload import upload_requests

        requests = [request_of(c.payload) for c in items]
        batch = UploadBatch(self.state, self.journal, self.store, self.options, self.interrupts)
        batch.categories_checked = bool(self.job.spec["categories_checked"])
        upload_requests(batch, requests, self.files)
        if batch.state_error is not None:
            raise batch.state_error  # the leases end; other workers take the items
        refused = {f.kind for f in map(describe, batch.errors) if f.code is ExitCode.AUTH}
        by_line = {_line_key(r["path"], r["category_ids"]): r for r in batch.results}
        outcomes: dict[int, Mapping[str, Any] | None] = {}
        for claimed, request in zip(items, requests, strict=True):
            key = _line_key(str(request.path), ",".join(map(str, request.category_ids)) or None)
            line = by_line.get(key)
            if line is None or line["status"] in _GIVEN_BACK:
                outcomes[claimed.seq] = None
                continue
            code = ExitCode.OK
            if line["status"] == "failed":
                kind = line["error"]
                code = ExitCode.AUTH if kind in refused else FAILURE_EXIT.get(kind, ExitCode.FAILED)
            outcomes[claimed.seq] = {**line, "_exit": int(code)}
        return outcomes


@attrs.frozen
class JobRun:
    """``--workers``, ``--job``, ``--lease`` and the hidden ``--job-worker`` of one run."""

    workers: int | None
    job_id: str | None
    lease: float
    worker_only: bool


def upload_job(
    state: AppContext,
    state_dir_: Path | None,
    concurrency: int,
    jobs: JobRun,
    report: Path | None,
    max_duration: float | None,
    made: tuple[Sequence[UploadRequest], UploadOptions, bool] | None = None,
) -> int:
    """Run the upload as a job: make it (``made``) or join ``jobs.job_id``."""
    from kaltura_mm.commands.upload import FILES_IN_FLIGHT, split_concurrency

    state.config_overrides["max_concurrency"] = concurrency
    files, chunks = split_concurrency(concurrency, FILES_IN_FLIGHT)
    return run_upload_job(
        state,
        state_dir(state_dir_, state.env),
        jobs.job_id,
        made,
        workers=jobs.workers,
        worker_only=jobs.worker_only,
        lease=jobs.lease,
        files=files,
        chunks=chunks,
        report=report,
        max_duration=max_duration,
    )


def run_upload_job(
    state: AppContext,
    root: Path,
    job_id: str | None,
    made: tuple[Sequence[UploadRequest], UploadOptions, bool] | None,
    *,
    workers: int | None,
    worker_only: bool,
    lease: float,
    files: int,
    chunks: int,
    report: Path | None,
    max_duration: float | None,
) -> int:
    """Make the job (``made``: requests, options, categories checked) or join ``job_id``; run
    ``workers`` processes (or work here); return the exit code of the job's one report."""
    db = open_state(root, state.env)
    queue = JobQueue(db)
    if made is not None:
        requests, options, checked = made
        job = queue.create(
            KIND, state.target().key, spec_of(options, checked), map(payload, requests), lease
        )
        announce(state, job, workers, str(location(root, state.env)))
    else:
        job = _joined(queue, job_id or "", state)
    with Interrupts(state.say, max_duration) as interrupts:
        if workers and not worker_only:
            codes = run_workers(state, job.job_id, workers)
            if any(code not in (ExitCode.OK, ExitCode.INTERRUPTED) for code in codes):
                state.say(f"{sum(c != 0 for c in codes)} of {workers} workers ended early")
        if not interrupts.stopping:  # what a dead worker (or nobody yet) left: done here
            handler = _Handler(state, db, job, files, chunks, interrupts)
            work(queue, job, handler, stop=interrupts.event)
    if worker_only:
        return ExitCode.INTERRUPTED if interrupts.stopping else ExitCode.OK
    return _report(state, queue, job, report, interrupts)


def _joined(queue: JobQueue, job_id: str, state: AppContext) -> Job:
    job = queue.job(job_id)
    if job.kind != KIND:
        raise CliError(f"job {job_id} is a {job.kind} job", f"join it with `kaltura-mm {job.kind}`")
    if job.target != state.target().key:
        raise CliError(
            f"job {job_id} uploads to another server or partner than this run's settings",
            "run with the settings (profile, --service-url, --partner-id) the job was made with",
        )
    return job


def _report(
    state: AppContext, queue: JobQueue, job: Job, report: Path | None, interrupts: Interrupts
) -> int:
    lines: list[dict[str, Any]] = []
    codes: list[ExitCode] = []
    for seq, outcome in queue.outcomes(job.job_id):
        if outcome is None:
            line = {k: None for k in UPLOAD_KEYS}
            lines.append({**line, "path": f"item {seq}", "status": "not_started", "bytes": 0})
            continue
        line = dict(outcome)
        codes.append(ExitCode(int(line.pop("_exit", 0) or 0)))
        lines.append(line)
    writer = state.writer(
        UPLOAD_KEYS, table_keys=("path", "status", "entry_id", "bytes"), actions=True
    )
    for line in lines:
        writer.write(line)
    writer.close()
    if report is not None:
        write_report(report, lines)
    done = sum(1 for line in lines if line["status"] in _GOOD)
    left = sum(1 for line in lines if line["status"] == "not_started")
    failed = [c for c in codes if c is not ExitCode.OK]
    state.say(f"job {job.job_id}: {done} done, {len(failed)} failed, {left} not finished")
    if left:
        state.say(
            "the job is not finished: run this to go on with it:\n  "
            + command_line(["kaltura-mm", KIND, "--job", job.job_id])
            + "\n(with the same --store, and the settings it was made with)"
        )
        return ExitCode.TIME_LIMIT if interrupts.timed_out else ExitCode.INTERRUPTED
    return for_items(done, failed)
