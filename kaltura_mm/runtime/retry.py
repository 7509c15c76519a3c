"""The one retry policy: which failures are sent again, how often, after how long.

``errors.is_retryable`` decides whether a failed call may be sent again (an ``add`` only when it
provably never ran). A call carrying file bytes (an upload chunk) is sent once: the upload flow
owns chunk retries, since only it asks the token what arrived before sending again, and two layers
would multiply the attempts. Pauses grow exponentially from ``initial_backoff`` up to
``max_backoff``, plus a jitter drawn from the run's random source, so a seeded run replays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from random import Random
from typing import Any

import attrs

from kaltura_mm.errors import ConfigError, KalturaError, is_retryable
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime.exchange import CallFlow, Pause, Target

# The client's log channel: users filter on it, whichever layer writes the line.
log = logging.getLogger("kaltura_mm.client")


def _positive(_: Any, attribute: Any, value: float) -> None:
    if value <= 0:
        raise ConfigError(f"{attribute.name} must be > 0, got {value}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How transient failures are retried: attempts in all, exponential backoff with jitter."""

    attempts: int = attrs.field(default=4, validator=_positive)
    initial_backoff: float = 0.5
    max_backoff: float = 10.0
    jitter: float = 0.5

    def delay(self, attempt: int, random: Random) -> float:
        """Return the pause after failed attempt number ``attempt`` (1-based)."""
        backoff = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return max(0.0, backoff) + random.uniform(0, self.jitter)


def attempts_for(target: Target, policy: RetryPolicy) -> int:
    """Return how many times ``target`` may be sent: once if it carries file bytes."""
    return 1 if isinstance(target, Call) and target.file is not None else policy.attempts


def retrying(
    target: Target, policy: RetryPolicy, random: Random, attempt: Callable[[], CallFlow]
) -> CallFlow:
    """Send ``target`` through ``attempt()`` until it succeeds or the policy gives up."""
    limit = attempts_for(target, policy)
    number = 1
    while True:
        try:
            return (yield from attempt())
        except KalturaError as exc:
            if number >= limit or not is_retryable(exc, target):
                raise
            log.warning("retrying %s (attempt %d): %s", target.label, number, exc)
            yield Pause(policy.delay(number, random))
            number += 1
