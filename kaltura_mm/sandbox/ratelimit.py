"""The API rate limiter as the real server counts (``KalturaResponseCacher::rateLimit``).

Rules:
1. A rule matches a service and action (None: any) and optionally a partner. The first matching
   rule, in the order given, is the one that counts a call.
2. Counters are fixed windows: the first call of a key starts one that ends ``window`` seconds
   later (the sandbox clock) whatever happens in it; the next call after that starts a new one.
3. The key is service-action-partner, plus the value of the rule's request parameter (``key``,
   e.g. ``entryId``, found at any depth; comma-separated names: the first with a value). A rule
   with a ``key`` does not apply to a call that lacks the parameter.
4. Every attempt counts, blocked ones included; a call is blocked while its window's count
   exceeds ``limit``. With ``failures_only``, only calls whose action failed count (the server's
   ``_onError``), and the call is blocked when the count already exceeds the limit.
5. The dispatcher asks once per call, so each item of a multirequest counts and is blocked on
   its own (``ACTION_BLOCKED`` in its slot; the others still run).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from kaltura_mm.sandbox.clock import SandboxClock

DEFAULT_WINDOW = 10.0  # the rule's _expiry when unset
_PRUNE_AT = 10_000  # counters kept before expired ones are dropped


@dataclass(frozen=True)
class RateRule:
    """Allow ``limit`` calls per fixed ``window`` seconds per key (module rules)."""

    service: str | None
    action: str | None
    limit: float
    window: float = DEFAULT_WINDOW
    key: str | None = None
    failures_only: bool = False
    partner_id: int | None = None

    def __post_init__(self) -> None:
        if not self.limit >= 0:
            raise ValueError(f"a rate limit must be zero or more calls, got {self.limit}")
        if not self.window > 0:
            raise ValueError(f"a rate-limit window must be positive seconds, got {self.window}")

    def matches(self, service: str, action: str, partner_id: int) -> bool:
        """Return True when the rule covers this call."""
        return (
            self.service in (None, service)
            and self.action in (None, action)
            and self.partner_id in (None, partner_id)
        )


@dataclass
class _Window:
    ends: float
    count: int = 0


@dataclass(frozen=True)
class Admission:
    """The limiter's answer for one call: blocked or not, and the counter to charge on failure."""

    blocked: bool
    counter: tuple[str, ...] | None = None


ADMITTED = Admission(False)


def param_value(params: dict[str, Any], name: str) -> str:
    """Return the values of every parameter called ``name``, at any depth, joined."""
    found = ""
    for key, value in params.items():
        if isinstance(value, dict):
            found += param_value(value, name)
        elif key == name or key.endswith(":" + name):
            found += str(value)
    return found


class RateLimiter:
    """Count calls in fixed windows and say which are blocked; thread-safe."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._rules: list[RateRule] = []
        self._windows: dict[tuple[str, ...], _Window] = {}

    @property
    def rules(self) -> tuple[RateRule, ...]:
        """Return the rules in the order they are tried."""
        return tuple(self._rules)

    def add(self, rule: RateRule) -> None:
        """Add a rule after the existing ones."""
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        """Remove every rule and counter."""
        with self._lock:
            self._rules.clear()
            self._windows.clear()

    def admit(
        self, service: str, action: str, partner_id: int, params: dict[str, Any]
    ) -> Admission:
        """Count one call (rules 1-4) and say whether it is blocked."""
        with self._lock:
            rule = next((r for r in self._rules if r.matches(service, action, partner_id)), None)
            if rule is None:
                return ADMITTED
            keyed = _key_value(rule, params)
            if keyed is None:
                return ADMITTED
            counter = (service, action, str(partner_id), keyed)
            window = self._window(counter, rule.window)
            if not rule.failures_only:
                window.count += 1
            return Admission(window.count > rule.limit, counter if rule.failures_only else None)

    def failed(self, admission: Admission) -> None:
        """Charge a failed call to its counter (rules with ``failures_only``)."""
        if admission.counter is None:
            return
        with self._lock:
            window = self._windows.get(admission.counter)
            if window is not None and self._clock.now() < window.ends:
                window.count += 1

    def _window(self, counter: tuple[str, ...], seconds: float) -> _Window:
        now = self._clock.now()
        window = self._windows.get(counter)
        if window is None or now >= window.ends:
            if len(self._windows) >= _PRUNE_AT:
                self._windows = {k: w for k, w in self._windows.items() if now < w.ends}
            window = self._windows[counter] = _Window(now + seconds)
        return window


def _key_value(rule: RateRule, params: dict[str, Any]) -> str | None:
    if rule.key is None:
        return ""
    for name in rule.key.split(","):
        value = param_value(params, name.strip())
        if value:
            return value
    return None
