"""Upload a file the widget's way, headless: ``upload_file``, ``resume_upload`` (many files at
once: ``upload_many``).

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

import attrs

from kaltura_mm.errors import (
    ApiError,
    FileChangedError,
    ResponseError,
    TransportError,
    UploadCancelledError,
    UploadError,
    UploadTokenNotFoundError,
)
from kaltura_mm.flows import local_file
from kaltura_mm.flows.upload_chunks import FINISHED_TOKEN, ensure_unchanged, send_chunks, truth
from kaltura_mm.flows.upload_entry import (
    ACCEPTED_STATUSES,
    Creation,
    check_categories,
    cleanup,
    create_once,
    verify,
    wait_ready,
)
from kaltura_mm.flows.upload_job import CancelSignal, OnProgress, OnState, ProgressMeter, UploadJob
from kaltura_mm.flows.upload_lookup import Found, last_look
from kaltura_mm.models import BaseEntry, UploadToken
from kaltura_mm.protocol.media_types import kind_of
from kaltura_mm.protocol.upload import ChunkBook, balanced_chunk_size
from kaltura_mm.protocol.upload_request import (
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
)
from kaltura_mm.protocol.upload_result import UploadResult
from kaltura_mm.runtime.effects import Flow


def prepare_job(
    request: UploadRequest,
    options: UploadOptions,
    state: UploadState | None,
    on_state: OnState | None,
    on_progress: OnProgress | None,
    cancel: CancelSignal | None,
) -> UploadJob:
    """Check the file and plan its upload (or take up ``state``): nothing is sent yet."""
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
    job = prepare_job(request, options or UploadOptions(), state, on_state, on_progress, cancel)
    return (yield from upload_prepared(job, categories_checked, None))


def upload_prepared(
    job: UploadJob, categories_checked: bool, found: Found | None
) -> Flow[UploadResult]:
    """Upload a prepared job (``found``: what a batched lookup already found for it)."""
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
    book = (yield from _saved_truth(job)) if has_entry_and_token(job.state) else None
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


def has_entry_and_token(state: UploadState) -> bool:
    """Return whether a saved upload already has its entry and token (it resumes, no lookup)."""
    return state.entry_id is not None and state.token_id is not None
