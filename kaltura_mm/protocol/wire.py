"""Kaltura's HTTP wire format, pure: calls -> request descriptions, response bytes -> values.

Requests: ``POST /api_v3/service/{service}/action/{action}`` (a batch: ``/api_v3/service/
multirequest``, lower case, the server compares it exactly), a JSON body with ``format=1``,
``ks``, ``clientTag`` and ``apiVersion``, sent as ``Content-Type: application/json`` exactly (the
server ignores a JSON body under any other content type, even with ``; charset=utf-8``). A call
with a file is ``multipart/form-data`` with the parameters in a ``json`` field and one part per
file (``fileData``, or ``N:fileData`` in a batch); the file bytes stay on disk, described by
``FilePart`` segments the client streams.

Responses: HTTP 200 with the bare JSON value, or a ``KalturaAPIException`` object (also HTTP 200)
decoded into an ``ApiError``; anything else (an HTML page from a proxy, a truncated body, a
5xx) is a ``ResponseError`` with a short redacted excerpt, never a JSON traceback.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from kaltura_mm.errors import ApiError, KalturaError, ResponseError, redact
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call, FilePart, MultiRequest, MultiResponse, refs_in

T = TypeVar("T")

API_VERSION = "23.3.0"
JSON_CONTENT_TYPE = "application/json"
EXCEPTION_TYPE = "KalturaAPIException"
_EXCERPT = 120


@attrs.frozen(kw_only=True)
class HttpRequest:
    """A request to send: path under the service URL, headers, body segments.

    ``body`` is a sequence of bytes and ``FilePart`` segments, sent in order; the client streams
    file parts from disk.
    """

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: tuple[bytes | FilePart, ...]

    @property
    def files(self) -> tuple[FilePart, ...]:
        """Return the file parts of the body."""
        return tuple(s for s in self.body if isinstance(s, FilePart))


@attrs.frozen(kw_only=True)
class Session:
    """Per-request values the client adds to every call: KS, client tag."""

    ks: str | None = attrs.field(default=None, repr=False)
    client_tag: str = "kaltura-mm"


def _common(session: Session, with_ks: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"format": 1, "clientTag": session.client_tag}
    params["apiVersion"] = API_VERSION
    if with_ks and session.ks:
        params["ks"] = session.ks
    return params


def _call_params(call: Call[Any]) -> dict[str, Any]:
    if refs_in(call.params):
        raise ValueError(f"{call.label}: a Ref only works inside the MultiRequest that made it")
    return codec.encode_params(call.params)


def _quote(name: str) -> str:
    # As browsers do (WHATWG): escape the quote and line breaks in a form-data filename.
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _multipart(
    params: Mapping[str, Any], files: list[tuple[str, FilePart]], boundary: str
) -> tuple[tuple[bytes | FilePart, ...], str]:
    dash = f"--{boundary}\r\n".encode()
    segments: list[bytes | FilePart] = [
        dash + b'Content-Disposition: form-data; name="json"\r\n'
        b"Content-Type: application/json\r\n\r\n" + json.dumps(params).encode() + b"\r\n"
    ]
    for field, part in files:
        head = (
            f'Content-Disposition: form-data; name="{_quote(field)}"; '
            f'filename="{_quote(part.name)}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        segments += [dash + head.encode(), part, b"\r\n"]
    segments.append(f"--{boundary}--\r\n".encode())
    return tuple(segments), f"multipart/form-data; boundary={boundary}"


def _request(
    path: str, params: dict[str, Any], files: list[tuple[str, FilePart]], boundary: str | None
) -> HttpRequest:
    accept = ("Accept", JSON_CONTENT_TYPE)
    if not files:
        body = json.dumps(params).encode()
        headers = (("Content-Type", JSON_CONTENT_TYPE), accept)
        return HttpRequest(method="POST", path=path, headers=headers, body=(body,))
    segments, content_type = _multipart(params, files, boundary or secrets.token_hex(16))
    headers = (("Content-Type", content_type), accept)
    return HttpRequest(method="POST", path=path, headers=headers, body=segments)


def encode_call(call: Call[Any], session: Session, boundary: str | None = None) -> HttpRequest:
    """Describe the HTTP request for one call."""
    params = _common(session, call.needs_ks) | _call_params(call)
    path = f"/api_v3/service/{call.service.lower()}/action/{call.action}"
    files = [(call.file.field, call.file)] if call.file else []
    return _request(path, params, files, boundary)


def encode_multi(batch: MultiRequest, session: Session, boundary: str | None = None) -> HttpRequest:
    """Describe the HTTP request for a multiRequest (items keyed 1..N, no gaps)."""
    if not len(batch):
        raise ValueError("a MultiRequest needs at least one call")
    params = _common(session, True)
    files: list[tuple[str, FilePart]] = []
    for index, call in enumerate(batch.calls, start=1):
        item = {"service": call.service.lower(), "action": call.action}
        params[str(index)] = item | codec.encode_params(call.params)
        if call.file:
            files.append((f"{index}:{call.file.field}", call.file))
    return _request("/api_v3/service/multirequest", params, files, boundary)


# ---- decoding ---------------------------------------------------------------------------------


def _excerpt(body: bytes, secrets_: tuple[str, ...]) -> str:
    text = body[:400].decode("utf-8", "replace")
    return redact(" ".join(text.split()), secrets_)[:_EXCERPT]


def parse_body(status: int, body: bytes, label: str, secrets_: tuple[str, ...] = ()) -> Any:
    """Parse a response body as JSON, or raise ``ResponseError`` saying what arrived instead."""
    if status != 200:
        raise ResponseError(
            f"the server answered HTTP {status} instead of a Kaltura response",
            status=status,
            excerpt=_excerpt(body, secrets_),
            call=label,
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        stripped = body.lstrip()[:1]
        what = (
            "an HTML or XML page (a proxy or login page?)"
            if stripped == b"<"
            else "an empty body"
            if not stripped
            else "a truncated or invalid JSON body"
        )
        raise ResponseError(
            f"expected JSON, got {what}",
            status=status,
            excerpt=_excerpt(body, secrets_),
            call=label,
        ) from exc


def as_api_error(value: Any, label: str, secrets_: tuple[str, ...] = ()) -> ApiError | None:
    """Return the ``ApiError`` a response value holds, or None if it is not an exception."""
    if not isinstance(value, dict) or value.get("objectType") != EXCEPTION_TYPE:
        return None
    raw_args = value.get("args")
    args = raw_args if isinstance(raw_args, dict) else {}
    clean = {str(k): redact(str(v), secrets_) for k, v in args.items()}
    message = redact(str(value.get("message", "")), secrets_)
    return ApiError.create(str(value.get("code", "")), message, clean, label)


def _decoded(call: Call[T], value: Any, secrets_: tuple[str, ...]) -> T | KalturaError:
    error = as_api_error(value, call.label, secrets_)
    if error is not None:
        return error
    try:
        return call.decoder(value)
    except (codec.DecodeError, ValueError, TypeError) as exc:
        return ResponseError(
            f"unexpected response shape: {exc}", status=200, excerpt="", call=call.label
        )


def decode_call(call: Call[T], status: int, body: bytes, secrets_: tuple[str, ...] = ()) -> T:
    """Decode one call's response into its value, or raise the typed error it holds."""
    outcome = _decoded(call, parse_body(status, body, call.label, secrets_), secrets_)
    if isinstance(outcome, KalturaError):
        raise outcome
    return outcome


def decode_multi(
    batch: MultiRequest, status: int, body: bytes, secrets_: tuple[str, ...] = ()
) -> MultiResponse:
    """Decode a multiRequest response into per-item outcomes (values or errors)."""
    value = parse_body(status, body, batch.label, secrets_)
    error = as_api_error(value, batch.label, secrets_)
    if error is not None:
        raise error
    if not isinstance(value, list) or len(value) != len(batch):
        got = len(value) if isinstance(value, list) else type(value).__name__
        raise ResponseError(
            f"expected {len(batch)} multiRequest results, got {got}",
            status=status,
            excerpt=_excerpt(body, secrets_),
            call=batch.label,
        )
    raw = [_decoded(c, v, secrets_) for c, v in zip(batch.calls, value, strict=True)]
    return batch.resolve(raw, value)
