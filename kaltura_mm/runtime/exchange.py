"""One attempt at a call: encode it with the KS of the moment, have it sent, decode the answer.

A *call flow* is a generator that yields ``Outgoing`` (send this request; receive the ``Reply``,
or have the ``TransportError`` thrown in) and ``Pause`` (wait this long), and returns the decoded
result or raises the typed error. ``retrying`` and ``renewing`` wrap it; the machine runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from random import Random
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from kaltura_mm.protocol.calls import Call, MultiRequest

if TYPE_CHECKING:
    # The wire format (and the codec and models under it) loads with the first call, so that
    # ``import kaltura_mm`` and building a client stay fast (benchmarks/bench_import.py).
    from kaltura_mm.protocol.wire import HttpRequest
    from kaltura_mm.runtime.actions import Reply

Sendable: TypeAlias = Call[Any] | MultiRequest
log = logging.getLogger("kaltura_mm.client")


@attrs.frozen
class Outgoing:
    """Send ``request`` (encoding ``target``); the call flow receives the ``Reply``."""

    request: HttpRequest
    target: Sendable = attrs.field(eq=False)


@attrs.frozen
class Pause:
    """Wait ``seconds`` of the run's clock before going on (a backoff)."""

    seconds: float


CallFlow: TypeAlias = Generator[Outgoing | Pause, Any, Any]


def _carries_files(target: Sendable) -> bool:
    calls = target.calls if isinstance(target, MultiRequest) else (target,)
    return any(call.file is not None for call in calls)


def encode(target: Sendable, ks: str | None, client_tag: str, random: Random) -> HttpRequest:
    """Describe the HTTP request for ``target``; a multipart boundary comes from ``random``."""
    from kaltura_mm.protocol import wire

    session = wire.Session(ks=ks, client_tag=client_tag)
    boundary = f"{random.getrandbits(128):032x}" if _carries_files(target) else None
    if isinstance(target, MultiRequest):
        return wire.encode_multi(target, session, boundary)
    return wire.encode_call(target, session, boundary)


def decode(target: Sendable, reply: Reply, secrets: tuple[str, ...]) -> Any:
    """Return the value ``reply`` holds for ``target``, or raise the typed error it holds."""
    from kaltura_mm.protocol import wire

    log.debug(
        "%s -> HTTP %s (X-Kaltura-Session %s)",
        target.label,
        reply.status,
        reply.headers.get("X-Kaltura-Session", "-"),
    )
    if isinstance(target, MultiRequest):
        return wire.decode_multi(target, reply.status, reply.body, secrets)
    return wire.decode_call(target, reply.status, reply.body, secrets)


def exchange(
    target: Sendable, ks: str | None, client_tag: str, secrets: tuple[str, ...], random: Random
) -> CallFlow:
    """Send ``target`` once with ``ks`` and return its decoded result (or raise its error)."""
    request = encode(target, ks, client_tag, random)
    reply: Reply = yield Outgoing(request, target)
    return decode(target, reply, (*secrets, *((ks,) if ks else ())))
