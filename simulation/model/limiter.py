"""The API rate limiter as ``KalturaResponseCacher::rateLimit`` counts.

Fixed windows, not a sliding rate: the first call of a key creates a counter that lives
``window`` seconds (memcache ``add`` with an expiry); every call increments it, blocked calls
included; a call is blocked while the counter exceeds the limit. Dispatch runs once per
sub-request, so every item of a multirequest counts and is blocked on its own.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from simulation.knobs import RateRule


class RateLimiter:
    """Count calls per rule key in fixed windows; say which are blocked."""

    def __init__(self, rules: tuple[RateRule, ...]) -> None:
        self._rules = {(rule.service, rule.action): rule for rule in rules}
        self._windows: dict[str, tuple[float, int]] = {}
        self.blocked: Counter[str] = Counter()
        self.accepted: Counter[str] = Counter()

    def rule(self, service: str, action: str) -> RateRule | None:
        """Return the rule that limits (service, action), if any."""
        return self._rules.get((service, action.lower()))

    def add(self, rule: RateRule) -> None:
        """Limit one more (service, action), or replace its rule."""
        self._rules[(rule.service, rule.action)] = rule

    def allow(
        self, service: str, action: str, partner_id: int, params: dict[str, Any], now: float
    ) -> bool:
        """Count one call; return False when it is blocked."""
        rule = self._rules.get((service, action.lower()))
        if rule is None:
            return True
        key = ""
        if rule.key is not None:
            value = params.get(rule.key)
            if not value:
                return True  # a keyed rule ignores calls without the key
            key = str(value)
        return self._count(f"{service}-{action.lower()}-{partner_id}-{key}", rule, now)

    def _count(self, key: str, rule: RateRule, now: float) -> bool:
        started, count = self._windows.get(key, (now, 0))
        if now >= started + rule.window:
            started, count = now, 0
        count += 1
        self._windows[key] = (started, count)
        name = f"{rule.service}.{rule.action}"
        if count > rule.limit:
            self.blocked[name] += 1
            return False
        self.accepted[name] += 1
        return True
