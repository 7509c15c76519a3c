"""The working state of one upload: frozen, moved with ``attrs.evolve``, saved through a hook.

A ``Job`` holds what one upload knows: the request and its options, the entry kind, the
``UploadState`` it would resume from, what this run put on the wire (``Tally``) and its progress
``Meter``. Flows take a job and return the moved one; nothing mutates it. Its ``Hooks`` are the
only effects beside the requests: ``on_state`` hears every state saved (a store, a journal),
``on_progress`` the throttled progress, ``cancel`` is asked between chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import attrs

from kaltura_mm.models import UploadToken
from kaltura_mm.protocol.calls import Call, FilePart, MultiRequest
from kaltura_mm.runtime.effects import Flow, Now
from kaltura_mm.runtime.patience import Patience
from kaltura_mm.runtime.patience import patiently as runtime_patiently
from kaltura_mm.runtime.throttle import again
from kaltura_mm.services import upload_token
from kaltura_mm.upload.media_types import EntryKind
from kaltura_mm.upload.plan import Chunk, ChunkBook
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.result import UploadProgress
from kaltura_mm.upload.seen import SeenTokens
from kaltura_mm.upload.unmark import Unmarks

OnState = Callable[[UploadState], None]
OnProgress = Callable[[UploadProgress], None]
Reporter = Callable[[UploadProgress, float], None]
"""Hears a progress report and the runtime's clock reading it was made at."""


class CancelSignal(Protocol):
    """Anything with ``is_set()``, such as ``threading.Event`` or ``asyncio.Event``."""

    def is_set(self) -> bool:
        """Return True once the upload should stop."""


def reporter(on_progress: OnProgress | None) -> Reporter | None:
    """Return the reporter that hands each report to ``on_progress`` (None: nobody listens)."""
    if on_progress is None:
        return None
    return lambda progress, now: on_progress(progress)


@attrs.frozen
class Hooks:
    """Where an upload reports: saved states, progress, and whether to stop."""

    on_state: OnState | None = None
    on_progress: Reporter | None = None
    cancel: CancelSignal | None = None


@attrs.frozen
class Meter:
    """Turns acknowledged byte counts into ``UploadProgress`` reports, one per ``interval``."""

    total: int
    interval: float
    started: float
    path: Path | None = None
    base: int = 0  # bytes an earlier run sent: not counted in the rate
    last: float = -1e9

    def report(
        self, done: int, now: float, *, force: bool = False
    ) -> tuple[Meter, UploadProgress | None]:
        """Return the moved meter and the report for ``done`` bytes (None if too soon)."""
        if not force and now - self.last < self.interval:
            return self, None
        rate = max(0, done - self.base) / max(now - self.started, 1e-9)
        eta = (self.total - done) / rate if rate > 0 else None
        progress = UploadProgress(
            path=self.path, bytes_done=done, bytes_total=self.total, rate=rate, eta=eta
        )
        return attrs.evolve(self, last=now), progress


@attrs.frozen
class Tally:
    """What this run put on the wire: bytes and chunks (retries included), and retries."""

    bytes_sent: int = 0
    chunks: int = 0
    retries: int = 0


@attrs.define
class SessionFacts:
    """What a run learned of its session, shared by the uploads of one batch (mutable).

    ``reference_id_kept``: a create's answer showed the referenceId sent (True), so the session
    may write it and later creates carry the file's first part; None until one shows it.
    ``seen``: the upload tokens the run listed, by size (what each last look need not ask again).
    ``unmarks``: decided markers whose deletion rides a later request of the batch.
    """

    reference_id_kept: bool | None = None
    seen: SeenTokens = attrs.Factory(SeenTokens)
    unmarks: Unmarks = attrs.Factory(Unmarks)


@attrs.frozen
class Job:
    """Everything one running upload knows; flows return it moved (``facts`` is shared)."""

    request: UploadRequest
    options: UploadOptions
    kind: EntryKind
    state: UploadState
    hooks: Hooks = Hooks()
    meter: Meter | None = None
    tally: Tally = Tally()
    facts: SessionFacts = attrs.field(factory=SessionFacts, eq=False)

    def saved(self, state: UploadState) -> Job:
        """Return the job at ``state``, handed to ``on_state`` first."""
        if self.hooks.on_state is not None:
            self.hooks.on_state(state)
        return attrs.evolve(self, state=state)

    def sent(self, chunk_length: int) -> Job:
        """Return the job counting one more chunk of ``chunk_length`` bytes on the wire."""
        tally = self.tally
        return attrs.evolve(
            self,
            tally=attrs.evolve(
                tally, bytes_sent=tally.bytes_sent + chunk_length, chunks=tally.chunks + 1
            ),
        )

    def retried(self) -> Job:
        """Return the job counting one more retry."""
        return attrs.evolve(self, tally=attrs.evolve(self.tally, retries=self.tally.retries + 1))

    @property
    def cancelled(self) -> bool:
        """Return whether the caller asked the upload to stop."""
        return self.hooks.cancel is not None and self.hooks.cancel.is_set()

    def reported(self, done: int, now: float, *, force: bool = False) -> Job:
        """Return the job once ``done`` acknowledged bytes were reported (if it is time)."""
        if self.meter is None or self.hooks.on_progress is None:
            return self
        meter, progress = self.meter.report(done, now, force=force)
        if progress is not None:
            self.hooks.on_progress(progress, now)
        return attrs.evolve(self, meter=meter)


def progress(job: Job, done: int, *, force: bool = False) -> Flow[Job]:
    """Report ``done`` acknowledged bytes at the runtime's clock; return the moved job."""
    now = yield Now()
    return job.reported(done, now, force=force)


def failed_again(attempt: int, options: UploadOptions, limit: int | None = None) -> Flow[bool]:
    """Pause after the upload's failure number ``attempt`` and return True, or return False when
    ``limit`` (``options.max_attempts``: ``--retries``) is spent; the runtime decides and waits
    (``runtime.throttle``), on the upload's own backoff shape."""
    bound = options.max_attempts if limit is None else limit
    base, cap = options.backoff_base, options.backoff_cap
    return (yield from again(attempt, blocked=False, limit=bound, base=base, cap=cap))


def patiently(effect: Call[Any] | MultiRequest, options: UploadOptions) -> Flow[Any]:
    """Send a read or a harmless repeat, retrying transient failures with backoff and jitter.

    Only for effects that are safe to send twice (reads, deletes, the verify batch): the client
    already retried a few times quickly; this rides out longer outages, and a rate limiter's
    window longer than the client's own pauses (``ACTION_BLOCKED``: not run).
    """
    patience = Patience(options.max_attempts, options.backoff_base, options.backoff_cap)
    return (yield from runtime_patiently(effect, patience))


def part_of(job: Job, book: ChunkBook, chunk: Chunk, token_id: str) -> Call[UploadToken]:
    """Return the ``uploadToken.upload`` call sending ``chunk`` with the flags the book gives it.

    ``token_id`` may be a multiRequest ``Ref`` (the first part rides in the create request).
    """
    send = book.send_for(chunk)
    part = FilePart(
        path=job.request.path,
        offset=chunk.offset,
        length=chunk.length,
        filename=job.request.path.name,
    )
    return upload_token.upload(
        token_id, part, resume=send.resume, final_chunk=send.final_chunk, resume_at=send.resume_at
    )
