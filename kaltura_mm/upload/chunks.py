"""Send a file's chunks to its upload token, in parallel, retried, from the server's truth.

The sequencing rules live in ``kaltura_mm.upload.plan`` (``ChunkBook``); this flow starts what the
book allows, feeds answers back, and meets each failure with one rule:

- a transient failure (connection reset, 5xx, timeout) is retried with backoff and jitter, after
  asking the server what it holds (``uploadToken.get``) and continuing from that truth;
- ``ACTION_BLOCKED`` and HTTP 429 halve the number of chunks in flight and pause as the runtime
  says (``runtime.throttle``); the pace climbs back by one chunk per success. A chunk blocked as
  often as the retry policy sends a blocked request (``throttled_attempts``, ``--retries``)
  stops the upload with an ``UploadError`` that keeps the token for ``resume_upload``;
- the final chunk's ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE`` while parts before it are still
  on their way holds the tail back until the next acknowledgement (plan rule 5); with nothing on
  its way it is a miss, retried, and after repeated misses the chunks beyond the server's
  contiguous prefix are sent again (plan rule 8);
- ``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED``: the token was idle longer than the server resumes
  (7 days) and is dead: ``TokenExpired`` hands the job back, for a new token (recover rule 4);
- any other refusal is checked against the token (the chunk may have landed already) and stops
  the upload, keeping the token and entry for ``resume_upload``;
- a token found FULL_UPLOAD or CLOSED ends the sending whatever size it reports, and the tail
  counts only when the token is finished (plan rules 7 and 9): a PARTIAL token holding every
  byte gets its final request again;
- with nothing in flight and nothing to send, the token is asked again, paced with backoff and
  at most ``max_attempts`` times, then the upload stops saying what it waited for;
- the file is checked with a ``stat`` at every acknowledgement and fully before the final chunk.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from kaltura_mm.errors import (
    ApiError,
    ConfigError,
    FileChangedError,
    KalturaError,
    ResponseError,
    ResumeExpiredError,
    TransportError,
    UploadError,
)
from kaltura_mm.models import UploadToken
from kaltura_mm.runtime.effects import Flow, NextDone, Start
from kaltura_mm.runtime.throttle import again, is_blocked
from kaltura_mm.services import upload_token
from kaltura_mm.upload import local_file
from kaltura_mm.upload.job import Job, failed_again, part_of, patiently, progress
from kaltura_mm.upload.plan import Chunk, ChunkBook
from kaltura_mm.upload.recover import held

_SIZE_MISMATCH = "UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"
_MISSES_BEFORE_DISTRUST = 2
_THROTTLE_CAP = 5.0


class TokenExpired(UploadError):
    """The server refused the upload's token as idle too long (7 days): it takes no more parts.

    ``job`` is the upload as it stood; the upload engine starts a new token for the same entry.
    """

    def __init__(self, job: Job, cause: ResumeExpiredError) -> None:
        """Say which token died, keeping the job to start over from."""
        token = job.state.token_id
        super().__init__(
            f"upload token {token} was idle longer than the server resumes an upload "
            f"({cause.message}): it is dead; run the upload again to send the file into a new "
            "token of the same entry",
            token_id=token,
            uploaded=0,
            state=job.state,
        )
        self.job = job
        self.__cause__ = cause


@attrs.frozen
class ChunkPace:
    """How many chunks may be in flight: halved when the server pushes back, regrown on success."""

    ceiling: int
    current: int
    throttles: int = 0

    def slowed(self) -> ChunkPace:
        """Return the pace after a throttled answer."""
        return attrs.evolve(self, current=max(1, self.current // 2), throttles=self.throttles + 1)

    def succeeded(self) -> ChunkPace:
        """Return the pace after an acknowledged chunk."""
        return attrs.evolve(self, current=min(self.ceiling, self.current + 1))


@attrs.frozen
class ChunkSendState:
    """Where ``send_chunks`` stands: the job, the book, the pace, and what failed so far."""

    job: Job
    book: ChunkBook
    pace: ChunkPace
    failures: Mapping[int, int] = attrs.field(factory=dict)  # transient failures per chunk
    blocked: Mapping[int, int] = attrs.field(factory=dict)  # blocked sends per chunk, in a row
    misses: int = 0  # the tail's size mismatches with nothing else in flight
    hold_tail: bool = False  # the tail came back early: send it after the next acknowledgement
    idle: int = 0  # checks of the token with nothing to send (bounded)


def truth(job: Job, book: ChunkBook, *, distrust: bool = False) -> Flow[ChunkBook]:
    """Return ``book`` corrected from what the server's token holds (plan rules 7 and 8)."""
    get = upload_token.get(job.state.token_id or "")
    token: UploadToken = yield from patiently(get, job.options)
    return book.recover(*held(token), distrust=distrust)


def ensure_unchanged(job: Job, *, full: bool) -> None:
    """Raise ``FileChangedError`` if the file differs from the state's fingerprint."""
    path, expected = job.request.path, job.state.fingerprint
    changed = (local_file.full_check if full else local_file.quick_check)(path, expected)
    if changed:
        raise FileChangedError(
            f"{path} changed during the upload ({', '.join(changed)}): the upload was stopped "
            "so that old and new content are never mixed; upload the file again",
            state=job.state,
        )


def send_chunks(job: Job, book: ChunkBook) -> Flow[tuple[Job, ChunkBook]]:
    """Send every chunk the book still needs; return job and book (complete unless cancelled)."""
    run = ChunkSendState(job, book, ChunkPace(job.options.concurrency, job.options.concurrency))
    while not run.book.complete and not run.job.cancelled:
        run = yield from _start_ready(run)
        if not run.book.in_flight:
            run = yield from _idle(run)
            continue
        index, outcome = yield NextDone()
        chunk = run.book.chunks[index]
        if isinstance(outcome, UploadToken):
            run = yield from _acknowledged(run, chunk, outcome)
        else:
            run = yield from _failed(attrs.evolve(run, book=run.book.fail(chunk)), chunk, outcome)
    return run.job, run.book


def _idle(run: ChunkSendState) -> Flow[ChunkSendState]:
    """Nothing in flight and nothing to start: the held-back tail goes, or ask the token.

    The tail waits for the next acknowledgement after an early size mismatch (``hold_tail``);
    when the parts it waited for failed instead, nothing else will come, so it goes now. Any other
    idle moment is unexpected: the token is asked, paced and at most ``max_attempts`` times.
    """
    if run.hold_tail:
        return attrs.evolve(run, hold_tail=False)
    idle = run.idle + 1
    options = run.job.options
    if not (yield from failed_again(idle, options, limit=options.max_attempts + 1)):
        token = run.job.state.token_id
        raise UploadError(
            f"the upload stalled: after {idle - 1} checks of token {token} "
            f"({run.book.bytes_acked} of {run.book.size} bytes confirmed) no chunk was left to "
            "send and the token was not finished; resume_upload(error.state) asks it again",
            token_id=token,
            uploaded=run.book.bytes_acked,
            state=run.job.state,
        )
    book = yield from truth(run.job, run.book, distrust=True)
    return attrs.evolve(run, book=book, idle=idle)


def _start_ready(run: ChunkSendState) -> Flow[ChunkSendState]:
    job, book = run.job, run.book
    for chunk in book.ready(limit=run.pace.current - len(book.in_flight)):
        if chunk.index == book.tail.index:
            if run.hold_tail:
                continue
            ensure_unchanged(job, full=True)
        yield Start(chunk.index, part_of(job, book, chunk, job.state.token_id or ""))
        book, job = book.start(chunk), job.sent(chunk.length)
    return attrs.evolve(run, job=job, book=book)


def _acknowledged(run: ChunkSendState, chunk: Chunk, token: UploadToken) -> Flow[ChunkSendState]:
    book = run.book.ack(chunk, completes=held(token)[1])
    ensure_unchanged(run.job, full=False)
    job = run.job.saved(run.job.state.with_book(book))
    job = yield from progress(job, book.bytes_acked, force=book.complete)
    blocked = {i: n for i, n in run.blocked.items() if i != chunk.index}
    pace = run.pace.succeeded()
    return attrs.evolve(run, job=job, book=book, pace=pace, hold_tail=False, blocked=blocked)


def _failed(run: ChunkSendState, chunk: Chunk, error: KalturaError) -> Flow[ChunkSendState]:
    """Meet a chunk's failure with the one rule that applies (the module docstring's list)."""
    if isinstance(error, ConfigError):  # the client found the file shorter than planned
        ensure_unchanged(run.job, full=True)
        raise error
    if isinstance(error, ResumeExpiredError):
        for _ in run.book.in_flight:  # refused the same way: let them land, none answers later
            yield NextDone()
        raise TokenExpired(run.job, error)
    if is_blocked(error):
        return (yield from _slow_down(run, chunk, error))
    if isinstance(error, ApiError) and error.code == _SIZE_MISMATCH and run.book.in_flight:
        return attrs.evolve(run, hold_tail=True)  # parts before it are on their way (rule 5)
    if isinstance(error, ApiError) and error.code == _SIZE_MISMATCH:
        return (yield from _missed(run, chunk, error))
    if isinstance(error, ApiError):
        return (yield from _refused(run, chunk, error))
    return (yield from _transient(run, chunk, error))


def _slow_down(run: ChunkSendState, chunk: Chunk, error: KalturaError) -> Flow[ChunkSendState]:
    """A chunk the rate limiter blocked: fewer in flight, and again if the runtime allows."""
    times = run.blocked.get(chunk.index, 0) + 1
    run = attrs.evolve(run, pace=run.pace.slowed(), blocked={**run.blocked, chunk.index: times})
    base = run.job.options.backoff_base
    if not (yield from again(times, blocked=True, base=base, cap=_THROTTLE_CAP)):
        raise _stopped(run, chunk, error, times)  # the token is kept: resume_upload goes on
    return run


def _missed(run: ChunkSendState, chunk: Chunk, error: ApiError) -> Flow[ChunkSendState]:
    misses = run.misses + 1
    if misses > run.job.options.max_attempts:
        raise _stopped(run, chunk, error, misses)
    distrust = misses >= _MISSES_BEFORE_DISTRUST
    book = yield from truth(run.job, run.book, distrust=distrust)
    return attrs.evolve(run, book=book, misses=misses)


def _refused(run: ChunkSendState, chunk: Chunk, error: ApiError) -> Flow[ChunkSendState]:
    book = yield from truth(run.job, run.book)
    if book.complete or chunk.index in book.acked:  # it had landed after all
        return attrs.evolve(run, book=book)
    raise _stopped(attrs.evolve(run, book=book), chunk, error, 1)


def _transient(run: ChunkSendState, chunk: Chunk, error: KalturaError) -> Flow[ChunkSendState]:
    times = run.failures.get(chunk.index, 0) + 1
    run = attrs.evolve(run, job=run.job.retried(), failures={**run.failures, chunk.index: times})
    options = run.job.options
    if not isinstance(error, TransportError | ResponseError):
        raise _stopped(run, chunk, error, times)
    if not (yield from failed_again(times, options)):
        raise _stopped(run, chunk, error, times)
    return attrs.evolve(run, book=(yield from truth(run.job, run.book)))


def _stopped(run: ChunkSendState, chunk: Chunk, error: KalturaError, times: int) -> UploadError:
    stopped = UploadError(
        f"the chunk at byte {chunk.offset} failed ({times}x): {error}; "
        "resume_upload(error.state) continues from what the server holds",
        token_id=run.job.state.token_id,
        uploaded=run.book.bytes_acked,
        state=run.job.state,
    )
    stopped.__cause__ = error
    return stopped
