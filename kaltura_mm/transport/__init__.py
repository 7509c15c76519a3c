"""The one boundary with httpx: request descriptions out, (status, headers, body) back.

Bodies are streamed: file parts are read from disk in pieces at their offset on every attempt,
and the progress hook hears of each piece once httpx has taken it for sending. Answers are read
within their limits (``answers``: the whole answer within ``Timeouts.answer`` once the request is
sent, at most ``Config.max_answer_bytes``). httpx exceptions become ``TransportError`` here and
nowhere else, with the original kept as ``__cause__``; ``may_have_reached_server`` is False only
for failures before any byte was sent (connect errors and timeouts, no free pooled connection).
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx

from kaltura_mm import __version__
from kaltura_mm.config import Config
from kaltura_mm.errors import AnswerTimeoutError, ConfigError, TransportError
from kaltura_mm.protocol.calls import FilePart, Progress
from kaltura_mm.protocol.wire import HttpRequest
from kaltura_mm.transport import answers, clock
from kaltura_mm.transport.answers import AnswerLimits
from kaltura_mm.transport.clock import AnswerClock

Answered = tuple[int, httpx.Headers, bytes]

PIECE = 256 * 1024

_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# httpx's per-request waits, and the least one a deadline leaves (0 would mean "no timeout").
_WAITS = ("connect", "read", "write", "pool")
_LEAST_WAIT = 0.001


def part_length(part: FilePart) -> int:
    """Return how many bytes ``part`` sends, checking that the file holds them."""
    try:
        size = os.stat(part.path).st_size
    except OSError as exc:
        raise ConfigError(f"cannot read {part.path}: {exc.strerror}; check the path") from exc
    if part.offset > size:
        raise ConfigError(f"{part.path} has {size} bytes, less than the part offset {part.offset}")
    length = size - part.offset if part.length is None else part.length
    if part.offset + length > size:
        raise ConfigError(
            f"{part.path} has {size} bytes; the part [{part.offset}, {part.offset + length}) "
            "goes past its end (did the file change during the upload?)"
        )
    return length


def _pieces(part: FilePart, length: int) -> Iterator[bytes]:
    with open(part.path, "rb") as handle:
        handle.seek(part.offset)
        left = length
        while left > 0:
            piece = handle.read(min(PIECE, left))
            if not piece:
                raise ConfigError(f"{part.path} became shorter while it was being sent")
            left -= len(piece)
            yield piece


def _segments(request: HttpRequest, progress: Progress | None) -> Iterator[bytes]:
    for segment in request.body:
        if isinstance(segment, bytes):
            yield segment
            continue
        sent = 0
        for piece in _pieces(segment, part_length(segment)):
            yield piece
            # The generator resumes only once httpx has written the piece.
            sent += len(piece)
            if progress is not None:
                progress(segment, sent)


async def _async_segments(request: HttpRequest, progress: Progress | None) -> AsyncIterator[bytes]:
    import asyncio  # loaded only by the async client

    for segment in request.body:
        if isinstance(segment, bytes):
            yield segment
            continue
        # Disk reads go to a worker thread: a slow disk must not stall every task on the loop.
        # Progress is still reported on the loop, after httpx has written the piece.
        pieces = _pieces(segment, part_length(segment))
        sent = 0
        while piece := await asyncio.to_thread(next, pieces, b""):
            yield piece
            sent += len(piece)
            if progress is not None:
                progress(segment, sent)


def _prepare(request: HttpRequest) -> tuple[dict[str, str], int]:
    length = sum(len(s) if isinstance(s, bytes) else part_length(s) for s in request.body)
    headers = dict(request.headers)
    headers["Content-Length"] = str(length)
    return headers, length


def build_sync(client: httpx.Client, request: HttpRequest, progress: Progress | None) -> Any:
    """Build the httpx request, streaming file parts when there are any."""
    headers, _ = _prepare(request)
    if not request.files:
        content: Any = b"".join(s for s in request.body if isinstance(s, bytes))
    else:
        content = _segments(request, progress)
    return client.build_request(request.method, request.path, headers=headers, content=content)


def build_async(
    client: httpx.AsyncClient, request: HttpRequest, progress: Progress | None
) -> httpx.Request:
    """Build the httpx request for the async client."""
    headers, _ = _prepare(request)
    if not request.files:
        content: Any = b"".join(s for s in request.body if isinstance(s, bytes))
    else:
        content = _async_segments(request, progress)
    return client.build_request(request.method, request.path, headers=headers, content=content)


@contextmanager
def mapped_errors(
    label: str, answer_clock: AnswerClock | None = None, limits: AnswerLimits | None = None
) -> Iterator[None]:
    """Turn httpx exceptions raised inside the block into ``TransportError``.

    A read that timed out waiting on ``answer_clock``'s deadline is an ``AnswerTimeoutError``,
    unless that deadline was the run's patience (``limits.patience_first``), not the timeout.
    """
    try:
        yield
    except _NEVER_SENT as exc:
        raise TransportError(
            f"could not reach the server: {type(exc).__name__}: {exc}",
            may_have_reached_server=False,
            call=label,
        ) from exc
    except httpx.TimeoutException as exc:
        ran_out = answer_clock is not None and answer_clock.ran_out
        if ran_out and limits is not None and limits.patience_first:
            raise TransportError(
                f"no answer within the run's patience (the {limits.seconds:.1f} s left of "
                "--patience)",
                may_have_reached_server=True,
                call=label,
            ) from exc
        if ran_out:
            assert answer_clock is not None
            raise AnswerTimeoutError(answer_clock.seconds, call=label) from exc
        raise TransportError(
            f"no answer in time: {type(exc).__name__}", may_have_reached_server=True, call=label
        ) from exc
    except httpx.HTTPError as exc:
        raise TransportError(
            f"the connection failed: {type(exc).__name__}: {exc}",
            may_have_reached_server=True,
            call=label,
        ) from exc


def limits_of(
    config: Config, deadline: float | None = None, now: float | None = None
) -> AnswerLimits:
    """Return what one answer may cost under ``config``; ``deadline`` (a ``Send``'s, on the
    client's clock, read ``now``: ``time.monotonic()`` when not given) cuts every wait of the
    request short of it."""
    if deadline is None:
        return AnswerLimits(seconds=config.timeouts.answer, max_bytes=config.max_answer_bytes)
    give_up_in = max(_LEAST_WAIT, deadline - (time.monotonic() if now is None else now))
    return AnswerLimits(
        seconds=min(config.timeouts.answer, give_up_in),
        max_bytes=config.max_answer_bytes,
        give_up_in=give_up_in,
        patience_first=give_up_in < config.timeouts.answer,
    )


def _cut_short(request: httpx.Request, limits: AnswerLimits) -> httpx.Request:
    """Lower ``request``'s timeouts to ``limits.give_up_in`` when it has one."""
    if limits.give_up_in is not None:
        timeouts = request.extensions.get("timeout", {})
        request.extensions["timeout"] = {
            name: limits.give_up_in if wait is None else min(wait, limits.give_up_in)
            for name, wait in {**dict.fromkeys(_WAITS), **timeouts}.items()
        }
    return request


def _clocked(request: HttpRequest, limits: AnswerLimits) -> AbstractContextManager[AnswerClock]:
    """Return the answer clock of ``request``: an upload's starts at its answer's first byte."""
    return clock.clocked(limits.seconds, at_first_byte=bool(request.files))


def send(
    http: httpx.Client,
    request: HttpRequest,
    progress: Progress | None,
    limits: AnswerLimits,
    label: str,
) -> Answered:
    """Send ``request`` and read its answer within ``limits``; raise ``KalturaError`` if not."""
    with _clocked(request, limits) as answer_clock, mapped_errors(label, answer_clock, limits):
        response = http.send(_cut_short(build_sync(http, request, progress), limits), stream=True)
        try:
            body = answers.read(response, limits, answer_clock, label)
            return response.status_code, response.headers, body
        finally:
            response.close()


async def asend(
    http: httpx.AsyncClient,
    request: HttpRequest,
    progress: Progress | None,
    limits: AnswerLimits,
    label: str,
) -> Answered:
    """Send ``request`` and read its answer within ``limits`` (async)."""
    with _clocked(request, limits) as answer_clock, mapped_errors(label, answer_clock, limits):
        built = _cut_short(build_async(http, request, progress), limits)
        response = await http.send(built, stream=True)
        try:
            body = await answers.aread(response, limits, answer_clock, label)
            return response.status_code, response.headers, body
        finally:
            await response.aclose()


def _pool_limits(config: Config) -> httpx.Limits:
    pool = max(10, 2 * config.max_concurrency)
    return httpx.Limits(max_connections=pool, max_keepalive_connections=pool)


def _options(config: Config) -> dict[str, Any]:
    t = config.timeouts
    return {
        "base_url": config.service_url,
        "timeout": httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool),
        "limits": _pool_limits(config),
        "headers": {"User-Agent": f"kaltura-mm/{__version__}"},
        "follow_redirects": False,
    }


def sync_client(config: Config, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """Return a keep-alive httpx client configured from ``config``.

    Without a ``transport`` of the caller's, its connections read on the answer clock.
    """
    transport = transport or clock.ClockedTransport(_pool_limits(config))
    return httpx.Client(transport=transport, **_options(config))


def async_client(
    config: Config, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """Return a keep-alive async httpx client configured from ``config``."""
    transport = transport or clock.AsyncClockedTransport(_pool_limits(config))
    return httpx.AsyncClient(transport=transport, **_options(config))
