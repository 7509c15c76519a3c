"""The working state of one upload flow: request, options, saved state, counters, progress."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import attrs

from kaltura_mm.errors import ResponseError, TransportError
from kaltura_mm.models import UploadToken
from kaltura_mm.protocol.calls import Call, FilePart, MultiRequest
from kaltura_mm.protocol.media_types import EntryKind
from kaltura_mm.protocol.upload import Chunk, ChunkBook, backoff_delay
from kaltura_mm.protocol.upload_request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.protocol.upload_result import UploadProgress
from kaltura_mm.runtime.effects import Flow, Sleep
from kaltura_mm.services import upload_token

OnState = Callable[[UploadState], None]
OnProgress = Callable[[UploadProgress], None]


class CancelSignal(Protocol):
    """Anything with ``is_set()``, such as ``threading.Event`` or ``asyncio.Event``."""

    def is_set(self) -> bool:
        """Return True once the upload should stop."""


@attrs.define
class ProgressMeter:
    """Turns acknowledged byte counts into throttled ``UploadProgress`` reports."""

    callback: OnProgress | None
    total: int
    interval: float
    path: Path | None = None
    started: float = attrs.field(factory=time.monotonic)
    base: int = 0
    last: float = -1e9

    def report(self, done: int, *, force: bool = False) -> None:
        """Call the callback with ``done`` bytes if the interval passed (or ``force``)."""
        now = time.monotonic()
        if self.callback is None or (not force and now - self.last < self.interval):
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        rate = max(0, done - self.base) / elapsed
        eta = (self.total - done) / rate if rate > 0 else None
        report = UploadProgress(
            path=self.path, bytes_done=done, bytes_total=self.total, rate=rate, eta=eta
        )
        self.callback(report)


@attrs.define
class UploadJob:
    """Everything one running upload knows; flows move ``state`` and count what they send."""

    request: UploadRequest
    options: UploadOptions
    kind: EntryKind
    state: UploadState
    on_state: OnState | None = None
    meter: ProgressMeter | None = None
    cancel: CancelSignal | None = None
    bytes_sent: int = 0
    chunks: int = 0
    retries: int = 0

    def save(self, state: UploadState) -> None:
        """Adopt ``state`` and hand it to ``on_state`` (a store, typically)."""
        self.state = state
        if self.on_state is not None:
            self.on_state(state)

    @property
    def cancelled(self) -> bool:
        """Return whether the caller asked the upload to stop."""
        return self.cancel is not None and self.cancel.is_set()

    def progress(self, done: int, *, force: bool = False) -> None:
        """Report ``done`` acknowledged bytes."""
        if self.meter is not None:
            self.meter.report(done, force=force)


def patiently(effect: Call[Any] | MultiRequest, options: UploadOptions) -> Flow[Any]:
    """Send a read or a harmless repeat, retrying transient failures with backoff and jitter.

    Only for effects that are safe to send twice (reads, deletes, the verify batch): the client
    already retried a few times quickly; this rides out longer outages.
    """
    attempt = 0
    while True:
        try:
            return (yield effect)
        except (TransportError, ResponseError):
            attempt += 1
            if attempt >= options.max_attempts:
                raise
            unit = random.random()  # jitter only, not security
            yield Sleep(backoff_delay(attempt, unit, options.backoff_base, options.backoff_cap))


def part_of(job: UploadJob, book: ChunkBook, chunk: Chunk, token_id: str) -> Call[UploadToken]:
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
