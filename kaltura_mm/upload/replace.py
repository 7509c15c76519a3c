"""Replace an entry's content with a local file, keeping the entry: ``replace_content``.

The entry keeps its id, and with it its embeds, plays and categories; the server makes a
temporary entry that takes the new file and swaps it in once it is READY (the original keeps its
old content meanwhile: docs/sandbox.md, "Content replacement"). The rules:

1. One request opens the replacement before any byte beyond the first part is sent: a token
   under a name only this entry and this content make (``UploadState.token_file_name`` under the
   referenceId ``replace:<entry id>``), the first part, and ``baseEntry.updateContent`` with that
   token. A refusal (``FEATURE_FORBIDDEN``: the partner may not replace content;
   ``ENTRY_REPLACEMENT_ALREADY_EXISTS``: another replacement is pending) therefore costs one part,
   not the whole file; the token is deleted and the refusal raised saying what to do.
2. The rest of the file goes through the upload engine's chunk sender (``send_chunks``): in
   parallel, retried, resumable from the ``UploadState`` handed to ``on_state`` at every confirmed
   step. A token, once attached, is never deleted by this flow (that would leave the entry's
   replacement pending for good): a cancelled replace keeps it for resuming.
3. Without a saved state, a token of this entry and content is found by its name: an open one
   is continued; a CLOSED one was attached already (this very replacement was made, and is
   pending or done), so nothing is sent. A pending replacement that is not this file's is
   refused before anything is sent.
4. When the token holds the whole file it is attached if it is not yet (a create whose answer was
   lost, rule 3); the server closes an attached token as it completes.
5. A saved state whose file changed since is not resumed (old and new content are never mixed):
   the replacement it began, still waiting for the rest of the old file, is cancelled
   (``media.cancelReplace``) and its token deleted, and the file as it is now starts over. One
   whose token already holds the whole old file is left to the server.
6. What the replacement became is read from ``replacementStatus`` (``kaltura_mm.upload.
   replacement``): approved with ``approve`` where the partner requires approval, else reported
   awaiting approval; a failed one cancelled and raised naming the cause; a stale one (FAILED,
   its temporary entry broken or gone, or ready and waiting for approval of another file)
   cancelled before this one starts, and this file's tokens under it deleted so it is sent again.
7. A token the server refuses as idle over 7 days (``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED``)
   is dead: the replacement it fed is cancelled, the token deleted, and the file sent anew.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import attrs

from kaltura_mm.errors import (
    ApiError,
    FileChangedError,
    ReplacementFailedError,
    ResponseError,
    TransportError,
    UploadCancelledError,
    UploadError,
    UploadTokenNotFoundError,
)
from kaltura_mm.models import (
    BaseEntry,
    ListPage,
    Pager,
    UploadedFileTokenResource,
    UploadToken,
    UploadTokenFilter,
    UploadTokenStatus,
)
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse
from kaltura_mm.runtime.effects import Flow, Now
from kaltura_mm.services import base_entry, media, upload_token
from kaltura_mm.upload.chunks import TokenExpired, ensure_unchanged, send_chunks, truth
from kaltura_mm.upload.job import CancelSignal, Hooks, Job, OnProgress, OnState, part_of, reporter
from kaltura_mm.upload.plan import ChunkBook
from kaltura_mm.upload.prepare import prepare
from kaltura_mm.upload.recover import held
from kaltura_mm.upload.replace_result import ReplaceResult as ReplaceResult
from kaltura_mm.upload.replacement import cancel_stale, settle
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.tidy import delete_token

REPLACE_MARK = "replace:"
_FORBIDDEN = "FEATURE_FORBIDDEN"
_PENDING = "ENTRY_REPLACEMENT_ALREADY_EXISTS"
_OURS = (
    UploadTokenStatus.PENDING,
    UploadTokenStatus.PARTIAL_UPLOAD,
    UploadTokenStatus.FULL_UPLOAD,
    UploadTokenStatus.CLOSED,
)


def replace_request(entry_id: str, path: str | Path) -> UploadRequest:
    """Return the request a replacement of ``entry_id`` by ``path`` is known by (its names)."""
    return UploadRequest(path=path, reference_id=f"{REPLACE_MARK}{entry_id}")


def replace_content(
    entry_id: str,
    path: str | Path,
    options: UploadOptions | None = None,
    state: UploadState | None = None,
    on_state: OnState | None = None,
    on_progress: OnProgress | None = None,
    cancel: CancelSignal | None = None,
    *,
    approve: bool = False,
    fresh: bool = False,
) -> Flow[ReplaceResult]:
    """Replace the content of ``entry_id`` with the file at ``path`` (rules 1 to 6).

    ``fresh``: the entry is known to hold other content than the file now (another tool
    replaced it since this file went in): a CLOSED token of this entry and content says
    nothing of it any more, is deleted, and the file is sent again (rule 3 would send nothing).

    ``state`` (from ``on_state``) resumes an interrupted replacement; ``options.wait_ready``
    waits until the server swapped the new content in (at most ``options.ready_timeout``);
    ``approve`` approves the replacement where the partner requires approval
    (``media.approveReplace``), else it ends ``awaiting_approval``.
    """
    options = attrs.evolve(options or UploadOptions(), keep_on_cancel=True, support_documents=True)
    request = state.request if state is not None else replace_request(entry_id, path)
    hooks = Hooks(on_state, reporter(on_progress), cancel)
    now = yield Now()
    try:
        job = yield from prepare(request, options, state, hooks, now)
    except FileChangedError:
        if state is None:
            raise
        yield from _abandon(entry_id, state)
        job = yield from prepare(replace_request(entry_id, path), options, None, hooks, now)
    job = job.saved(attrs.evolve(job.state, entry_id=entry_id))
    try:
        return (yield from _replace(job, approve, fresh))
    except (UploadError, ApiError):
        raise
    except (TransportError, ResponseError) as exc:
        raise UploadError(
            f"the replacement of entry {entry_id} stopped: {exc}; run it again to resume",
            token_id=job.state.token_id,
            state=job.state,
        ) from exc


def _dropped(job: Job) -> Flow[Job]:
    """Cancel the replacement a dead token fed (the server takes no more of it) and delete it."""
    entry: BaseEntry = yield base_entry.get(job.state.entry_id or "")
    if entry.replacing_entry_id:
        yield media.cancel_replace(job.state.entry_id or "")
    yield from delete_token(job.state.token_id or "", job.options)
    return job.saved(attrs.evolve(job.state, token_id=None, confirmed_offsets=()))


def _abandon(entry_id: str, state: UploadState) -> Flow[None]:
    """Drop the replacement ``state`` began of a file that changed since (rule 5)."""
    token: UploadToken | None = None
    if state.token_id:
        with contextlib.suppress(UploadTokenNotFoundError):
            token = yield upload_token.get(state.token_id)
    if token is None or token.status is UploadTokenStatus.CLOSED:
        return  # nothing of it is open: the server has (or converts) what it received
    entry: BaseEntry = yield base_entry.get(entry_id)
    if entry.replacing_entry_id:
        yield media.cancel_replace(entry_id)
    yield from delete_token(token.id)


def _replace(job: Job, approve: bool, fresh: bool = False) -> Flow[ReplaceResult]:
    entry: BaseEntry = yield base_entry.get(job.state.entry_id or "")
    mine = yield from _named(job)
    if fresh:  # put in before another tool's content: it no longer says the entry holds it
        for token in [t for t in mine if t.status is UploadTokenStatus.CLOSED]:
            yield from delete_token(token.id or "", job.options)
        mine = [t for t in mine if t.status is not UploadTokenStatus.CLOSED]
    entry, stale = yield from cancel_stale(entry, ours=bool(mine))
    if stale is not None:  # this file's tokens went with it: send the file again (rule 6)
        for token in mine:
            yield from delete_token(token.id, job.options)
        job, mine = job.saved(attrs.evolve(job.state, token_id=None, confirmed_offsets=())), []
    book, resumed = None, 0
    if job.state.token_id:
        job, book = yield from _saved(job)
    if book is None:
        job, book = _found(job, entry, mine)
    if book is None:
        job, book = yield from _open(job)
    else:
        resumed = book.bytes_acked
    try:
        job, book = yield from send_chunks(job, book)
    except TokenExpired as dead:  # idle over 7 days: its replacement is dropped, sent anew
        job, resumed = (yield from _dropped(dead.job)), 0
        job, book = yield from _open(job)
        job, book = yield from send_chunks(job, book)
    if not book.complete:
        raise UploadCancelledError(
            f"the replacement of entry {job.state.entry_id} was cancelled; its upload is kept "
            "for resuming and the entry keeps its old content",
            token_id=job.state.token_id,
            uploaded=job.state.bytes_confirmed,
            state=job.state,
        )
    ensure_unchanged(job, full=True)
    yield from _attached(job)
    try:
        entry = yield from settle(job.state.entry_id or "", job.options, approve)
    except ReplacementFailedError:
        # cancelled on the server: its token, attached and closed, must not pass for a
        # replacement made (rule 3) when this file is sent again
        yield from delete_token(job.state.token_id or "", job.options)
        raise
    return ReplaceResult(
        entry=entry,
        token_id=job.state.token_id,
        bytes_sent=job.tally.bytes_sent,
        chunks=job.tally.chunks,
        retries=job.tally.retries,
        bytes_resumed=resumed,
        stale_cancelled=stale,
    )


def _saved(job: Job) -> Flow[tuple[Job, ChunkBook | None]]:
    """Return the saved replacement's book from what its token holds (None: the token is gone)."""
    try:
        book = yield from truth(job, job.state.book())
    except UploadTokenNotFoundError:
        return job.saved(attrs.evolve(job.state, token_id=None, confirmed_offsets=())), None
    return job.saved(job.state.with_book(book)), book


def _named(job: Job) -> Flow[list[UploadToken]]:
    """Return this entry and content's tokens, found by their name (rule 3)."""
    name = job.state.token_file_name
    page: ListPage[UploadToken] = yield upload_token.list(
        UploadTokenFilter(file_name_equal=name, status_in=_OURS), Pager(page_size=50)
    )
    size = job.state.fingerprint.size
    return [t for t in page.objects if t.file_name == name and t.file_size in (None, size)]


def _found(job: Job, entry: BaseEntry, mine: list[UploadToken]) -> tuple[Job, ChunkBook | None]:
    """Continue this entry and content's token (rule 3); refuse another's replacement.

    A CLOSED token under the name was attached to this entry with this very content: the
    replacement was made (and is pending or done), and nothing is sent again.
    """
    if not mine:
        if entry.replacing_entry_id:
            raise _refusal(job, ApiError.create(_PENDING, "a replacement is pending"))
        return job, None
    closed = UploadTokenStatus.CLOSED
    keep = max(mine, key=lambda t: (t.status is closed, held(t)[0]))  # others: left as they are
    job = job.saved(attrs.evolve(job.state, token_id=keep.id, confirmed_offsets=()))
    book = job.state.book().recover(*held(keep))
    return job.saved(job.state.with_book(book)), book


def _open(job: Job) -> Flow[tuple[Job, ChunkBook]]:
    """Send token, first part and ``updateContent`` in one request (rule 1)."""
    book = job.state.book()
    batch = MultiRequest()
    token = batch.add(upload_token.add(job.state.token_file_name, job.state.fingerprint.size))
    head = batch.add(part_of(job, book, book.head, token.id))
    resource = UploadedFileTokenResource(token=token.id)
    attach = batch.add(base_entry.update_content(job.state.entry_id or "", resource))
    job = job.sent(book.head.length)
    answer: MultiResponse = yield batch
    made = answer.outcome(token)
    if not isinstance(made, UploadToken):
        raise made
    job = job.saved(attrs.evolve(job.state, token_id=made.id))
    refused = answer.outcome(attach)
    if isinstance(refused, ApiError):
        yield from delete_token(made.id, job.options)
        job = job.saved(attrs.evolve(job.state, token_id=None))
        raise _refusal(job, refused)
    sent = answer.outcome(head)
    if isinstance(sent, UploadToken):
        book = book.start(book.head).ack(book.head, completes=held(sent)[1])
        job = job.saved(job.state.with_book(book))
    return job, book


def _attached(job: Job) -> Flow[None]:
    """Attach the whole token if nothing did yet (rule 4)."""
    token: UploadToken = yield upload_token.get(job.state.token_id or "")
    if token.status is not UploadTokenStatus.FULL_UPLOAD:
        return  # CLOSED: attached, and its file handed over
    resource = UploadedFileTokenResource(token=job.state.token_id or "")
    try:
        yield base_entry.update_content(job.state.entry_id or "", resource)
    except ApiError as exc:
        again: UploadToken = yield upload_token.get(job.state.token_id or "")
        if again.status is UploadTokenStatus.CLOSED:
            return  # it was attached after all, as its last part landed
        # whole and attached to nothing
        yield from delete_token(job.state.token_id or "", job.options)
        raise _refusal(job, exc) from exc


def _refusal(job: Job, exc: ApiError) -> ApiError:
    """Return the server's refusal with what it means and what to do (rule 1)."""
    entry_id = job.state.entry_id
    if exc.code == _FORBIDDEN:
        text = (
            f"entry {entry_id}: this account may not replace content (FEATURE_ENTRY_REPLACEMENT "
            "is off): ask Kaltura to enable entry replacement, or delete the entry and upload "
            "the file as a new one"
        )
    elif exc.code == _PENDING:
        text = (
            f"entry {entry_id} already has a replacement pending from another upload: wait until "
            "the server has swapped it in (the entry's replacingEntryId is then empty), then "
            "run the replacement again"
        )
    else:
        text = f"entry {entry_id}: the server refused the replacement: {exc.message}"
    return ApiError.create(exc.code, text, exc.kaltura_args, exc.call)
