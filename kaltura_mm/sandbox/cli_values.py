"""The values of ``kaltura-mm sandbox serve`` options: rates, faults, throttles, rate limits."""

from __future__ import annotations

import click

from kaltura_mm.sandbox.faults import KINDS
from kaltura_mm.sandbox.ratelimit import DEFAULT_WINDOW, RateRule

_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_bandwidth(text: str) -> int:
    """Read ``10M`` / ``512K`` / ``1000`` as bytes per second."""
    value = text.strip().upper().removesuffix("B").removesuffix("/S")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    try:
        number = float(value[: len(value) - len(unit)])
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a rate: use bytes per second, e.g. 10M"
        ) from None
    if number <= 0:
        raise click.BadParameter(f"{text!r} must be positive")
    return int(number * _UNITS[unit])


def _target(text: str, option: str) -> tuple[str | None, str | None, str]:
    """Split ``service.action=value``; ``*`` (or nothing) for service/action means all."""
    where, sep, value = text.partition("=")
    if not sep or not value:
        raise click.BadParameter(f"{text!r}: expected SERVICE.ACTION=VALUE, e.g. {option}")
    service, _, action = where.partition(".")
    return (
        None if service in ("", "*") else service,
        None if action in ("", "*") else action,
        value,
    )


def parse_fail(text: str) -> tuple[str | None, str | None, float, tuple[str, ...]]:
    """Read ``uploadtoken.upload=0.1:reset,http503`` (kinds default to http503)."""
    service, action, value = _target(text, "uploadtoken.upload=0.1:reset,http503")
    rate_text, _, kinds_text = value.partition(":")
    try:
        rate = float(rate_text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: the rate must be a number from 0 to 1") from None
    kinds = tuple(k.strip() for k in kinds_text.split(",") if k.strip()) or ("http503",)
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown or not 0 <= rate <= 1:
        raise click.BadParameter(
            f"{text!r}: rate 0..1 and kinds from {', '.join(KINDS)} (unknown: {unknown})"
        )
    return service, action, rate, kinds


def parse_throttle(text: str) -> tuple[str | None, str | None, float]:
    """Read ``baseentry.delete=3`` (N calls per fixed 1-second window)."""
    service, action, value = _target(text, "baseentry.delete=3")
    try:
        per_second = float(value)
    except ValueError:
        raise click.BadParameter(f"{text!r}: calls per second must be a number") from None
    if per_second <= 0:
        raise click.BadParameter(f"{text!r}: calls per second must be positive")
    return service, action, per_second


_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _window(text: str, whole: str) -> float:
    """Read ``10s`` / ``1s`` / ``500ms`` / ``2m`` / ``10`` (seconds)."""
    value = text.strip().lower()
    unit = next((u for u in ("ms", "s", "m", "h") if value.endswith(u)), "")
    try:
        seconds = float(value[: len(value) - len(unit)]) * _SECONDS.get(unit, 1.0)
    except ValueError:
        raise click.BadParameter(f"{whole!r}: the window must be seconds, e.g. 10s") from None
    if not seconds > 0:
        raise click.BadParameter(f"{whole!r}: the window must be positive")
    return seconds


def parse_rate_limit(text: str) -> RateRule:
    """Read ``baseentry.delete=30/10s[:key=entryId][:failed-only]`` (window default 10 s)."""
    service, action, value = _target(text, "baseentry.delete=30/10s")
    rate, *flags = value.split(":")
    limit_text, _, window_text = rate.partition("/")
    try:
        limit = int(limit_text)
    except ValueError:
        raise click.BadParameter(f"{text!r}: the limit must be a whole number of calls") from None
    window = _window(window_text, text) if window_text else DEFAULT_WINDOW
    key, failures_only = None, False
    for flag in flags:
        name, _, setting = flag.partition("=")
        if name == "key" and setting:
            key = setting
        elif flag == "failed-only":
            failures_only = True
        else:
            raise click.BadParameter(
                f"{text!r}: unknown part {flag!r} (use key=PARAM, failed-only)"
            )
    if limit < 0:
        raise click.BadParameter(f"{text!r}: the limit must be zero or more")
    return RateRule(
        service and service.lower(), action and action.lower(), limit, window, key, failures_only
    )
