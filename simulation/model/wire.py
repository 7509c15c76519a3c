"""Write results as the JSON serializer does (``KalturaJsonSerializer``), fast.

The model builds its objects with null properties already left out and ``objectType`` last, so
JSON needs no rewriting pass; errors become ``KalturaAPIException`` objects with ``args`` ``[]``
when empty; ``/`` is written ``\\/`` and non-ASCII as ``\\uXXXX`` (PHP ``json_encode``).
Other formats go through the sandbox's writer (XML, JSONP).
"""

from __future__ import annotations

import json
from typing import Any

from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.wire import JSON, error_object, render

_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))


def compact(values: dict[str, Any]) -> dict[str, Any]:
    """Return ``values`` without its None items (null properties are omitted)."""
    return {key: value for key, value in values.items() if value is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, KalturaApiException):
        error = error_object(value)
        return {**error, "args": error["args"] or []}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def body(value: Any, fmt: int, multi: bool, callback: str) -> bytes:
    """Return the response body for a result in format ``fmt``."""
    if fmt != JSON:
        return render(value, fmt, 0.0, multi, callback)
    return _ENCODER.encode(_plain(value)).replace("/", "\\/").encode("ascii")
