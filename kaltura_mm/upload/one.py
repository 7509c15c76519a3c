"""Upload one file: ``upload_file``, ``resume_upload``, and ``upload`` (``client.upload``'s flow).

The story, one module per step: check the file (``local_file``, ``media_types``) and the target
categories before anything is created; find what an earlier run made under the upload's
deterministic names and decide (``lookup``, ``recover``), or create entry, token, first part and
links in one multiRequest (``create``); send the chunks (``chunks``, on the rules of ``plan``);
check the result and look last for anything made behind its back (``verify``); optionally wait
until the entry is READY. The ``UploadState`` is handed to ``on_state`` at every confirmed step,
so ``resume_upload(state)`` continues after a crash without re-sending an acknowledged chunk.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import attrs

from kaltura_mm import models
from kaltura_mm.errors import (
    ApiError,
    EntryNotFoundError,
    FileChangedError,
    ResponseError,
    TransportError,
    UploadCancelledError,
    UploadError,
    UploadTokenNotFoundError,
)
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.models import BaseEntry, UploadToken
from kaltura_mm.refs import CategoryOrPath
from kaltura_mm.runtime.effects import Flow, Now
from kaltura_mm.services import base_entry, category
from kaltura_mm.upload.chunks import TokenExpired, ensure_unchanged, send_chunks, truth
from kaltura_mm.upload.create import (
    Creation,
    check_categories,
    cleanup,
    create_once,
    missing_among,
    unknown_categories_error,
)
from kaltura_mm.upload.in_flight import is_one_part
from kaltura_mm.upload.job import (
    CancelSignal,
    Hooks,
    Job,
    OnProgress,
    OnState,
    progress,
    reporter,
)
from kaltura_mm.upload.last_look import last_look
from kaltura_mm.upload.lookup import find_existing, find_own_asking
from kaltura_mm.upload.plan import ChunkBook
from kaltura_mm.upload.prepare import prepare
from kaltura_mm.upload.recover import ACCEPTED_STATUSES, LookupFindings, held
from kaltura_mm.upload.request import (
    UploadOptions,
    UploadRequest,
    UploadState,
)
from kaltura_mm.upload.result import UploadResult
from kaltura_mm.upload.tidy import delete_token, tidy
from kaltura_mm.upload.verify import verify, wait_ready


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
    hooks = Hooks(on_state, reporter(on_progress), cancel)
    job = yield from prepare(request, options or UploadOptions(), state, hooks, (yield Now()))
    return (yield from upload_prepared(job, categories_checked, None))


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


def upload(
    path_or_request: str | os.PathLike[str] | UploadRequest,
    *,
    category: CategoryOrPath | Sequence[CategoryOrPath] = (),
    options: UploadOptions | None = None,
    on_progress: OnProgress | None = None,
    on_state: OnState | None = None,
    cancel: CancelSignal | None = None,
) -> Flow[UploadResult]:
    """Upload a file (a path, or an ``UploadRequest``) into ``category`` (ids or full paths)."""
    request = request_for(path_or_request, (yield from category_ids(category)))
    return (yield from upload_file(request, options, None, on_state, on_progress, cancel))


def category_ids(category: CategoryOrPath | Sequence[CategoryOrPath]) -> Flow[tuple[int, ...]]:
    """Return the ids of ``category``: ids as they are, full paths resolved (one request each)."""
    if isinstance(category, int | str | models.Category):
        category = (category,)
    ids = []
    for one in category:
        ids.append(one if isinstance(one, int) else (yield from resolve_category(one)).id)
    return tuple(ids)


def request_for(
    path_or_request: str | os.PathLike[str] | UploadRequest, category_ids: tuple[int, ...] = ()
) -> UploadRequest:
    """Return the request for a path or a request, with ``category_ids`` added to its own."""
    if not isinstance(path_or_request, UploadRequest):
        return UploadRequest(path=path_or_request, category_ids=category_ids)
    if not category_ids:
        return path_or_request
    ids = (*path_or_request.category_ids, *category_ids)
    return attrs.evolve(path_or_request, category_ids=ids)


class _LastSaved:
    """Passes every saved state on, and remembers the last: what an error reports to resume."""

    def __init__(self, job: Job) -> None:
        self.state = job.state
        self._then = job.hooks.on_state

    def __call__(self, state: UploadState) -> None:
        self.state = state
        if self._then is not None:
            self._then(state)


def upload_prepared(
    job: Job, categories_checked: bool, found: LookupFindings | None
) -> Flow[UploadResult]:
    """Upload a prepared job (``found``: what a batched lookup already found for it)."""
    if not categories_checked and found is None and not has_entry_and_token(job.state):
        found = yield from _looked_up_checked(job)  # the check rides the lookup: no request
    elif not categories_checked:
        yield from check_categories(job.request.category_ids, job.options)
    last = _LastSaved(job)
    job = attrs.evolve(job, hooks=attrs.evolve(job.hooks, on_state=last))
    try:
        return (yield from _run(job, found))
    except FileChangedError:
        yield from tidy("what the upload made", cleanup(attrs.evolve(job, state=last.state)))
        raise
    except UploadError:
        raise
    except (ApiError, TransportError, ResponseError) as exc:
        raise UploadError(
            f"the upload of {job.request.path} stopped: {exc}",
            token_id=last.state.token_id,
            uploaded=last.state.bytes_confirmed,
            state=last.state,
        ) from exc


def _looked_up_checked(job: Job) -> Flow[LookupFindings | None]:
    """Return what the upload already made, refusing unknown categories, in one request.

    Both are reads: the categories are checked before anything is created, as alone. A lookup
    refused or out of reach sends the check alone, and returns None: the create's own lookup
    then fails the upload as it would have.
    """
    ids = job.request.category_ids
    try:
        (found,), outcomes = yield from find_own_asking(
            [job.state], job.options, [category.get(c) for c in ids], job.facts.seen
        )
    except (ApiError, TransportError, ResponseError):
        yield from check_categories(ids, job.options)
        return None
    missing = missing_among(ids, outcomes)
    if missing:
        raise unknown_categories_error(missing)
    return found


def _after_create(job: Job, made: Creation) -> Flow[tuple[Job, ChunkBook]]:
    """Return the book once the create request's first part is counted (acknowledged or not)."""
    book = job.state.book()
    if made.head is not None:
        book = book.start(book.head).ack(book.head, completes=held(made.head)[1])
        job = job.saved(job.state.with_book(book))
        job = yield from progress(job, book.bytes_acked, force=book.complete)
    return job, book


def _saved_truth(job: Job) -> Flow[tuple[Job, ChunkBook | None, LookupFindings | None]]:
    """Return the saved upload's book corrected from its token; None if the token is gone.

    A saved state can outlive its token (a clean-up that ran after the state was written, a
    token deleted by hand): the upload then starts over from the lookup, with the entry the state
    recorded counted among what it finds (read by id: exact), so that entry is reused.
    """
    try:
        book = yield from truth(job, job.state.book())
    except UploadTokenNotFoundError:
        found = yield from find_existing(job.state, job.options, job.facts.seen)
        found = found.merged((yield from _recorded(job.state.entry_id)))
        forgotten = attrs.evolve(job.state, entry_id=None, token_id=None, confirmed_offsets=())
        return job.saved(forgotten), None, found
    return job.saved(job.state.with_book(book)), book, None


def _recorded(entry_id: str | None) -> Flow[list[BaseEntry]]:
    if not entry_id:
        return []
    try:
        entry: BaseEntry = yield base_entry.get(entry_id)
    except EntryNotFoundError:
        return []
    return [entry]


def _adopt(job: Job, token: UploadToken) -> tuple[Job, ChunkBook]:
    """Return the book of a half-made upload found with its token, from what the token holds."""
    book = job.state.book().recover(*held(token))
    return job.saved(job.state.with_book(book)), book


def _result(job: Job, entry: BaseEntry, resumed: int = 0) -> UploadResult:
    return UploadResult(
        entry=entry,
        reference_id=job.state.reference_id,
        token_id=job.state.token_id,
        bytes_sent=job.tally.bytes_sent,
        chunks=job.tally.chunks,
        retries=job.tally.retries,
        bytes_resumed=resumed,
        existing=entry.id != job.state.entry_id,
    )


def _run(job: Job, found: LookupFindings | None = None) -> Flow[UploadResult]:
    try:
        return (yield from _run_once(job, found))
    except TokenExpired as dead:
        job, found = yield from _after_dead_token(dead.job)
    return (yield from _run_once(job, found))


def _after_dead_token(job: Job) -> Flow[tuple[Job, LookupFindings]]:
    """Forget a token the server refused as idle too long; return what the lookup finds now.

    The token is deleted (its entry, left without content, takes a new receipt: recover rule 5)
    and counted dead should the delete fail, so the same entry is filled again, never a second.
    """
    token_id = job.state.token_id or ""
    yield from tidy(f"the dead upload token {token_id}", delete_token(token_id, job.options))
    found = yield from find_existing(job.state, job.options, job.facts.seen)
    found = found.merged((yield from _recorded(job.state.entry_id)))
    found = attrs.evolve(found, dead=found.dead | {token_id})
    forgotten = attrs.evolve(job.state, entry_id=None, token_id=None, confirmed_offsets=())
    return job.saved(forgotten), found


def _run_once(job: Job, found: LookupFindings | None = None) -> Flow[UploadResult]:
    made: Creation | None = None
    book: ChunkBook | None = None
    if has_entry_and_token(job.state):
        job, book, found = yield from _saved_truth(job)
    if book is None:
        job, made = yield from create_once(job, found)
        if made.existing is not None:
            return attrs.evolve(_result(job, made.existing), token_id=None, existing=True)
        job, book = (
            _adopt(job, made.resumed) if made.resumed else (yield from _after_create(job, made))
        )
    resumed = book.bytes_acked if made is None or made.resumed else 0
    if job.meter is not None:
        job = attrs.evolve(job, meter=attrs.evolve(job.meter, base=resumed))
    job, book = yield from send_chunks(job, book)
    if not book.complete:
        return (yield from _cancelled(job))
    # A one-part file went in one request read just after its identity: a stat tells whether it
    # changed since. A file of several parts, read over minutes, has its sample read again.
    ensure_unchanged(job, full=not is_one_part(job.state))
    job, entry = yield from _checked(job, made)
    job = yield from progress(job, book.size, force=True)
    if job.options.wait_ready:
        entry = yield from wait_ready(job, entry)
    return _result(job, entry, resumed)


def _checked(job: Job, made: Creation | None) -> Flow[tuple[Job, BaseEntry]]:
    """Return the upload's entry, checked: by the create request itself when it could tell.

    The last look decides (recover rule 8) and hands the marker to the run's next request.
    """
    read = made.entry if made is not None else None
    if made and read and made.response and made.look and read.status in ACCEPTED_STATUSES:
        # token finished and entry accepted, in that one request: look last
        entry = yield from last_look(job, read, made.response, made.look)
    else:
        entry = yield from verify(job)
    return job.saved(attrs.evolve(job.state, marker_id=None)), entry


def _cancelled(job: Job) -> Flow[UploadResult]:
    kept = job.options.keep_on_cancel
    if not kept:
        job = yield from cleanup(job)
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
