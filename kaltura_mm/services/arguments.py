"""Checks on service arguments, so bad input fails at once with a message naming the fix."""

from __future__ import annotations

from typing import Any

from kaltura_mm.errors import ConfigError
from kaltura_mm.protocol.calls import Ref


def text_id(name: str, value: Any, example: str = "0_abc12345") -> str:
    """Return ``value`` if it is a non-empty string id, else raise ``ConfigError``."""
    if not isinstance(value, str):
        raise ConfigError(
            f"{name} must be a string id such as {example!r}, got {type(value).__name__}"
        )
    if not value.strip():
        raise ConfigError(f"{name} is empty: pass the id of an existing object, e.g. {example!r}")
    return value


def int_id(name: str, value: Any) -> int:
    """Return ``value`` if it is a positive integer id (or a multiRequest Ref)."""
    if isinstance(value, Ref):
        return value  # type: ignore[return-value]  # the server substitutes the int
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be an integer id such as 42, got {type(value).__name__}")
    if value <= 0:
        raise ConfigError(f"{name} must be a positive integer id, got {value}")
    return value


def id_list(name: str, values: Any) -> str:
    """Return a CSV of string ids; refuse a bare string (use a list) and empty ids."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise ConfigError(f"{name} must be a list of ids such as ['0_abc12345'], got {values!r}")
    ids = [text_id(name, v) for v in values]
    if not ids:
        raise ConfigError(f"{name} is empty: pass at least one id")
    return ",".join(ids)


def instance(name: str, value: Any, expected: type | tuple[type, ...]) -> Any:
    """Return ``value`` if it is an instance of ``expected``, else raise ``ConfigError``."""
    if value is not None and not isinstance(value, expected):
        names = (
            " or ".join(t.__name__ for t in expected)
            if isinstance(expected, tuple)
            else expected.__name__
        )
        raise ConfigError(f"{name} must be a {names}, got {type(value).__name__}")
    return value
