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
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.job_confirm import entries_exist
from kaltura_mm.commands.job_run import EXIT, HELD, JobRun, drive, open_job, worker_exit
from kaltura_mm.commands.job_run import report as job_report
from kaltura_mm.commands.shard import pick_uploads
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.store_option import open_state
from kaltura_mm.commands.upload_batch import UploadBatch
from kaltura_mm.commands.upload_report import FAILURE_EXIT, UPLOAD_KEYS, write_report
from kaltura_mm.jobs import ClaimedItem, JobQueue, StoredJob
from kaltura_mm.shard import Shard
from kaltura_mm.store import Store, state_dir
from kaltura_mm.store.files import FileJournal
from kaltura_mm.store.lock import RunLock
from kaltura_mm.store.uploads import UploadStore
from kaltura_mm.upload.request import UploadOptions, UploadRequest

KIND = "upload"
_GOOD = frozenset({"uploaded", "resumed", "existing", "skipped", "relinked"})
_GIVEN_BACK = frozenset({"cancelled", "not_started"})  # another worker (or a re-run) takes them
# --chunk-size, --documents, --wait-ready: the job's (a joiner that says otherwise is refused);
# --concurrency is each worker's own
FIXED = {"chunk_size": "chunk_size", "documents": "support_documents", "wait_ready": "wait_ready"}
_HELD = ("name", "description", "tags", "reference_id", "include", "exclude", "retry_failed")


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


def _options(job: StoredJob, chunks: int, retries: int | None) -> UploadOptions:
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
        self,
        state: AppContext,
        db: Store,
        job: StoredJob,
        files: int,
        chunks: int,
        stop: Interrupts,
    ) -> None:
        target = state.target()
        self.state, self.job, self.files, self.interrupts = state, job, files, stop
        self.journal, self.store = FileJournal(db, target), UploadStore(db, target)
        self.options = _options(job, chunks, state.retries)

    def __call__(self, items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
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
            outcomes[claimed.seq] = {**line, EXIT: int(code)}
        return outcomes


@attrs.frozen
class NewJob:
    """What the run that makes an upload job knows: its files, options and selection flags."""

    requests: Sequence[UploadRequest]
    options: UploadOptions
    categories_checked: bool
    shard: Shard | None = None
    retry_failed: bool = False
    lock_wait: float = 0.0


def upload_job(
    state: AppContext,
    state_dir_: Path | None,
    concurrency: int,
    jobs: JobRun,
    report: Path | None,
    max_duration: float | None,
    made: NewJob | None = None,
    lock_wait: float = 0.0,
) -> int:
    """Run the upload as a job: make it (``made``) or join ``jobs.job_id``."""
    from kaltura_mm.commands.upload import FILES_IN_FLIGHT, split_concurrency

    state.config_overrides["max_concurrency"] = concurrency
    files, chunks = split_concurrency(concurrency, FILES_IN_FLIGHT)
    root = state_dir(state_dir_, state.env)
    # The job's runs share the run lock (leases divide the items); a plain run waits for them.
    wait = made.lock_wait if made is not None else lock_wait
    with RunLock(root, state.command(), wait, command_line, shared=True) as lock:
        if lock.note:
            state.notice("note", lock.note)
        return run_upload_job(state, root, jobs, made, files, chunks, report, max_duration)


def run_upload_job(
    state: AppContext,
    root: Path,
    run: JobRun,
    made: NewJob | None,
    files: int,
    chunks: int,
    report: Path | None,
    max_duration: float | None,
) -> int:
    """Make the job of ``made`` or join ``run.job_id``; run its workers (or work here); return
    the exit code of the job's one report."""
    db = open_state(root, state.env)
    queue = JobQueue(db)
    new = None
    if made is not None:
        from kaltura_mm.commands.upload import failed_last_time

        journal = FileJournal(db, state.target())
        requests = pick_uploads(state, made.shard, made.requests, journal)
        if made.retry_failed:
            requests = failed_last_time(state, journal, requests)
        new = (spec_of(made.options, made.categories_checked), map(payload, requests))
    job = open_job(state, queue, run, KIND, new, FIXED, (*HELD, *_HELD))

    def handler(interrupts: Interrupts) -> _Handler:
        return _Handler(state, db, job, files, chunks, interrupts)

    # A claim takes the files one batch has in flight: the job spreads evenly among workers.
    interrupts = drive(state, queue, job, run, handler, max_duration, batch=files)
    if run.worker_only:
        return worker_exit(interrupts)

    def write(lines: Sequence[dict[str, Any]]) -> None:
        columns = ("path", "status", "entry_id", "bytes")
        writer = state.writer(UPLOAD_KEYS, table_keys=columns, actions=True)
        for line in lines:
            writer.write(line)
        writer.close()
        if report is not None:
            write_report(report, list(lines))

    def blank(item: Mapping[str, Any]) -> dict[str, Any]:
        line = {**dict.fromkeys(UPLOAD_KEYS), "path": item["path"], "bytes": 0}
        return {**line, "status": "not_started"}

    return job_report(state, queue, job, interrupts, write, blank, entries_exist(state, _GOOD))
