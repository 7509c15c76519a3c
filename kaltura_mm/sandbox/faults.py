"""Faults and network conditions on demand: failures by service/action, throttling, latency,
bandwidth and short KS lifetimes. Random choices come from one seeded generator (deterministic for
a given sequence of requests).
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass

from kaltura_mm.sandbox.core import Settings

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


@dataclass
class _Throttle:
    service: str | None
    action: str | None
    per_second: float
    seen: deque[float]


def _norm(name: str | None) -> str | None:
    return None if name is None else name.lower()


class Faults:
    """Inject failures and network conditions; change them at any time from any thread."""

    def __init__(self, seed: int, settings: Settings) -> None:
        self._rng = random.Random(seed)
        self._settings = settings
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._throttles: list[_Throttle] = []
        self.latency = 0.0
        self.bandwidth: float | None = None
        self.stall_seconds = 30.0

    @property
    def ks_lifetime(self) -> int | None:
        """Return the cap, in seconds, on the expiry of KS issued by ``session.start``."""
        return self._settings.ks_lifetime

    @ks_lifetime.setter
    def ks_lifetime(self, seconds: int | None) -> None:
        self._settings.ks_lifetime = seconds

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
        self, service: str | None = None, action: str | None = None, per_second: float = 1.0
    ) -> None:
        """Answer calls beyond ``per_second`` per second with ``ACTION_BLOCKED``."""
        if per_second <= 0:
            raise ValueError(f"per_second must be positive, got {per_second}")
        with self._lock:
            self._throttles.append(_Throttle(_norm(service), _norm(action), per_second, deque()))

    def clear(self) -> None:
        """Remove every fault, throttle and network condition."""
        with self._lock:
            self._rules.clear()
            self._throttles.clear()
        self.latency = 0.0
        self.bandwidth = None
        self.ks_lifetime = None

    def pick(self, service: str, action: str) -> str | None:
        """Draw the fault for one request, or None."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(service.lower(), action.lower()) and self._rng.random() < rule.rate:
                    return self._rng.choice(rule.kinds)
        return None

    def throttled(self, service: str, action: str) -> bool:
        """Record a call; return True when it exceeds a throttle."""
        now = time.monotonic()
        blocked = False
        with self._lock:
            for t in self._throttles:
                if not (t.service in (None, service) and t.action in (None, action)):
                    continue
                while t.seen and now - t.seen[0] >= 1.0:
                    t.seen.popleft()
                if len(t.seen) >= t.per_second:
                    blocked = True
                else:
                    t.seen.append(now)
        return blocked


class Stats:
    """Count HTTP requests and dispatched calls per (service, action), lower-case."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.http_requests = 0
        self.calls: Counter[tuple[str, str]] = Counter()

    def count_request(self) -> None:
        """Count one HTTP request."""
        with self._lock:
            self.http_requests += 1

    def count_call(self, service: str, action: str) -> None:
        """Count one dispatched call (sub-calls of a multirequest each count)."""
        key = (service.lower(), action.lower())
        with self._lock:
            self.calls[key] += 1

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self.http_requests = 0
            self.calls = Counter()
