"""PHP-style casts the real deserializer (``KalturaRequestDeserializer``) applies to values."""

from __future__ import annotations

import re
from typing import Any

from kaltura_mm.sandbox.errors import KalturaApiException

MAX_RELATIVE_TIME = 315_360_000  # kConf max_relative_time: 10 years
_INT_PREFIX = re.compile(r"^\s*[+-]?\d+")
_FLOAT_PREFIX = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def to_int(value: Any) -> int:
    """Cast like PHP ``(int)``: a numeric prefix or 0."""
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 2**63 else 0
    match = _INT_PREFIX.match(str(value or ""))
    return int(match.group()) if match else 0


def to_float(value: Any) -> float:
    """Cast like PHP ``(float)``: a numeric prefix or 0.0 (``"inf"`` is 0.0 in PHP)."""
    if isinstance(value, bool | int | float):
        return float(value)
    match = _FLOAT_PREFIX.match(str(value or ""))
    return float(match.group()) if match else 0.0


def to_bool(value: Any) -> bool:
    """Cast like the deserializer: ``"false"`` (any case) is false, else PHP ``(bool)``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = "" if value is None else str(value)
    if text.lower() == "false":
        return False
    return text not in {"", "0"}


def to_str(value: Any, name: str) -> str:
    """Cast to a string; an XML-invalid character is ``INVALID_PARAMETER_CHAR``."""
    if isinstance(value, bool):
        text = "1" if value else ""
    elif value is None:
        text = ""
    else:
        text = str(value)
    if _XML_INVALID.search(text):
        raise KalturaApiException("INVALID_PARAMETER_CHAR", name)
    return text


def to_time(value: Any, now: float) -> int:
    """Cast a ``@var time`` value: within ±10 years of 0 (but not -1 or 0) it is ``now + v``."""
    number = to_int(value)
    if number not in (0, -1) and -MAX_RELATIVE_TIME <= number <= MAX_RELATIVE_TIME:
        return int(now) + number
    return number


def to_enum(value: Any, allowed: frozenset[int], name: str, enum_type: str) -> int:
    """Cast an int enum; a value outside ``allowed`` is ``INVALID_ENUM_VALUE``."""
    text = "" if value is None else str(value)
    mapped = {"true": 1, "false": 0}.get(text.lower())
    number = mapped if mapped is not None else to_int(value)
    if number not in allowed or (mapped is None and not _INT_PREFIX.fullmatch(text.strip())):
        raise KalturaApiException("INVALID_ENUM_VALUE", text, name, enum_type)
    return number
