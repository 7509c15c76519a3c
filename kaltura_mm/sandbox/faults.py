"""Faults and network conditions on demand: failures by service/action, the rate limiter
(``ratelimit``), latency, bandwidth, short KS lifetimes and failing conversions. Random choices
come from one seeded generator (deterministic for a given sequence of requests).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kaltura_mm.sandbox.clock import SandboxClock
from kaltura_mm.sandbox.core import SandboxSettings
from kaltura_mm.sandbox.ratelimit import DEFAULT_WINDOW, Admission, RateLimiter, RateRule

# "lost_response": the call runs, then the connection is reset instead of answering (the case
# where a client cannot know whether a create happened).
KINDS = ("reset", "http503", "http500", "stall", "action_blocked", "lost_response")


@dataclass(frozen=True)
class Rule:
    """Fail a share ``rate`` of matching requests with one of ``kinds``."""

    service: str | None
    action: str | None
    rate: float
    kinds: tuple[str, ...]

    def matches(self, service: str, action: str) -> bool:
        """Return True when the rule covers this call (None matches all)."""
        return (self.service in (None, service)) and (self.action in (None, action))


def _norm(name: str | None) -> str | None:
    return None if name is None else name.lower()


class Faults:
    """Inject failures and network conditions; change them at any time from any thread."""

    def __init__(
        self, seed: int, settings: SandboxSettings, clock: SandboxClock | None = None
    ) -> None:
        self._rng = random.Random(seed)
        self._settings = settings
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self.rate_limiter = RateLimiter(clock or SandboxClock())
        self.latency = 0.0
        # Seconds each call takes to run, a multirequest's items one after another: a loaded
        # server, on which a KS can expire between two items of one request.
        self.call_latency = 0.0
        self.bandwidth: float | None = None
        self.stall_seconds = 30.0

    @property
    def ks_lifetime(self) -> int | None:
        """Return the cap, in seconds, on the expiry of KS issued by ``session.start``."""
        return self._settings.ks_lifetime

    @ks_lifetime.setter
    def ks_lifetime(self, seconds: int | None) -> None:
        self._settings.ks_lifetime = seconds

    @property
    def fail_conversions(self) -> bool:
        """Return whether conversions fail (entries end ERROR_CONVERTING, replacements FAILED)."""
        return self._settings.fail_conversions

    @fail_conversions.setter
    def fail_conversions(self, failing: bool) -> None:
        self._settings.fail_conversions = failing

    def inject(
        self,
        service: str | None = None,
        action: str | None = None,
        rate: float = 1.0,
        kinds: tuple[str, ...] = ("http503",),
    ) -> None:
        """Fail ``rate`` (0..1) of the matching calls with one of ``kinds``."""
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown or not kinds:
            raise ValueError(f"unknown fault kinds {unknown}: choose from {', '.join(KINDS)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be between 0 and 1, got {rate}")
        with self._lock:
            self._rules.append(Rule(_norm(service), _norm(action), rate, tuple(kinds)))

    def throttle(
        self,
        service: str | None = None,
        action: str | None = None,
        per_second: float | None = None,
        *,
        limit: float | None = None,
        window: float = DEFAULT_WINDOW,
        key: str | None = None,
        failures_only: bool = False,
        partner_id: int | None = None,
    ) -> None:
        """Rate-limit matching calls as the server does: beyond ``limit`` calls in a fixed
        ``window`` (seconds, from the first call) they get ``ACTION_BLOCKED``.

        Blocked calls count too. ``key`` names a request parameter (e.g. ``entryId``) that gets
        its own counters; ``failures_only`` counts only calls whose action failed. The first
        matching rule applies. ``per_second=N`` (the older form) is ``limit=N, window=1``
        (below 1: one call per ``1/N`` seconds).
        """
        if per_second is not None and limit is not None:
            raise ValueError("give either per_second or limit (with window), not both")
        if per_second is not None or limit is None:
            rate = 1.0 if per_second is None else per_second
            if not rate > 0:
                raise ValueError(f"per_second must be positive, got {rate}")
            limit, window = (rate, 1.0) if rate >= 1 else (1.0, 1.0 / rate)
        rule = RateRule(
            _norm(service), _norm(action), limit, window, key, failures_only, partner_id
        )
        self.rate_limiter.add(rule)

    def clear(self) -> None:
        """Remove every fault, throttle and network condition."""
        with self._lock:
            self._rules.clear()
        self.rate_limiter.clear()
        self.latency = 0.0
        self.call_latency = 0.0
        self.bandwidth = None
        self.ks_lifetime = None

    def pick(self, service: str, action: str) -> str | None:
        """Draw the fault for one request, or None."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(service.lower(), action.lower()) and self._rng.random() < rule.rate:
                    return self._rng.choice(rule.kinds)
        return None

    def admit(
        self, service: str, action: str, partner_id: int, params: dict[str, Any]
    ) -> Admission:
        """Count one dispatched call against the rate limiter; say whether it is blocked."""
        return self.rate_limiter.admit(service.lower(), action.lower(), partner_id, params)

    def failed(self, admission: Admission) -> None:
        """Tell the rate limiter that an admitted call's action failed."""
        self.rate_limiter.failed(admission)


class Stats:
    """Count HTTP requests, and dispatched calls per (service, action) (lower-case): ``calls``
    all of them, ``blocked`` those the rate limiter answered ``ACTION_BLOCKED``, ``accepted`` the
    rest. ``peak_requests`` is the most HTTP requests the server held open at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.http_requests = 0
        self.open_requests = 0
        self.peak_requests = 0
        self.calls: Counter[tuple[str, str]] = Counter()
        self.blocked: Counter[tuple[str, str]] = Counter()

    @property
    def accepted(self) -> Counter[tuple[str, str]]:
        """Return, per (service, action), the dispatched calls the rate limiter let through."""
        with self._lock:
            return self.calls - self.blocked

    def count_request(self) -> None:
        """Count one HTTP request, open until ``request_ended``."""
        with self._lock:
            self.http_requests += 1
            self.open_requests += 1
            self.peak_requests = max(self.peak_requests, self.open_requests)

    def request_ended(self) -> None:
        """Count one HTTP request answered (or abandoned)."""
        with self._lock:
            self.open_requests -= 1

    def count_call(self, service: str, action: str) -> None:
        """Count one dispatched call (sub-calls of a multirequest each count)."""
        key = (service.lower(), action.lower())
        with self._lock:
            self.calls[key] += 1

    def count_blocked(self, service: str, action: str) -> None:
        """Count one call the rate limiter blocked (it was counted by ``count_call`` too)."""
        key = (service.lower(), action.lower())
        with self._lock:
            self.blocked[key] += 1

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self.http_requests = 0
            self.peak_requests = self.open_requests
            self.calls = Counter()
            self.blocked = Counter()
