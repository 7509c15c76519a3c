"""Read a request's parameters the way ``infraRequestUtils::getRequestParams`` does.

``array_replace_recursive(body, files, url)``: URL parameters (query string and ``/key/value``
path pairs) override the body. The body counts only when its Content-Type is exactly
``application/json`` (a trimmed ``{…}``), multipart (its ``json`` field replaces every other form
field; file parts are kept), or a form. File parts become :class:`FilePart` values, in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from python_multipart.multipart import parse_options_header

from kaltura_mm.sandbox.params import body_kind, form_body, json_body, merge, nest, url_params
from simulation.http import HttpRequest


@dataclass(frozen=True, slots=True)
class FilePart:
    """A multipart file part: its filename and bytes (PHP's ``$_FILES`` entry)."""

    filename: str
    data: bytes

    def __repr__(self) -> str:
        return f"FilePart({self.filename!r}, {len(self.data)} bytes)"


def read_params(request: HttpRequest) -> dict[str, Any]:
    """Return the nested parameter map the dispatcher sees."""
    kind = body_kind(request.header("content-type"))
    body: dict[str, Any] = {}
    if kind == "json":
        body = json_body(request.body)
    elif kind == "form":
        body = form_body(request.body)
    elif kind == "multipart":
        body = _multipart(request.body, request.header("content-type") or "")
    return merge(body, url_params(request.path, request.query))


def _parts(raw: bytes, boundary: bytes) -> list[tuple[dict[bytes, bytes], bytes]] | None:
    """Split a multipart body into (headers, data) parts; None when it is malformed."""
    pieces = raw.split(b"--" + boundary)
    if len(pieces) < 2:
        return None
    parts: list[tuple[dict[bytes, bytes], bytes]] = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            return parts
        head, found, data = piece.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not found:
            return None
        headers = {}
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        parts.append((headers, data.removesuffix(b"\r\n")))
    return None  # no closing boundary


def _multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    parts = _parts(raw, boundary) if boundary else None
    if parts is None:
        return {}  # a malformed body contributes no parameters, as in PHP
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, FilePart]] = []
    for headers, data in parts:
        _, disposition = parse_options_header(headers.get(b"content-disposition", b""))
        name = disposition.get(b"name", b"").decode("utf-8", "replace")
        filename = disposition.get(b"filename")
        if filename is None:
            fields.append((name, data.decode("utf-8", "replace")))
        else:
            base = filename.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            files.append((name, FilePart(base, data)))
    return merge(_form_fields(fields), nest(files))


def _form_fields(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """The ``json`` field's object replaces every other form field (``getRequestParams``)."""
    json_fields = [value for name, value in fields if name == "json"]
    if not json_fields:
        return nest(fields)
    try:
        decoded = json.loads(json_fields[-1])
    except ValueError:
        decoded = None
    return decoded if isinstance(decoded, dict) else {}
