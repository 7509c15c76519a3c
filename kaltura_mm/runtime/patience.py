"""Patience: a call safe to send again rides out an outage longer than the runtime's own retries.

The runtime sends a failed call again a few times quickly (``RetryPolicy``: 4 attempts in a few
seconds), then gives up. A flow that reads as it goes (a listing's pages, a batch's existence
checks, a category lookup, the upload engine's lookups and clean-up deletes) would then lose all
it did for one unlucky call: ``patiently`` sends it again, in rounds whose pauses grow from
``base`` up to ``cap`` with full jitter (drawn from the runtime's random source, so a seeded run
replays), so a longer outage, or a rate limiter's window longer than the runtime's pauses, costs
time rather than the flow.

What is sent again: a transport failure, an unusable answer (a 5xx page, a garbled body) and
``ACTION_BLOCKED`` (the call did not run). Not a server that no request of this run reached (a
refused connection, an unknown host): that is a wrong URL or a server that is down, and the user
should hear it in seconds, not minutes. And only 2 rounds while the server has given this run no
Kaltura answer yet (HTML error pages, garbled bodies since the start: a proxy or a server in
maintenance; the user re-runs): patience is for a server that worked and stumbles. The rounds are
the fewer of ``patience.rounds`` and the retry policy's ``patience_rounds`` (``--retries`` sets it
to 1: a request is sent as often as it says). An API error is the server's answer and is raised at
once, and so is an answer too large to read (it would be as large again). Only for effects that
are safe to send twice: reads, and deletes of a known id.
"""

from __future__ import annotations

from typing import Any

import attrs

from kaltura_mm.errors import (
    AnswerTooLargeError,
    KalturaError,
    ResponseError,
    TransportError,
    is_throttle,
)
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime.effects import Draw, Flow, Reach, Reached, Sleep


@attrs.frozen
class Patience:
    """How long a call is sent again: ``rounds`` in all, pauses from ``base`` up to ``cap`` s."""

    rounds: int = 8
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, unit: float) -> float:
        """Return the pause after failed round ``attempt`` (1-based); ``unit`` in [0, 1)."""
        return unit * min(self.cap, self.base * 2.0 ** max(0, attempt - 1))


PATIENCE = Patience()


def worth_again(exc: KalturaError) -> bool:
    """Return whether a call that failed with ``exc`` may succeed if sent again later."""
    if isinstance(exc, AnswerTooLargeError):
        return False
    return isinstance(exc, TransportError | ResponseError) or is_throttle(exc)


def patiently(effect: Call[Any] | MultiRequest, patience: Patience = PATIENCE) -> Flow[Any]:
    """Send ``effect`` (safe to send twice) until it is answered or ``patience`` runs out."""
    attempt = 0
    while True:
        try:
            return (yield effect)
        except KalturaError as exc:
            attempt += 1
            if attempt >= patience.rounds or not worth_again(exc):
                raise
            known: Reached = yield Reach()
            rounds = known.patience_rounds if known.worked else min(known.patience_rounds, 2)
            if attempt >= rounds or not known.server:
                raise
            unit = yield Draw()
            yield Sleep(patience.delay(attempt, unit))
