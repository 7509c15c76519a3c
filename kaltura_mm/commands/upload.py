"""``kaltura-mm upload``: files, directories, globs or a CSV manifest into Kaltura, resumably.

Each file becomes one entry. A re-run of the same command skips files the journal says are done
(and unchanged), resumes partial uploads from their saved chunk state, and never makes a duplicate
entry (the upload engine finds an entry it made by its deterministic referenceId). Ctrl-C once
stops starting files, lets uploads in flight stop at a chunk boundary, keeps their state and
prints how to resume (exit 130); Ctrl-C twice stops at once (state on disk stays consistent).
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kaltura_mm.commands import category_refs
from kaltura_mm.commands.context import AppContext, app, common_options, lock_wait_option
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.interrupts import Interrupts, max_duration_option
from kaltura_mm.commands.job_options import job_options
from kaltura_mm.commands.job_run import JobRun
from kaltura_mm.commands.params import ByteSize
from kaltura_mm.commands.progress import UploadDisplay, human_bytes
from kaltura_mm.commands.shard import pick_uploads, shard_option
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.sources import UploadItem, collect
from kaltura_mm.commands.store_option import open_state, store_option
from kaltura_mm.commands.upload_batch import UploadBatch
from kaltura_mm.commands.upload_job import NewJob, upload_job
from kaltura_mm.commands.upload_report import (
    UPLOAD_KEYS,
    left_behind,
    say_skipped,
    summary,
    write_report,
)
from kaltura_mm.commands.upload_truth import check_claimed, verify
from kaltura_mm.config import Config
from kaltura_mm.shard import Shard
from kaltura_mm.store import state_dir
from kaltura_mm.store.files import FileJournal, categories_key
from kaltura_mm.store.lock import RunLock
from kaltura_mm.store.uploads import UploadStore
from kaltura_mm.upload.folder import Selection
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.plan import DEFAULT_CHUNK_SIZE
from kaltura_mm.upload.request import UploadOptions, UploadRequest

# The library's defaults, read from it so the two never drift apart: requests in flight per
# client, files in flight per batch, chunks in flight per file, bytes per chunk.
DEFAULT_CONCURRENCY = Config().max_concurrency
FILES_IN_FLIGHT: int = inspect.signature(upload_many).parameters["max_files_in_flight"].default
CHUNKS_PER_FILE = UploadOptions().concurrency


def _resolve_categories(
    state: AppContext, refs: set[str], root: Path | None, create: bool
) -> dict[str, int]:
    if create:
        return category_refs.create(state, sorted(refs), root)
    return {ref: category_refs.resolve(state, ref, root).id for ref in refs}


def _requests(
    state: AppContext,
    items: Sequence[UploadItem],
    meta: dict[str, Any],
    root: Path | None = None,
    create: bool = False,
) -> list[UploadRequest]:
    if len(items) > 1 and (meta["name"] or meta["reference_id"]):
        raise CliError(
            "--name and --reference-id apply to one file, and several were given",
            "drop them, or give per-file values in a CSV manifest",
        )
    refs = {i.category for i in items if i.category} | ({meta["category"]} - {None})
    ids = _resolve_categories(state, refs, root, create)
    requests = []
    for item in items:
        category = item.category or meta["category"]
        requests.append(
            UploadRequest(
                path=item.path,
                category_ids=(ids[category],) if category else (),
                name=item.name or meta["name"],
                description=item.description or meta["description"],
                tags=item.tags or meta["tags"] or (),
                reference_id=item.reference_id or meta["reference_id"],
            )
        )
    return requests


def split_concurrency(concurrency: int, files: int) -> tuple[int, int]:
    """Return (files of several parts, chunks per file) in flight within ``concurrency``.

    At the default (24) that is the library's 4 files x 6 chunks; a single file gets all of it
    (up to 6 chunks); ``--concurrency 1`` sends one chunk of one file at a time. Files of one
    part are one request each: up to ``concurrency`` of them run at once (``UploadBatch.run``).
    """
    in_flight = max(1, min(FILES_IN_FLIGHT, concurrency, files))
    return in_flight, max(1, min(CHUNKS_PER_FILE, concurrency // in_flight))


@click.command("upload")
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--category", "-c", metavar="ID|PATH", help="Category to put the entries in.")
@click.option("--name", help="Entry name (one file only; default: the file name).")
@click.option("--description", help="Entry description.")
@click.option("--tags", help="Comma-separated tags.")
@click.option("--reference-id", help="Entry referenceId (one file only).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Requests in flight at once: as many one-part files (one request each), or up to "
    f"{FILES_IN_FLIGHT} larger files x {CHUNKS_PER_FILE} chunks.",
)
@click.option(
    "--chunk-size",
    type=ByteSize(),
    default=f"{DEFAULT_CHUNK_SIZE // 2**20}MiB",
    show_default=True,
    help="Bytes per chunk, e.g. 5MB, 8MiB.",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Of the files a folder or glob holds, upload only those matching (repeatable).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="GLOB",
    help="Of the files a folder or glob holds, leave out those matching (repeatable).",
)
@click.option("--wait-ready", is_flag=True, help="Wait until each entry is READY.")
@click.option("--create-categories", is_flag=True, help="Create the categories that are missing.")
@click.option("--documents", is_flag=True, help="Upload PDFs and office files as documents.")
@click.option(
    "--state-dir",
    "state_dir_",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the journal and upload states live.",
)
@store_option
@lock_wait_option
@max_duration_option
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Upload only the files whose upload failed last time (the state database says).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every file's outcome to this .csv or .json file.",
)
@shard_option
@job_options
@common_options
@click.pass_context
def upload_command(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    concurrency: int,
    chunk_size: int,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    wait_ready: bool,
    create_categories: bool,
    documents: bool,
    state_dir_: Path | None,
    lock_wait: float,
    max_duration: int | None,
    retry_failed: bool,
    report: Path | None,
    shard: Shard | None,
    workers: int | None,
    job_id: str | None,
    lease: float,
    job_worker: bool,
    **meta: Any,
) -> int:
    """Upload files, directories (recursive), globs or a CSV manifest; safe to re-run."""
    state = app(ctx)
    jobs = JobRun(workers, job_id, lease, job_worker)
    if job_id is not None:  # the job holds the files: PATH... is not read
        return upload_job(
            state, state_dir_, concurrency, jobs, report, max_duration, None, lock_wait
        )
    if not paths:
        raise click.UsageError("Missing argument 'PATH...'.")
    found = collect(paths, Selection(tuple(include), tuple(exclude), documents))
    say_skipped(state, found.skipped)
    if not found.items:  # every file named is empty (each named above): nothing to do yet
        state.say("nothing to upload: the files named are empty")
        return ExitCode.OK
    requests = _requests(state, found.items, meta, state_dir_, create_categories)
    files, chunks = split_concurrency(concurrency, len(requests))
    retries: dict[str, Any] = {} if state.retries is None else {"max_attempts": state.retries + 1}
    try:
        options = UploadOptions(
            chunk_size=chunk_size,
            concurrency=chunks,
            wait_ready=wait_ready,
            support_documents=documents,
            keep_on_cancel=True,
            **retries,
        )
    except ValueError as exc:
        raise CliError(f"--chunk-size: {exc}", "pick a size such as 16MiB") from exc
    state.config_overrides["max_concurrency"] = concurrency
    root = state_dir(state_dir_, state.env)
    # Every category was just read by id or listed (``category_refs``): the library need not
    # read them again before the first file (a round trip of every run).
    checked = all(c > 0 for r in requests for c in r.category_ids)
    if workers is not None:
        made = NewJob(requests, options, checked, shard, retry_failed, lock_wait)
        return upload_job(state, state_dir_, concurrency, jobs, report, max_duration, made)
    return run_uploads(
        state,
        root,
        requests,
        options,
        files,
        report,
        lock_wait=lock_wait,
        categories_checked=checked,
        max_duration=max_duration,
        retry_failed=retry_failed,
        shard=shard,
    )


def run_uploads(
    state: AppContext,
    root: Path,
    requests: Sequence[UploadRequest],
    options: UploadOptions,
    files: int,
    report: Path | None = None,
    lock_wait: float = 0.0,
    categories_checked: bool = False,
    max_duration: float | None = None,
    retry_failed: bool = False,
    shard: Shard | None = None,
) -> int:
    """Upload ``requests`` with the state of ``root`` (locked meanwhile); return the exit code.

    ``categories_checked``: the caller has just read every category of ``requests``.
    ``max_duration``: stop cleanly after that many seconds, as one Ctrl-C does (exit 8).
    ``retry_failed``: only the files the journal has as failed (``--retry-failed``).
    ``shard``: only the files of this part (``--shard K/N``).
    """
    with RunLock(root, state.command(), lock_wait, command_line) as lock:
        if lock.note:
            state.notice("note", lock.note)
        db = open_state(root, state.env)
        for note in db.notes:
            state.notice("note", note)
        target = state.target()
        journal, store = FileJournal(db, target), UploadStore(db, target)
        requests = pick_uploads(state, shard, requests, journal)
        if retry_failed:
            requests = failed_last_time(state, journal, requests)
            if not requests:
                return ExitCode.OK
        with Interrupts(state.say, max_duration) as interrupts:
            batch = UploadBatch(state, journal, store, options, interrupts)
            batch.categories_checked = categories_checked
            code = _execute(batch, requests, files, report)
        left_behind(state, store, batch)
        return code


def upload_requests(batch: UploadBatch, requests: Sequence[UploadRequest], files: int) -> None:
    """Upload ``requests`` in ``batch`` (``files`` at once), its results checked on the server."""
    state = batch.state
    todo = batch.plan(requests)
    todo += check_claimed(batch)
    total = sum(f.fingerprint.size for f in todo)
    if todo:
        state.say(
            f"uploading {len(todo)} files ({human_bytes(total)}); "
            f"{len(requests) - len(todo)} already done or unreadable"
        )
        with UploadDisplay(
            state.stderr, total, len(todo), quiet=state.quiet or state.json
        ) as shown:
            batch.display = shown
            try:
                state.client().run(batch.run(todo, files))
            finally:
                batch.flush()  # what was kept to be written behind, stopped or not
    verify(batch)


def _execute(
    batch: UploadBatch, requests: Sequence[UploadRequest], files: int, report: Path | None
) -> int:
    state = batch.state
    upload_requests(batch, requests, files)
    order = {str(r.path): i for i, r in enumerate(requests)}
    batch.results.sort(key=lambda r: order.get(r["path"], 0))
    columns = ("path", "status", "entry_id", "bytes")
    writer = state.writer(UPLOAD_KEYS, table_keys=columns, actions=True)
    for result in batch.results:
        writer.write(result)
    writer.close()
    if report is not None:
        write_report(report, batch.results)
    code = summary(batch)
    if batch.state_error is not None:
        raise batch.state_error
    return code


def failed_last_time(
    state: AppContext, journal: FileJournal, requests: Sequence[UploadRequest]
) -> list[UploadRequest]:
    """Return the ``requests`` whose last upload into their categories failed (the journal's
    ``failed``); say how many others are left alone."""
    failed = []
    for request in requests:
        done = journal.get(str(request.path), categories_key(request.category_ids))
        if done is not None and done.status == "failed":
            failed.append(request)
    others = len(requests) - len(failed)
    state.say(
        f"--retry-failed: {len(failed)} files failed last time"
        + (f"; {others} others left alone" if others else "")
    )
    return failed
