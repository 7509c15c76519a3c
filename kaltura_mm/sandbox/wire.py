"""Serialize results the way the real server does: ``format=1`` JSON and ``format=2`` XML.

Results are plain values: ``dict`` objects carrying an ``objectType`` key, lists, scalars, ``None``
for void actions, and :class:`ApiError` for failures (inline in multirequests).
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from kaltura_mm.sandbox.errors import ApiError

JSON = 1
XML = 2
JSONP = 9
FORMATS = {JSON, XML, JSONP}


def error_object(error: ApiError) -> dict[str, Any]:
    """Return the ``KalturaAPIException`` object, keys in the real order."""
    return {
        "code": error.code,
        "message": error.message,
        "objectType": "KalturaAPIException",
        "args": dict(error.args_map),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, ApiError):
        value = error_object(value)
        if not value["args"]:
            value["args"] = []  # PHP serializes an empty args map as []
        return value
    if isinstance(value, dict):
        out = {k: _plain(v) for k, v in value.items() if v is not None and k != "objectType"}
        if "objectType" in value:
            out["objectType"] = value["objectType"]  # always the last key
        return out if out or "objectType" in value else []
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(value: Any) -> bytes:
    """Encode like PHP ``json_encode``: ``\\/`` for slashes, ``\\uXXXX`` for non-ASCII."""
    text = json.dumps(_plain(value), ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode("ascii")


def _xml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    return escape(str(value))


def _xml_value(value: Any) -> str:
    if isinstance(value, ApiError):
        return _xml_error(value)
    if isinstance(value, dict):
        parts = []
        if "objectType" in value:
            parts.append(f"<objectType>{escape(value['objectType'])}</objectType>")
        for key, item in value.items():
            if key != "objectType" and item is not None:
                parts.append(f"<{key}>{_xml_value(item)}</{key}>")
        return "".join(parts)
    if isinstance(value, list | tuple):
        return "".join(f"<item>{_xml_value(item)}</item>" for item in value)
    return _xml_scalar(value)


def _xml_error(error: ApiError) -> str:
    args = "".join(
        "<item><objectType>KalturaApiExceptionArg</objectType>"
        f"<name>{escape(name)}</name><value>{escape(value)}</value></item>"
        for name, value in error.args_map.items()
    )
    return (
        f"<error><code>{escape(error.code)}</code><message>{escape(error.message)}</message>"
        f"<objectType>KalturaAPIException</objectType><args>{args}</args></error>"
    )


def to_xml(value: Any, execution_time: float, multi: bool = False) -> bytes:
    """Wrap a result in ``<xml><result>…</result><executionTime>…</executionTime></xml>``."""
    if multi:
        body = "".join(f"<item>{_xml_value(item)}</item>" for item in value)
    else:
        body = _xml_value(value)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<xml><result>{body}</result><executionTime>{execution_time:.6f}</executionTime></xml>"
    ).encode()


def render(value: Any, fmt: int, execution_time: float, multi: bool, callback: str) -> bytes:
    """Return the response body for ``fmt``."""
    if fmt == XML:
        return to_xml(value, execution_time, multi)
    body = to_json(value)
    if fmt == JSONP:
        return callback.encode() + b"(" + body + b");"
    return body


def content_type(fmt: int) -> str:
    """Return the Content-Type the real server sends for ``fmt``."""
    return {XML: "text/xml", JSONP: "application/javascript"}.get(fmt, "application/json")
