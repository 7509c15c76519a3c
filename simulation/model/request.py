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

from python_multipart.multipart import MultipartParser, parse_options_header

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


class _Collector:
    """Callbacks for python-multipart's parser, keeping every part in memory."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, str]] = []
        self.files: list[tuple[str, FilePart]] = []
        self._headers: dict[bytes, bytes] = {}
        self._name = b""
        self._value = b""
        self._data = bytearray()

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self._add("_name", d[s:e]),
            "on_header_value": lambda d, s, e: self._add("_value", d[s:e]),
            "on_header_end": self._header_end,
            "on_part_data": lambda d, s, e: self._data.extend(d[s:e]),
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._data = {}, bytearray()

    def _add(self, attribute: str, data: bytes) -> None:
        setattr(self, attribute, getattr(self, attribute) + data)

    def _header_end(self) -> None:
        self._headers[self._name.strip().lower()] = self._value.strip()
        self._name, self._value = b"", b""

    def _end(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            self.fields.append((name, self._data.decode("utf-8", "replace")))
        else:
            base = filename.decode("utf-8", "replace").replace("\\", "/").rsplit("/", 1)[-1]
            self.files.append((name, FilePart(base, bytes(self._data))))


def _multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        return {}
    collector = _Collector()
    parser = MultipartParser(boundary, collector.callbacks())  # type: ignore[arg-type]
    try:
        parser.write(raw)
        parser.finalize()
    except Exception:  # a malformed body contributes no parameters, as in PHP
        return {}
    json_fields = [value for name, value in collector.fields if name == "json"]
    body: dict[str, Any]
    if json_fields:
        try:
            decoded = json.loads(json_fields[-1])
        except ValueError:
            decoded = None
        body = decoded if isinstance(decoded, dict) else {}
    else:
        body = nest(collector.fields)
    return merge(body, nest(collector.files))
