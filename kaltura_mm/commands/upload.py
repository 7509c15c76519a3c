"""``kaltura-mm upload``: files, directories, globs or a CSV manifest into Kaltura, resumably.

Each file becomes one entry. A re-run of the same command skips files the journal says are done
(and unchanged), resumes partial uploads from their saved chunk state, and never makes a duplicate
entry (the upload engine finds an entry it made by its deterministic referenceId). Ctrl-C once
stops starting files, lets uploads in flight stop at a chunk boundary, keeps their state and
prints how to resume (exit 130); Ctrl-C twice stops at once (state on disk stays consistent).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import click

from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.journal import DONE, FileRecord, Journal, batch_id, state_dir
from kaltura_mm.commands.params import ByteSize, category_ref
from kaltura_mm.commands.progress import UploadDisplay, human_bytes
from kaltura_mm.commands.sources import UploadItem, collect
from kaltura_mm.errors import KalturaError, UploadCancelledError
from kaltura_mm.flows import local_file
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.flows.effects import Flow
from kaltura_mm.flows.interleave import interleave
from kaltura_mm.flows.upload import resume_upload, upload_file
from kaltura_mm.protocol.upload_request import (
    FileFingerprint,
    UploadOptions,
    UploadRequest,
    reference_id_for,
)
from kaltura_mm.protocol.upload_result import UploadResult
from kaltura_mm.upload_state import UploadStateStore

UPLOAD_KEYS = (
    "path",
    "status",
    "entry_id",
    "reference_id",
    "bytes",
    "bytes_resumed",
    "name",
    "category_ids",
    "error",
    "message",
)


# A file refused before upload is the user's input, not a failed operation (docs/cli.md).
_FAILURE_EXIT = {"file": ExitCode.NOT_FOUND, "bad_input": ExitCode.BAD_INPUT}


class _NotStarted(Exception):
    """A file the batch never started because it was interrupted first."""


@attrs.define
class _Batch:
    """One upload run: its journal, stores, display and collected results."""

    state: AppContext
    journal: Journal
    store: UploadStateStore
    options: UploadOptions
    interrupts: Interrupts
    display: UploadDisplay | None = None
    results: list[dict[str, Any]] = attrs.field(factory=list)


def _resolve_categories(state: AppContext, refs: set[str]) -> dict[str, int]:
    client = state.client()
    return {ref: client.run(resolve_category(category_ref(ref))).id or 0 for ref in refs}


def _requests(
    state: AppContext, items: Sequence[UploadItem], meta: dict[str, Any]
) -> list[UploadRequest]:
    if len(items) > 1 and (meta["name"] or meta["reference_id"]):
        raise CliError(
            "--name and --reference-id apply to one file, and several were given",
            "drop them, or give per-file values in a CSV manifest",
        )
    refs = {i.category for i in items if i.category} | ({meta["category"]} - {None})
    ids = _resolve_categories(state, refs)
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


def _record(
    request: UploadRequest,
    status: str,
    result: UploadResult | None = None,
    reference_id: str | None = None,
    error: BaseException | None = None,
    size: int = 0,
) -> dict[str, Any]:
    failure = describe(error) if error is not None else None
    return {
        "path": str(request.path),
        "status": status,
        "entry_id": result.entry_id if result else None,
        "reference_id": result.reference_id if result else reference_id,
        "bytes": size,
        "bytes_resumed": result.bytes_resumed if result else 0,
        "name": request.entry_name,
        "category_ids": ",".join(map(str, request.category_ids)),
        "error": getattr(error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else None,
    }


def _file_flow(batch: _Batch, request: UploadRequest, print_: FileFingerprint) -> Flow[Any]:
    """Upload one file, keeping journal, state store and display in step; never raise."""
    reference = reference_id_for(request, print_)
    path_key = str(request.path)
    journal_base = FileRecord(
        path=path_key, size=print_.size, mtime_ns=print_.mtime_ns, reference_id=reference
    )
    if batch.interrupts.stopping:
        batch.results.append(_record(request, "not_started", reference_id=reference))
        return None
    saved = batch.store.load(reference)
    resumed = saved is not None and not saved.complete

    def on_state(upload: Any) -> None:
        batch.store.save(upload)
        batch.journal.update(
            attrs.evolve(
                journal_base,
                entry_id=upload.entry_id,
                status="uploading",
                bytes_done=upload.bytes_confirmed,
            )
        )

    if batch.display is not None:
        batch.display.start(request.path, print_.size, saved.bytes_confirmed if saved else 0)
    progress = batch.display.progress if batch.display is not None else None
    cancel = batch.interrupts.event
    try:
        if saved is not None and resumed:
            flow = resume_upload(saved, batch.options, on_state, progress, cancel)
        else:
            flow = upload_file(
                request, batch.options, None, on_state, progress, cancel, categories_checked=True
            )
        result: UploadResult = yield from flow
    except (KalturaError, OSError) as exc:
        cancelled = isinstance(exc, UploadCancelledError)
        status = "cancelled" if cancelled else "failed"
        batch.journal.update(attrs.evolve(journal_base, status=status, error=str(exc)))
        batch.results.append(_record(request, status, reference_id=reference, error=exc))
        _finish(
            batch,
            request,
            print_.size,
            f"{'…' if cancelled else '✗'} {request.path.name}: "
            + ("stopped, resumable" if cancelled else describe(exc).line()),
        )
        return None
    status = "existing" if result.existing else ("resumed" if resumed else "uploaded")
    batch.store.discard(reference)
    batch.journal.update(
        attrs.evolve(journal_base, entry_id=result.entry_id, status=DONE, bytes_done=print_.size)
    )
    batch.results.append(_record(request, status, result, size=print_.size))
    _finish(batch, request, print_.size, f"✓ {request.path.name} -> {result.entry_id} ({status})")
    return None


def _finish(batch: _Batch, request: UploadRequest, size: int, line: str) -> None:
    if batch.display is not None:
        batch.display.finish(request.path, size, line)


def _plan(
    batch: _Batch, requests: Sequence[UploadRequest]
) -> tuple[list[Flow[Any]], list[tuple[UploadRequest, FileFingerprint]]]:
    """Return the flows to run, and the files to upload with their fingerprints."""
    todo: list[tuple[UploadRequest, FileFingerprint]] = []
    for request in requests:
        try:
            print_ = local_file.fingerprint(request.path)
        except KalturaError as exc:
            # Refused before any upload (empty, unreadable): say why, or the table hides it.
            batch.state.say(f"✗ {request.path.name}: {describe(exc).line()}")
            batch.results.append(_record(request, "failed", error=exc))
            continue
        record = batch.journal.get(request.path)
        if record is not None and record.finished_for(print_.size, print_.mtime_ns):
            batch.results.append(
                {
                    **_record(request, "skipped", reference_id=record.reference_id),
                    "entry_id": record.entry_id,
                    "bytes": print_.size,
                }
            )
            continue
        todo.append((request, print_))
    return [_file_flow(batch, r, p) for r, p in todo], todo


def _write_report(path: Path, results: list[dict[str, Any]]) -> None:
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=UPLOAD_KEYS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(
            {k: ("" if r.get(k) is None else r[k]) for k in UPLOAD_KEYS} for r in results
        )


def _identity(state: AppContext, requests: Sequence[UploadRequest], meta: dict[str, Any]) -> str:
    settings = state.settings()
    parts = [settings.service_url or settings.region or "", str(settings.partner_id)]
    parts += [f"{r.path}|{r.category_ids}|{r.name}|{r.reference_id}" for r in requests]
    parts += [f"{k}={v}" for k, v in sorted(meta.items())]
    return batch_id(parts)


@click.command("upload")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--category", "-c", metavar="ID|PATH", help="Category to put the entries in.")
@click.option("--name", help="Entry name (one file only; default: the file name).")
@click.option("--description", help="Entry description.")
@click.option("--tags", help="Comma-separated tags.")
@click.option("--reference-id", help="Entry referenceId (one file only).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 32),
    default=4,
    show_default=True,
    help="Requests in flight at once (files and chunks).",
)
@click.option(
    "--chunk-size",
    type=ByteSize(),
    default="5MB",
    show_default=True,
    help="Bytes per chunk, e.g. 5MB, 8MiB.",
)
@click.option("--wait-ready", is_flag=True, help="Wait until each entry is READY.")
@click.option("--documents", is_flag=True, help="Upload PDFs and office files as documents.")
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the journal and upload states live.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every file's outcome to this .csv or .json file.",
)
@common_options
@click.pass_context
def upload_command(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    concurrency: int,
    chunk_size: int,
    wait_ready: bool,
    documents: bool,
    state_dir: Path | None,
    report: Path | None,
    **meta: Any,
) -> int:
    """Upload files, directories (recursive), globs or a CSV manifest; safe to re-run."""
    state = app(ctx)
    items = collect(paths)
    requests = _requests(state, items, meta)
    try:
        options = UploadOptions(
            chunk_size=chunk_size,
            concurrency=concurrency,
            wait_ready=wait_ready,
            support_documents=documents,
            keep_on_cancel=True,
        )
    except ValueError as exc:
        raise CliError(f"--chunk-size: {exc}", "pick a size such as 5MB") from exc
    state.config_overrides["max_concurrency"] = concurrency
    root = _state_root(state, state_dir)
    journal = Journal(
        root / "batches" / f"{_identity(state, requests, meta)}.json", ["kaltura-mm", *sys.argv[1:]]
    )
    if journal.warning:
        state.say(f"warning: {journal.warning}")
    with Interrupts(state.say) as interrupts:
        batch = _Batch(state, journal, UploadStateStore(root / "uploads"), options, interrupts)
        return _execute(batch, requests, concurrency, report)


def _state_root(state: AppContext, chosen: Path | None) -> Path:
    return state_dir(chosen, state.env)


def _execute(
    batch: _Batch, requests: Sequence[UploadRequest], concurrency: int, report: Path | None
) -> int:
    state = batch.state
    flows, todo = _plan(batch, requests)
    total = sum(p.size for _, p in todo)
    if flows:
        state.say(
            f"uploading {len(todo)} files ({human_bytes(total)}); "
            f"{len(requests) - len(todo)} already done or unreadable"
        )
        with UploadDisplay(
            state.stderr, total, len(todo), quiet=state.quiet or state.json
        ) as shown:
            batch.display = shown
            state.client().run(interleave(flows, concurrency, lambda _: False))
    order = {str(r.path): i for i, r in enumerate(requests)}
    batch.results.sort(key=lambda r: order.get(r["path"], 0))
    writer = state.writer(UPLOAD_KEYS, table_keys=("path", "status", "entry_id", "bytes"))
    for result in batch.results:
        writer.write(result)
    writer.close()
    if report is not None:
        _write_report(report, batch.results)
    return _summary(batch)


def _summary(batch: _Batch) -> int:
    state, results = batch.state, batch.results
    good = {"uploaded", "resumed", "existing", "skipped"}
    done = sum(1 for r in results if r["status"] in good)
    stopped = [r for r in results if r["status"] in ("cancelled", "not_started")]
    failed = [r for r in results if r["status"] == "failed"]
    state.say(f"{done} done, {len(failed)} failed, {len(stopped)} not finished")
    if stopped or batch.interrupts.stopping:
        state.say(
            "interrupted: progress is saved; run the same command again to resume:\n  "
            + " ".join(batch.journal.command)
        )
        return ExitCode.INTERRUPTED
    kinds = [_FAILURE_EXIT.get(r["error"], ExitCode.FAILED) for r in failed]
    return for_items(done, kinds)
