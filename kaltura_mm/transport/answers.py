"""How long an answer may take and how large it may be, kept while the answer is read.

``response.read()`` holds whatever arrives, however large. Here a declared ``Content-Length``
past the cap is refused before any of the body is read; otherwise reading stops at the first
piece that goes past it. Either way the connection is dropped, not drained. The time is kept by
the answer clock (``clock``); through a transport without the clocked backend (one given to the
client, or an HTTP proxy from the environment), the clock starts when the answer's headers arrive
and is checked between the pieces of the body, each read still bounded by ``Timeouts.read``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import attrs
import httpx

from kaltura_mm.errors import AnswerTooLargeError
from kaltura_mm.transport.clock import AnswerClock


@attrs.frozen
class AnswerLimits:
    """What one answer may cost: ``seconds`` once the request is sent, ``max_bytes`` in size;
    ``give_up_in``: no wait of the request's (connecting, writing, reading) may last longer (the
    run's patience with a silent server, ``runtime.silence``); None: the timeouts alone.
    ``patience_first``: ``seconds`` is the patience's, shorter than ``Timeouts.answer``."""

    seconds: float
    max_bytes: int
    give_up_in: float | None = None
    patience_first: bool = False


def _refuse_declared(response: httpx.Response, limit: int, label: str) -> None:
    """Refuse an answer whose declared length is past ``limit``, before reading any of it."""
    declared = response.headers.get("Content-Length", "")
    encoded = response.headers.get("Content-Encoding", "identity").lower() != "identity"
    if declared.isdigit() and int(declared) > limit and not encoded:
        raise AnswerTooLargeError(limit, status=response.status_code, call=label)


class _Body:
    """The pieces of one answer's body, refusing to grow past the cap."""

    def __init__(
        self, response: httpx.Response, limits: AnswerLimits, clock: AnswerClock, label: str
    ) -> None:
        _refuse_declared(response, limits.max_bytes, label)
        clock.start()  # through a transport without the clocked backend: from the headers on
        self.response, self.limits, self.clock, self.label = response, limits, clock, label
        self.pieces: list[bytes] = []
        self.size = 0

    def add(self, piece: bytes) -> None:
        """Keep ``piece``, or raise if the body is now too large or the answer too late."""
        self.size += len(piece)
        if self.size > self.limits.max_bytes:
            status = self.response.status_code
            raise AnswerTooLargeError(self.limits.max_bytes, status=status, call=self.label)
        self.pieces.append(piece)
        self.clock.check(self.label)

    def whole(self) -> bytes:
        """Return the body."""
        return b"".join(self.pieces)


def read(response: httpx.Response, limits: AnswerLimits, clock: AnswerClock, label: str) -> bytes:
    """Return the body of ``response``, within ``limits``."""
    body = _Body(response, limits, clock, label)
    for piece in response.iter_bytes():
        body.add(piece)
    return body.whole()


async def aread(
    response: httpx.Response, limits: AnswerLimits, clock: AnswerClock, label: str
) -> bytes:
    """Return the body of ``response``, within ``limits`` (async)."""
    body = _Body(response, limits, clock, label)
    pieces: AsyncIterator[bytes] = response.aiter_bytes()
    async for piece in pieces:
        body.add(piece)
    return body.whole()
