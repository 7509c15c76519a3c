"""Upload files the widget's way, headless: ``upload_file``, ``resume_upload``, ``upload_many``.

One file: check it (path, type, size) and the target categories before anything is created;
find what was already made for it under its deterministic referenceId and token fileName (a
complete entry is the result, a half-made one is continued: ``protocol/upload_recovery.py``), or
create entry, token, content link and category links in one multiRequest; send the chunks
(``upload_chunks``); check the result and look last for anything made behind its back; optionally
wait until the entry is READY. The ``UploadState`` is handed to
``on_state`` at every confirmed step, so ``resume_upload(state)`` continues after a crash without
re-sending an acknowledged chunk. Run with ``client.run(upload_file(...))`` under ``Client`` or
``AsyncClient``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from kaltura_mm.errors import (
    ApiError,
    ConfigError,
    FileChangedError,
    KalturaError,
    ResponseError,
    TransportError,
    UploadCancelledError,
    UploadError,
    UploadTokenNotFoundError,
)
from kaltura_mm.flows import local_file
from kaltura_mm.flows.effects import Flow
from kaltura_mm.flows.interleave import interleave
from kaltura_mm.flows.upload_chunks import FINISHED_TOKEN, ensure_unchanged, send_chunks, truth
from kaltura_mm.flows.upload_entry import (
    ACCEPTED_STATUSES,
    Creation,
    check_categories,
    cleanup,
    create_once,
    missing_categories,
    unknown_categories_error,
    verify,
    wait_ready,
)
from kaltura_mm.flows.upload_job import CancelSignal, OnProgress, OnState, ProgressMeter, UploadJob
from kaltura_mm.flows.upload_lookup import Found, find_many, last_look
from kaltura_mm.models import BaseEntry, UploadToken
from kaltura_mm.protocol.media_types import kind_of
from kaltura_mm.protocol.upload import ChunkBook, balanced_chunk_size
from kaltura_mm.protocol.upload_request import (
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
)
from kaltura_mm.protocol.upload_result import UploadOutcome, UploadProgress, UploadResult


def _prepare(
    request: UploadRequest,
    options: UploadOptions,
    state: UploadState | None,
    on_state: OnState | None,
    on_progress: OnProgress | None,
    cancel: CancelSignal | None,
) -> UploadJob:
    print_ = local_file.fingerprint(request.path, options.max_file_size)
    kind = kind_of(
        request.path.name, support_documents=options.support_documents, override=request.entry_type
    )
    if state is None:
        chunk_size = balanced_chunk_size(
            print_.size, options.chunk_size, options.edge_size, options.concurrency
        )
        state = UploadState(
            request=request,
            fingerprint=print_,
            reference_id=reference_id_for(request, print_),
            chunk_size=chunk_size,
            edge_size=options.edge_size,
        )
    elif changed := print_.differences(state.fingerprint):
        raise FileChangedError(
            f"{request.path} changed since the upload was saved ({', '.join(changed)}): it cannot "
            "be resumed without mixing old and new content; upload it again as a new file",
            state=state,
        )
    meter = ProgressMeter(on_progress, print_.size, options.progress_interval, request.path)
    return UploadJob(request, options, kind, state, on_state, meter, cancel)


def upload_file(
    request: UploadRequest,
    options: UploadOptions | None = None,
    state: UploadState | None = None,
    on_state: OnState | None = None,
    on_progress: OnProgress | None = None,
    cancel: CancelSignal | None = None,
    *,
    categories_checked: bool = False,
) -> Flow[UploadResult]:
    """Upload one file into a new entry (or finish the one ``state`` describes)."""
    job = _prepare(request, options or UploadOptions(), state, on_state, on_progress, cancel)
    return (yield from _upload(job, categories_checked, None))


def _upload(job: UploadJob, categories_checked: bool, found: Found | None) -> Flow[UploadResult]:
    request = job.request
    if not categories_checked:
        yield from check_categories(request.category_ids)
    try:
        return (yield from _run(job, found))
    except FileChangedError:
        yield from cleanup(job)
        raise
    except UploadError:
        raise
    except (ApiError, TransportError, ResponseError) as exc:
        raise UploadError(
            f"the upload of {request.path} stopped: {exc}",
            token_id=job.state.token_id,
            uploaded=job.state.bytes_confirmed,
            state=job.state,
        ) from exc


def resume_upload(
    state: UploadState,
    options: UploadOptions | None = None,
    on_state: OnState | None = None,
    on_progress: OnProgress | None = None,
    cancel: CancelSignal | None = None,
) -> Flow[UploadResult]:
    """Continue a saved upload; refuse it if the file changed since."""
    options = attrs.evolve(
        options or UploadOptions(), chunk_size=state.chunk_size, edge_size=state.edge_size
    )
    return upload_file(state.request, options, state, on_state, on_progress, cancel)


def _after_create(job: UploadJob, made: Creation) -> ChunkBook:
    """Return the book once the create request's first part is counted (acknowledged or not)."""
    book = job.state.book()
    head = made.head
    if head is not None:
        done = head.status in FINISHED_TOKEN and head.uploaded_file_size == book.size
        book = book.start(book.head).ack(book.head, completes=done)
        job.save(job.state.with_book(book))
        job.progress(book.bytes_acked, force=book.complete)
    return book


def _saved_truth(job: UploadJob) -> Flow[ChunkBook | None]:
    """Return the saved upload's book corrected from its token; None if the token is gone.

    A saved state can outlive its token (a clean-up that ran after the state was written, a
    token deleted by hand): the upload then starts over from the lookup, which finds whatever
    is left under its names.
    """
    try:
        book = yield from truth(job, job.state.book())
    except UploadTokenNotFoundError:
        job.save(attrs.evolve(job.state, entry_id=None, token_id=None, confirmed_offsets=()))
        return None
    job.save(job.state.with_book(book))
    return book


def _adopt(job: UploadJob, token: UploadToken) -> ChunkBook:
    """Return the book of a half-made upload found with its token, from what the token holds."""
    finished = token.status in FINISHED_TOKEN
    book = job.state.book().recover(token.uploaded_file_size or 0, finished)
    job.save(job.state.with_book(book))
    return book


def _result(job: UploadJob, entry: BaseEntry, resumed: int = 0) -> UploadResult:
    return UploadResult(
        entry=entry,
        reference_id=job.state.reference_id,
        token_id=job.state.token_id,
        bytes_sent=job.bytes_sent,
        chunks=job.chunks,
        retries=job.retries,
        bytes_resumed=resumed,
        existing=entry.id != job.state.entry_id,
    )


def _run(job: UploadJob, found: Found | None = None) -> Flow[UploadResult]:
    made: Creation | None = None
    book = (yield from _saved_truth(job)) if _made(job.state) else None
    resumed = book.bytes_acked if book is not None else 0
    if book is None:
        made = yield from create_once(job, found)
        if made.existing is not None:
            return attrs.evolve(_result(job, made.existing), token_id=None, existing=True)
        if made.resumed is not None:
            book = _adopt(job, made.resumed)
            resumed = book.bytes_acked
        else:
            book = _after_create(job, made)
    if job.meter is not None:
        job.meter.base = resumed
    book = yield from send_chunks(job, book)
    if not book.complete:
        return (yield from _cancelled(job))
    ensure_unchanged(job, full=True)
    checked = made.entry if made is not None else None
    if made and checked and made.response and made.look and checked.status in ACCEPTED_STATUSES:
        # token full at the right size and entry accepted, in that one request: look last
        entry = yield from last_look(job, checked, made.response, made.look)
    else:
        entry = yield from verify(job)
    job.progress(book.size, force=True)
    if job.options.wait_ready:
        entry = yield from wait_ready(job, entry)
    return _result(job, entry, resumed)


def _cancelled(job: UploadJob) -> Flow[UploadResult]:
    kept = job.options.keep_on_cancel
    if not kept:
        yield from cleanup(job)
    what = "kept for resume_upload" if kept else "deleted"
    raise UploadCancelledError(
        f"the upload of {job.request.path} was cancelled; its entry and token were {what}",
        token_id=job.state.token_id,
        uploaded=job.state.bytes_confirmed,
        state=job.state,
    )


class _TotalProgress:
    """Adds per-file progress into a throttled total, passing per-file reports through."""

    def __init__(self, requests: Sequence[UploadRequest], options: UploadOptions) -> None:
        self.sizes = [_size_of(r.path) for r in requests]
        self.done = [0] * len(requests)
        self.files_done = 0
        self.callback: OnProgress | None = None
        self.meter = ProgressMeter(None, sum(self.sizes), options.progress_interval)

    def for_file(self, index: int) -> OnProgress:
        def report(progress: UploadProgress) -> None:
            assert self.callback is not None
            self.callback(progress)
            self.done[index] = progress.bytes_done
            if progress.bytes_done >= progress.bytes_total:
                self.files_done = sum(
                    d >= s > 0 for d, s in zip(self.done, self.sizes, strict=True)
                )
            self.meter.report(sum(self.done), force=self.files_done == len(self.sizes))

        return report

    def total(self, progress: UploadProgress) -> None:
        assert self.callback is not None
        self.callback(
            attrs.evolve(progress, files_done=self.files_done, files_total=len(self.sizes))
        )


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


OnStart = Callable[[UploadRequest], None]
OnOutcome = Callable[[UploadOutcome], None]


@attrs.frozen
class _Turns:
    """What each file's turn reports: its start and its outcome; and whether to start at all."""

    cancel: CancelSignal | None = None
    on_start: OnStart | None = None
    on_outcome: OnOutcome | None = None


def upload_many(
    requests: Sequence[UploadRequest],
    options: UploadOptions | None = None,
    max_files_in_flight: int = 4,
    on_state: OnState | None = None,
    on_progress: OnProgress | None = None,
    cancel: CancelSignal | None = None,
    *,
    states: Sequence[UploadState | None] | None = None,
    on_start: OnStart | None = None,
    on_outcome: OnOutcome | None = None,
) -> Flow[list[UploadOutcome]]:
    """Upload many files, ``max_files_in_flight`` at a time; one file's failure stops no other.

    ``on_progress`` hears each file (``path`` set) and the total (``path`` None). ``states``
    (one per request, None for a fresh upload) resumes saved uploads as ``resume_upload`` does.
    ``on_start`` hears a file when its turn comes, ``on_outcome`` as soon as it ends. Once
    ``cancel`` is set no file starts: those left end in ``UploadCancelledError`` with nothing sent.
    """
    options = options or UploadOptions()
    wanted = tuple(sorted({c for r in requests for c in r.category_ids}))
    missing = yield from missing_categories(wanted)
    totals = _TotalProgress(requests, options)
    if on_progress is not None:
        totals.callback = on_progress
        totals.meter.callback = totals.total
    first_of = _first_listing(requests)
    jobs: list[UploadJob | Exception] = []
    for i, request in enumerate(requests):
        progress = totals.for_file(i) if on_progress else None
        saved = states[i] if states is not None else None
        if saved is not None:  # the saved upload of this request's file, wherever it lies now
            saved = attrs.evolve(saved, request=request)
        try:
            jobs.append(_prepare(request, _for(options, saved), saved, on_state, progress, cancel))
        except (KalturaError, OSError) as exc:
            jobs.append(exc)  # this file's outcome, once its turn comes
    found = yield from _look_up(jobs, first_of, options)
    turns = _Turns(cancel, on_start, on_outcome)
    flows = [
        _turn(
            requests[i],
            _one(job, missing, found)
            if first_of[i] == i
            else _listed_twice(requests[i], first_of[i]),
            turns,
        )
        for i, job in enumerate(jobs)
    ]
    ended = yield from interleave(flows, max_files_in_flight, _ends_one_file)
    if on_progress is not None:
        totals.meter.report(sum(totals.done), force=True)
    return [_outcome(request, result) for request, result in zip(requests, ended, strict=True)]


def _first_listing(requests: Sequence[UploadRequest]) -> list[int]:
    """Map each request to the first one that uploads the same file to the same target.

    Two such requests would share one referenceId, and each would take the other's half-made
    entry for a leftover of its own; only the first runs.
    """
    seen: dict[tuple[object, ...], int] = {}
    first = []
    for index, r in enumerate(requests):
        key = (r.path.resolve(), tuple(sorted(r.category_ids)), r.reference_id)
        first.append(seen.setdefault(key, index))
    return first


def _listed_twice(request: UploadRequest, first: int) -> Flow[UploadResult]:
    raise ConfigError(
        f"{request.path} is listed twice for the same categories (first at position {first + 1}):"
        " it is uploaded once"
    )
    yield  # a generator, so the error is this file's outcome, not the batch's


def _look_up(
    jobs: list[UploadJob | Exception], first_of: list[int], options: UploadOptions
) -> Flow[dict[str, Found]]:
    """Look every file's referenceId up in a few batched lists (each file would ask alone)."""
    ids = [
        job.state.reference_id
        for i, job in enumerate(jobs)
        if isinstance(job, UploadJob) and first_of[i] == i and not _made(job.state)
    ]
    try:
        return (yield from find_many(ids, options))
    except (TransportError, ResponseError):
        return {}  # each file then looks itself up before creating anything


def _one(
    job: UploadJob | Exception, missing: set[int], found: dict[str, Found]
) -> Flow[UploadResult]:
    if isinstance(job, Exception):
        raise job
    unknown = missing & set(job.request.category_ids)
    if unknown:
        raise unknown_categories_error(unknown)
    return (yield from _upload(job, True, found.get(job.state.reference_id)))


def _made(state: UploadState) -> bool:
    """Return whether a saved upload already has its entry and token (it resumes, no lookup)."""
    return state.entry_id is not None and state.token_id is not None


def _for(options: UploadOptions, saved: UploadState | None) -> UploadOptions:
    """Return the options a saved upload resumes with: its own chunking, as it was planned."""
    if saved is None:
        return options
    return attrs.evolve(options, chunk_size=saved.chunk_size, edge_size=saved.edge_size)


def _turn(request: UploadRequest, flow: Flow[UploadResult], turns: _Turns) -> Flow[UploadResult]:
    """Run one file's flow when its turn comes, unless cancelled first; report start and end."""
    try:
        if turns.cancel is not None and turns.cancel.is_set():
            raise UploadCancelledError(
                f"the upload of {request.path} was not started: the batch was cancelled first"
            )
        if turns.on_start is not None:
            turns.on_start(request)
        result = yield from flow
    except (KalturaError, OSError) as exc:
        if turns.on_outcome is not None:
            turns.on_outcome(_outcome(request, exc))
        raise
    if turns.on_outcome is not None:
        turns.on_outcome(UploadOutcome(request=request, result=result))
    return result


def _ends_one_file(error: BaseException) -> bool:
    return isinstance(error, KalturaError | OSError)


def _outcome(request: UploadRequest, ended: object) -> UploadOutcome:
    if isinstance(ended, UploadResult):
        return UploadOutcome(request=request, result=ended)
    if isinstance(ended, KalturaError):
        return UploadOutcome(request=request, error=ended)
    return UploadOutcome(request=request, error=ConfigError(f"{request.path}: {ended}"))
