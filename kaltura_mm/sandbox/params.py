"""Turn a request's URL, query string and body into the nested parameter map the server sees.

Mirrors ``infraRequestUtils::getRequestParams``, i.e.
``array_replace_recursive(body, files, url)``: URL parameters (query string and ``/key/value`` path
pairs) override the body; flat keys are split on ``:`` and PHP brackets (``filter[objectType]``)
nest the same way.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

Params = dict[str, Any]

_BRACKETS = re.compile(r"\[([^\]]*)\]")


def split_key(key: str) -> list[str]:
    """Split ``"1:filter[nameLike]"`` into ``["1", "filter", "nameLike"]``."""
    head, bracket, rest = key.partition("[")
    segments = head.split(":")
    if bracket:
        segments.extend(_BRACKETS.findall("[" + rest))
    return segments


def _set(target: Params, segments: list[str], value: Any) -> None:
    node = target
    for segment in segments[:-1]:
        child = node.get(segment)
        if not isinstance(child, dict):
            child = {}
            node[segment] = child
        node = child
    last = segments[-1]
    if last == "":  # PHP's a[] appends
        last = str(len(node))
    node[last] = value


def nest(pairs: Iterable[tuple[str, Any]]) -> Params:
    """Group flat ``a:b:c`` / ``a[b][c]`` keys into nested dicts (later keys win)."""
    result: Params = {}
    for key, value in pairs:
        _set(result, split_key(key), value)
    return result


def merge(base: Params, override: Params) -> Params:
    """Return ``array_replace_recursive(base, override)``."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def path_pairs(path: str) -> list[tuple[str, str]]:
    """Read ``/api_v3/service/x/action/y/k/v`` (after the script name) as key/value pairs."""
    tail = path.split("/api_v3", 1)[1] if "/api_v3" in path else path
    segments = [urllib.parse.unquote(s) for s in tail.split("/") if s]
    if segments and segments[0] in {"index.php", "index"}:
        segments = segments[1:]
    return list(zip(segments[0::2], segments[1::2], strict=False))


def query_pairs(query: str) -> list[tuple[str, str]]:
    """Decode a query string or form body, keeping blank values."""
    return urllib.parse.parse_qsl(query, keep_blank_values=True)


def url_params(path: str, query: str) -> Params:
    """Return the URL's parameters: query string, then path pairs."""
    return nest([*query_pairs(query), *path_pairs(path)])


def json_body(raw: bytes) -> Params:
    """Parse a JSON body as PHP does: only a trimmed ``{…}`` object counts; else nothing."""
    text = raw.strip()
    if not (text.startswith(b"{") and text.endswith(b"}")):
        return {}
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return {}  # json_decode returns null: the body contributes no parameters
    return value if isinstance(value, dict) else {}


def form_body(raw: bytes) -> Params:
    """Parse ``application/x-www-form-urlencoded``."""
    return nest(query_pairs(raw.decode("utf-8", errors="replace")))


def body_kind(content_type: str | None) -> str:
    """Classify a Content-Type: ``json`` (exactly), ``multipart``, ``form`` or ``other``."""
    value = (content_type or "").strip().lower()
    if value == "application/json":
        return "json"
    if value.startswith("multipart/form-data"):
        return "multipart"
    if value.startswith("application/x-www-form-urlencoded"):
        return "form"
    return "other"
