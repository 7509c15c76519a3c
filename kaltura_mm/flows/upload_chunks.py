"""Send a file's chunks to its upload token, in parallel, retried, from the server's truth.

The sequencing rules live in ``kaltura_mm.protocol.upload`` (``ChunkBook``); this flow only
starts what the book allows, feeds answers back, and handles failures:

- a transient failure (connection reset, 5xx, timeout) is retried with backoff and jitter, after
  asking the server what it holds (``uploadToken.get``) and continuing from that truth;
- ``ACTION_BLOCKED`` and HTTP 429 halve the number of chunks in flight and pause, never counting
  as a failure; the pace climbs back by one chunk per success;
- the final chunk's ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE`` is retried, and after repeated
  misses the chunks beyond the server's contiguous prefix are sent again (rule 8);
- any other refusal is checked against the token (the chunk may have landed already) and stops
  the upload, keeping the token and entry for ``resume_upload``;
- the file is checked with a ``stat`` at every acknowledgement and fully before the final chunk.
"""

from __future__ import annotations

import random

from kaltura_mm.errors import (
    ActionBlockedError,
    ApiError,
    ConfigError,
    FileChangedError,
    KalturaError,
    ResponseError,
    TransportError,
    UploadError,
)
from kaltura_mm.flows import local_file
from kaltura_mm.flows.upload_job import UploadJob, part_of, patiently
from kaltura_mm.models import UploadToken, UploadTokenStatus
from kaltura_mm.protocol.upload import Chunk, ChunkBook, backoff_delay
from kaltura_mm.runtime.effects import Flow, NextDone, Sleep, Start
from kaltura_mm.services import upload_token

FINISHED_TOKEN = frozenset({UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED})
_SIZE_MISMATCH = "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
_MISSES_BEFORE_DISTRUST = 2
_MAX_THROTTLES = 200
_THROTTLE_CAP = 5.0


class _Pace:
    """How many chunks may be in flight: halved when the server pushes back, regrown on success."""

    def __init__(self, ceiling: int) -> None:
        self.ceiling = ceiling
        self.current = ceiling
        self.throttles = 0

    def slow_down(self) -> None:
        self.current = max(1, self.current // 2)
        self.throttles += 1

    def succeed(self) -> None:
        self.current = min(self.ceiling, self.current + 1)


def _is_throttle(error: KalturaError) -> bool:
    return isinstance(error, ActionBlockedError) or (
        isinstance(error, ResponseError) and error.status == 429
    )


def truth(job: UploadJob, book: ChunkBook, *, distrust: bool = False) -> Flow[ChunkBook]:
    """Return ``book`` corrected from what the server's token holds."""
    get = upload_token.get(job.state.token_id or "")
    token: UploadToken = yield from patiently(get, job.options)
    uploaded = token.uploaded_file_size or 0
    return book.recover(uploaded, token.status in FINISHED_TOKEN, distrust=distrust)


def ensure_unchanged(job: UploadJob, *, full: bool) -> None:
    """Raise ``FileChangedError`` if the file differs from the state's fingerprint."""
    path, expected = job.request.path, job.state.fingerprint
    changed = (local_file.full_check if full else local_file.quick_check)(path, expected)
    if changed:
        raise FileChangedError(
            f"{path} changed during the upload ({', '.join(changed)}): the upload was stopped "
            "so that old and new content are never mixed; upload the file again",
            state=job.state,
        )


def _stopped(
    job: UploadJob, book: ChunkBook, chunk: Chunk, error: KalturaError, times: int
) -> UploadError:
    stopped = UploadError(
        f"the chunk at byte {chunk.offset} failed ({times}x): {error}; "
        "resume_upload(error.state) continues from what the server holds",
        token_id=job.state.token_id,
        uploaded=book.bytes_acked,
        state=job.state,
    )
    stopped.__cause__ = error
    return stopped


def _start_ready(
    job: UploadJob, book: ChunkBook, limit: int, *, hold_tail: bool = False
) -> Flow[ChunkBook]:
    for chunk in book.ready(limit=limit - len(book.in_flight)):
        if chunk.index == book.tail.index:
            if hold_tail:
                continue
            ensure_unchanged(job, full=True)
        yield Start(chunk.index, part_of(job, book, chunk, job.state.token_id or ""))
        book = book.start(chunk)
        job.chunks += 1
        job.bytes_sent += chunk.length
    return book


def send_chunks(job: UploadJob, book: ChunkBook) -> Flow[ChunkBook]:
    """Send every chunk the book still needs; return the book (complete unless cancelled)."""
    pace = _Pace(job.options.concurrency)
    failures: dict[int, int] = {}
    misses = 0
    hold_tail = False  # the tail came back early: re-send it after the next acknowledgement
    rng = random.Random()  # jitter only, not security
    options = job.options
    while not book.complete:
        if job.cancelled:
            return book
        book = yield from _start_ready(job, book, pace.current, hold_tail=hold_tail)
        if not book.in_flight:  # the tail was acknowledged without closing the file
            book = yield from truth(job, book, distrust=True)
            continue
        index, outcome = yield NextDone()
        chunk = book.chunks[index]
        if isinstance(outcome, UploadToken):
            book = book.ack(chunk, completes=outcome.status in FINISHED_TOKEN)
            hold_tail = False
            pace.succeed()
            ensure_unchanged(job, full=False)
            job.save(job.state.with_book(book))
            job.progress(book.bytes_acked, force=book.complete)
            continue
        book = book.fail(chunk)
        error: KalturaError = outcome
        if isinstance(error, ConfigError):  # the client found the file shorter than planned
            ensure_unchanged(job, full=True)
            raise error
        if _is_throttle(error) and pace.throttles < _MAX_THROTTLES:
            pace.slow_down()
            unit = rng.random()
            yield Sleep(backoff_delay(pace.throttles, unit, options.backoff_base, _THROTTLE_CAP))
            continue
        if isinstance(error, ApiError) and error.code == _SIZE_MISMATCH and book.in_flight:
            hold_tail = True  # parts before it are still on their way: not a miss (rule 5)
            continue
        if isinstance(error, ApiError) and error.code == _SIZE_MISMATCH:
            misses += 1
            if misses > options.max_attempts:
                raise _stopped(job, book, chunk, error, misses)
            book = yield from truth(job, book, distrust=misses >= _MISSES_BEFORE_DISTRUST)
            continue
        if isinstance(error, ApiError):
            book = yield from truth(job, book)
            if book.complete or index in book.acked:
                continue
            raise _stopped(job, book, chunk, error, 1)
        failures[index] = failures.get(index, 0) + 1
        job.retries += 1
        if failures[index] >= options.max_attempts or not isinstance(
            error, TransportError | ResponseError
        ):
            raise _stopped(job, book, chunk, error, failures[index])
        unit = rng.random()
        yield Sleep(backoff_delay(failures[index], unit, options.backoff_base, options.backoff_cap))
        book = yield from truth(job, book)
    return book
