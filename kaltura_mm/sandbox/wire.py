"""Serialize results the way the real server does: ``format=1`` JSON and ``format=2`` XML.

Results are plain values: ``dict`` objects carrying an ``objectType`` key, lists, scalars, ``None``
for void actions, and :class:`KalturaApiException` for failures (inline in multirequests).
"""

from __future__ import annotations

import json
from typing import Any

from kaltura_mm.sandbox.errors import KalturaApiException

JSON = 1
XML = 2
JSONP = 9
FORMATS = {JSON, XML, JSONP}


def error_object(error: KalturaApiException) -> dict[str, Any]:
    """Return the ``KalturaAPIException`` object, keys in the real order."""
    return {
        "code": error.code,
        "message": error.message,
        "objectType": "KalturaAPIException",
        "args": dict(error.args_map),
    }


_NESTED = (dict, list, tuple, KalturaApiException)


def _plain(value: Any) -> Any:
    if isinstance(value, KalturaApiException):
        value = error_object(value)
        if not value["args"]:
            value["args"] = []  # PHP serializes an empty args map as []
        return value
    if isinstance(value, dict):
        out = {
            k: _plain(v) if isinstance(v, _NESTED) else v  # scalars as they are, without a call
            for k, v in value.items()
            if v is not None and k != "objectType"
        }
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


_XML_ESCAPES = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "'": "&apos;"})
_NO_RELATED = {"KalturaApiExceptionArg"}


def xml_text(value: str) -> str:
    """Escape text as ``kString::xmlEncode`` does: ``& " < > '`` (quotes too)."""
    return value.translate(_XML_ESCAPES)


def php_float(value: float) -> str:
    """Write a float as PHP prints one (``precision=14``): ``0.029908895492554``, ``3``."""
    text = f"{value:.14G}"
    if "E" in text:
        mantissa, exponent = text.split("E")
        if "." not in mantissa:
            mantissa += ".0"
        text = f"{mantissa}E{int(exponent):+d}"
    return text


def _xml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.14G}"  # the serializer's sprintf("%.*G", precision)
    return xml_text(str(value))


class _Xml:
    """Write values the way ``kaltura_serialize_xml`` does (the C serializer SaaS runs)."""

    def __init__(self, ignore_null: bool) -> None:
        self.ignore_null = ignore_null

    def value(self, value: Any) -> str:
        if isinstance(value, KalturaApiException):
            return _xml_error(value)
        if isinstance(value, dict):
            return self.object(value)
        if isinstance(value, list | tuple):
            return "".join(f"<item>{self.value(item)}</item>" for item in value)
        return _xml_scalar(value)

    def object(self, value: dict[str, Any]) -> str:
        """``objectType`` first, then every property in order, nulls as empty elements, then
        ``relatedObjects`` (every ``KalturaObject`` has it; null unless a response profile
        asks)."""
        object_type = value.get("objectType")
        parts = [] if object_type is None else [f"<objectType>{xml_text(object_type)}</objectType>"]
        items = [(k, v) for k, v in value.items() if k != "objectType"]
        if object_type is not None and object_type not in _NO_RELATED:
            items.append(("relatedObjects", value.get("relatedObjects")))
        seen: set[str] = set()
        for key, item in items:
            if key in seen or (item is None and self.ignore_null):
                continue
            seen.add(key)
            parts.append(f"<{key}>{self.value(item)}</{key}>")
        return "".join(parts)


def _xml_error(error: KalturaApiException) -> str:
    args = "".join(
        "<item><objectType>KalturaApiExceptionArg</objectType>"
        f"<name>{name}</name><value>{xml_text(value)}</value></item>"
        for name, value in error.args_map.items()
    )
    return (
        "<error><objectType>KalturaAPIException</objectType>"
        f"<code>{xml_text(error.code)}</code><message>{xml_text(error.message)}</message>"
        f"<args>{args}</args></error>"
    )


def to_xml(
    value: Any, execution_time: float, multi: bool = False, ignore_null: bool = False
) -> bytes:
    """Wrap a result in ``<xml><result>…</result><executionTime>…</executionTime></xml>``."""
    writer = _Xml(ignore_null)
    if multi:
        body = "".join(f"<item>{writer.value(item)}</item>" for item in value)
    else:
        body = writer.value(value)
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<xml><result>{body}</result>"
        f"<executionTime>{php_float(execution_time)}</executionTime></xml>"
    ).encode()


def render(
    value: Any,
    fmt: int,
    execution_time: float,
    multi: bool,
    callback: str,
    ignore_null: bool = False,
) -> bytes:
    """Return the response body for ``fmt`` (``ignore_null``: XML leaves null properties out)."""
    if fmt == XML:
        return to_xml(value, execution_time, multi, ignore_null)
    body = to_json(value)
    if fmt == JSONP:
        return callback.encode() + b"(" + body + b");"
    return body


def content_type(fmt: int) -> str:
    """Return the Content-Type the real server sends for ``fmt``."""
    return {XML: "text/xml", JSONP: "application/javascript"}.get(fmt, "application/json")
