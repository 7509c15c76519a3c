"""The one retry policy: which failures are sent again, how often, after how long.

``errors.is_retryable`` decides whether a failed call may be sent again (an ``add`` only when it
provably never ran). A call carrying file bytes (an upload chunk) is sent once: the upload flow
owns chunk retries, since only it asks the token what arrived before sending again, and two layers
would multiply the attempts. Pauses grow exponentially from ``initial_backoff`` up to
``max_backoff``, plus a jitter drawn from the run's random source, so a seeded run replays.

The server's rate limiter counts fixed windows (10 s by default) and blocks each call, and each item
of a multiRequest, on its own, before it runs (``ACTION_BLOCKED``). A blocked call gets
``throttled_attempts`` (10: with pauses growing to ``max_backoff``, about six windows) rather than
``attempts``; the batch engine sends a blocked item as often. A multiRequest blocked from item k on,
every later item blocked too, ran its items before k and nothing after: the rest is sent again as a
batch of its own, the results of the items that ran written into the references to them
(``protocol.remainder``), and the flow gets the one answer of the whole batch. A batch with an item
that ran after a blocked one is answered as it is (the flow decides: sending it again could run that
item twice), and so is a ``paced`` batch, whose flow learns the limiter's window from its blocked
items.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from random import Random
from typing import Any

import attrs

from kaltura_mm.errors import ConfigError, KalturaError, is_retryable, is_throttle
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.protocol.remainder import Pieces
from kaltura_mm.runtime.exchange import CallFlow, Pause, Sendable

# The client's log channel: users filter on it, whichever layer writes the line.
log = logging.getLogger("kaltura_mm.client")


def _positive(_: Any, attribute: Any, value: float) -> None:
    if value <= 0:
        raise ConfigError(f"{attribute.name} must be > 0, got {value}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How transient failures are retried: attempts in all, exponential backoff with jitter.

    ``attempts`` for a call, ``throttled_attempts`` for one the rate limiter blocked, and
    ``patience_rounds``: how many rounds of those a reading flow sends a call safe to send twice
    before it gives up (``runtime.patience``; 1: none beyond the attempts). ``patience``: however
    many of those are left, the run stops within this many seconds of the first request the
    server left without a usable answer (``runtime.silence``).
    """

    attempts: int = attrs.field(default=4, validator=_positive)
    throttled_attempts: int = attrs.field(default=10, validator=_positive)
    patience_rounds: int = attrs.field(default=8, validator=_positive)
    patience: float = attrs.field(default=120.0, validator=_positive)
    initial_backoff: float = 0.5
    max_backoff: float = 10.0
    jitter: float = 0.5

    def delay(self, attempt: int, random: Random) -> float:
        """Return the pause after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return max(0.0, backoff) + random.uniform(0, self.jitter)

    def sends(self, *, blocked: bool) -> int:
        """Return how often a request may be sent: ``throttled_attempts`` if the rate limiter
        blocked it, else ``attempts``."""
        return self.throttled_attempts if blocked else self.attempts


def full_jitter(attempt: int, unit: float, base: float, cap: float | None = None) -> float:
    """Return the pause before retry ``attempt`` (1-based) of a flow that shapes its own waits
    (``Backoff(base=, cap=)``): exponential from ``base`` up to ``cap``, times ``unit`` in
    [0, 1) ("full jitter": waiters spread over the whole interval)."""
    grown = base * 2.0 ** max(0, attempt - 1)
    return unit * (grown if cap is None else min(cap, grown))


def attempts_for(target: Sendable, policy: RetryPolicy, throttled: bool = False) -> int:
    """Return how many times ``target`` may be sent: once if it carries file bytes."""
    if isinstance(target, Call) and target.file is not None:
        return 1
    return policy.sends(blocked=throttled)


def blocked_from(outcome: MultiResponse) -> int | None:
    """Return the 1-based item from which every item of ``outcome`` was blocked, or None."""
    raw = outcome.server_outcomes
    first = next((n for n, o in enumerate(raw, start=1) if is_throttle(o)), None)
    if first is None or not all(is_throttle(o) for o in raw[first - 1 :]):
        return None
    return first


def retrying(
    target: Sendable, policy: RetryPolicy, random: Random, attempt: Callable[[Sendable], CallFlow]
) -> CallFlow:
    """Send ``target`` through ``attempt(target)`` until it succeeds or the policy gives up;
    send again the part of a multiRequest the rate limiter blocked (the module)."""
    paced = isinstance(target, MultiRequest) and target.paced
    pieces = Pieces(target) if isinstance(target, MultiRequest) and not paced else None
    current, number = target, 1
    while True:
        try:
            outcome = yield from attempt(current)
        except KalturaError as exc:
            limit = attempts_for(current, policy, is_throttle(exc))
            if number >= limit or not is_retryable(exc, current):
                raise
            log.warning("retrying %s (attempt %d): %s", current.label, number, exc)
            yield Pause(policy.delay(number, random))
            number += 1
            continue
        if pieces is None or not isinstance(outcome, MultiResponse):
            return outcome
        start = blocked_from(outcome)
        if start is None or number >= policy.throttled_attempts:
            return attrs.evolve(pieces.whole(outcome), sends=number)
        log.warning("retrying %s from item %d (attempt %d): blocked", target.label, start, number)
        current = pieces.rest(outcome, start)
        yield Pause(policy.delay(number, random))
        number += 1
