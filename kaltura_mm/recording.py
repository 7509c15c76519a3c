"""Record a Kaltura integration once, replay it with no server: vcrpy cassettes, secrets scrubbed.

Usage (in a test, or any script using ``Client``/``AsyncClient``)::

    from kaltura_mm.recording import cassette

    with cassette("cassettes/my_flow.yaml", partner_id=config.partner_id):
        client.run(my_flow())

Replay is the default: a request that is not in the cassette raises instead of reaching a
server. Set ``KALTURA_MM_RECORD=1`` (or pass ``record=True``) to (re-)record against whatever
server the client points at (the sandbox, or a real account through ``KALTURA_*`` variables).

What is scrubbed at record time, and ignored when matching: the KS, ``secret`` and app token
``tokenHash`` parameters and an app token's ``token`` (dropped), the partner id (replaced by
``0``, also inside URLs and text), user ids (``<user>``), any KS in a response (a
``session.start`` result; a session object's ``ks`` is masked, not dropped), and file bytes
(only the part's name and length are kept). Requests match on method, API path and their
remaining JSON parameters, so a cassette recorded on one host replays against any URL.
Needs ``vcrpy`` (the ``dev`` extra).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kaltura_mm.errors import REDACTED, redact

RECORD_ENV = "KALTURA_MM_RECORD"
_VOLATILE = ("ks", "clientTag", "apiVersion")
_SECRET_KEYS = ("secret", "adminSecret", "userSecret", "tokenHash")
# An app token's ``token`` is its secret (appToken.add/get/list answers); an upload token
# resource's ``token`` is only an id, so the key is dropped from app tokens alone.
_APP_TOKEN_TYPE = "KalturaAppToken"  # noqa: S105 - an objectType, not a password
_USER_KEYS = ("userId", "creatorId", "creatorUserId", "puserId", "owner")
_BOUNDARY = re.compile(rb"boundary=([^;\s]+)")


def recording_requested() -> bool:
    """Return whether ``KALTURA_MM_RECORD`` asks to record (``1``, ``true``, ``yes``)."""
    return os.environ.get(RECORD_ENV, "").strip().lower() in ("1", "true", "yes")


def _scrub_value(value: Any, partner_id: int | None, answer: bool = False) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if answer and key == "ks" and isinstance(item, str) and item:
                # A session in an answer (a widget session's, an app token's) stays a session
                # on replay, the value masked: a flow that goes on with it still finds one.
                out[key] = REDACTED
                continue
            if key in _VOLATILE or key in _SECRET_KEYS:
                continue  # a secret is dropped, not masked: nothing secret-shaped is stored
            if key == "token" and value.get("objectType") == _APP_TOKEN_TYPE:
                continue
            if key in _USER_KEYS and isinstance(item, str) and item:
                out[key] = "<user>"
            elif (
                key in ("partnerId", "p")
                and partner_id is not None
                and str(item) == str(partner_id)
            ):
                out[key] = 0
            else:
                out[key] = _scrub_value(item, partner_id, answer)
        return out
    if isinstance(value, list):
        return [_scrub_value(item, partner_id, answer) for item in value]
    if isinstance(value, str):
        if partner_id is not None:
            # Partner ids also hide in URLs and search text: /p/123/sp/12300/, _123_.
            pattern = (
                rf"(?<=/p/){partner_id}(?=/)|(?<=/sp/){partner_id}00(?=/)|(?<=_){partner_id}(?=_)"
            )
            value = re.sub(pattern, "0", value)
        return redact(value)
    return value


def _multipart_params(body: bytes, content_type: str) -> dict[str, Any]:
    """Keep the ``json`` field and each file part's name and length; drop the file bytes."""
    found = _BOUNDARY.search(content_type.encode())
    if not found:
        return {}
    params: dict[str, Any] = {}
    for chunk in body.split(b"--" + found.group(1).strip(b'"')):
        head, _, data = chunk.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        if not name:
            continue
        data = data.removesuffix(b"\r\n")
        if name.group(1) == b"json":
            params.update(json.loads(data))
        else:
            filename = re.search(rb'filename="([^"]*)"', head)
            label = filename.group(1).decode("utf-8", "replace") if filename else ""
            params[f"file:{name.group(1).decode()}"] = {"name": label, "bytes": len(data)}
    return params


def scrub_body(body: bytes | str | None, content_type: str, partner_id: int | None) -> bytes:
    """Return a request body without secrets, volatile values or file bytes, as stable JSON."""
    if body is None:
        return b""
    raw = body.encode() if isinstance(body, str) else body
    try:
        if content_type.startswith("multipart/"):
            params: Any = _multipart_params(raw, content_type)
        else:
            params = json.loads(raw or b"{}")
    except ValueError:
        return redact(raw.decode("utf-8", "replace")).encode()
    return json.dumps(_scrub_value(params, partner_id), sort_keys=True).encode()


def _scrub_request(request: Any, partner_id: int | None) -> Any:
    content_type = request.headers.get("Content-Type", "") or request.headers.get(
        "content-type", ""
    )
    request.body = scrub_body(request.body, content_type, partner_id)
    for header in ("Content-Type", "content-type", "Content-Length", "content-length"):
        request.headers.pop(header, None)
    request.headers["Content-Type"] = "application/json"
    return request


def _scrub_response(response: dict[str, Any], partner_id: int | None) -> dict[str, Any]:
    body = response.get("body", {}).get("string", b"")
    try:
        value = json.loads(body)
    except ValueError:
        return response
    response["body"]["string"] = json.dumps(_scrub_value(value, partner_id, True)).encode()
    for header in ("Content-Length", "content-length", "X-Me", "x-me"):
        response.get("headers", {}).pop(header, None)
    return response


def _same_call(recorded: Any, live: Any) -> None:
    assert recorded.path == live.path, f"{recorded.path} != {live.path}"
    assert recorded.body == live.body, "different parameters"


@contextmanager
def cassette(
    path: str | Path, *, partner_id: int | None = None, record: bool | None = None
) -> Iterator[Any]:
    """Replay (or record, with ``record=True`` or ``KALTURA_MM_RECORD=1``) the HTTP calls inside.

    ``partner_id`` is the account's id, replaced by ``0`` in the cassette and when matching.
    """
    import vcr  # type: ignore[import-untyped]

    record = recording_requested() if record is None else record
    recorder = vcr.VCR(
        record_mode="all" if record else "none",
        match_on=["method", "kaltura_call"],
        before_record_request=lambda request: _scrub_request(request, partner_id),
        before_record_response=lambda response: _scrub_response(response, partner_id),
        decode_compressed_response=True,
    )
    recorder.register_matcher("kaltura_call", _same_call)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if record:
        # vcrpy's "all" mode keeps the old interactions and appends: a re-recording starts clean.
        Path(path).unlink(missing_ok=True)
    with recorder.use_cassette(str(path)) as tape:
        yield tape
