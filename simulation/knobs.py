"""The schedule of unkindness: every knob the model and the network turn, drawn from a seed.

``Schedule.kind()`` turns every knob off (an instant, consistent, unlimited, faultless server);
``Schedule.draw(rng)`` turns each on or off by seed, with seeded strengths, so that across a few
hundred seeds every combination shows up.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from simulation.accounts import Accounts


@dataclass(frozen=True, slots=True)
class RateRule:
    """One ``api_rate_limit`` rule: ``limit`` calls per fixed ``window`` seconds.

    The counter key is service-action-partner, plus the value of the request parameter ``key``
    when set (``KalturaResponseCacher::rateLimit``'s ``_key``).
    """

    service: str
    action: str
    limit: int
    window: float = 10.0
    key: str | None = None


@dataclass(frozen=True, slots=True)
class ModelKnobs:
    """How the server behaves: lag, orders, cuts, delays, limits."""

    index_lag: tuple[float, float] = (0.0, 0.0)
    tie_order: str = "creation"  # or "crc32": same-second ties in Sphinx id order
    access_control_total: bool = False  # totalCount = the page's count for a USER KS
    transcode_delay: tuple[float, float] = (0.0, 0.0)
    final_chunk_wait: int = 45
    rate_limits: tuple[RateRule, ...] = ()
    ks_max_expiry: int = 86_400
    max_resume_time: int = 604_800


@dataclass(frozen=True, slots=True)
class NetworkKnobs:
    """What happens between the driver and the server (probabilities are per request)."""

    latency: tuple[float, float] = (0.0, 0.0)  # one way, seconds
    slow_tail: float = 0.0  # chance an answer is 20x slower
    step_time: tuple[float, float] = (0.0, 0.0)  # server time per processing step
    refused: float = 0.0  # the connection never opened: provably not sent
    reset: float = 0.0  # lost before it runs (the client cannot tell)
    lost_answer: float = 0.0  # ran, the answer is lost
    error_5xx: float = 0.0  # a 502/503/504 instead of the answer (half before, half after)
    blocked: float = 0.0  # ACTION_BLOCKED injected on top of the rate limiter


@dataclass(frozen=True, slots=True)
class Schedule:
    """The model's and the network's knobs for one seeded run."""

    model: ModelKnobs = field(default_factory=ModelKnobs)
    network: NetworkKnobs = field(default_factory=NetworkKnobs)
    accounts: Accounts = field(default_factory=Accounts)  # drawn apart: ``--accounts``

    @classmethod
    def kind(cls) -> Schedule:
        """Return the schedule with every unkindness off."""
        return cls()

    @classmethod
    def draw(cls, rng: random.Random) -> Schedule:
        """Return a schedule with each knob on or off by ``rng``."""
        return cls(_draw_model(rng), _draw_network(rng))

    def describe(self) -> dict[str, Any]:
        """Return the knobs as plain values (for reports and replays)."""
        return asdict(self)


def _maybe(rng: random.Random, chance: float) -> bool:
    return rng.random() < chance


def _draw_model(rng: random.Random) -> ModelKnobs:
    lag_high = rng.choice((0.0, 2.0, 30.0, 300.0))
    return ModelKnobs(
        index_lag=(0.0, lag_high),
        tie_order=rng.choice(("creation", "crc32")),
        access_control_total=_maybe(rng, 0.3),
        transcode_delay=(0.0, rng.choice((0.0, 20.0, 180.0))),
        final_chunk_wait=45,
        rate_limits=_draw_limits(rng),
        ks_max_expiry=rng.choice((86_400, 86_400, 600, 120)),
    )


def _draw_limits(rng: random.Random) -> tuple[RateRule, ...]:
    if not _maybe(rng, 0.5):
        return ()
    window = rng.choice((10.0, 10.0, 1.0))
    per_window = 30 if window == 10.0 else 3
    rules = [
        RateRule("uploadtoken", "upload", per_window * 2, window),
        RateRule("baseentry", "delete", per_window, window),
        RateRule("categoryentry", "add", per_window, window),
        RateRule("categoryentry", "delete", per_window, window),
        RateRule("baseentry", "list", per_window, window),
    ]
    return tuple(rule for rule in rules if _maybe(rng, 0.6))


def _draw_network(rng: random.Random) -> NetworkKnobs:
    faulty = _maybe(rng, 0.7)
    return NetworkKnobs(
        latency=(0.01, rng.choice((0.05, 0.5, 3.0))),
        slow_tail=rng.choice((0.0, 0.02, 0.1)),
        step_time=(0.001, rng.choice((0.01, 0.2, 2.0))),
        refused=rng.choice((0.0, 0.01, 0.03)) if faulty else 0.0,
        reset=rng.choice((0.0, 0.02, 0.08)) if faulty else 0.0,
        lost_answer=rng.choice((0.0, 0.02, 0.08)) if faulty else 0.0,
        error_5xx=rng.choice((0.0, 0.01, 0.05)) if faulty else 0.0,
        blocked=rng.choice((0.0, 0.01, 0.05)) if faulty else 0.0,
    )
