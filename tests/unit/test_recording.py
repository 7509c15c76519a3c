"""The cassette scrubber: what is kept, what never reaches a recording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaltura_mm.protocol import wire
from kaltura_mm.protocol.calls import FilePart
from kaltura_mm.recording import cassette, scrub_body
from kaltura_mm.services import base_entry, session, upload_token

KS = "djJ8MTIzfCOOiMiAM89sYsQ5fT2OXWccJKCiQwzvbXBVNpvYIb6GL1fJkmAIFvx9gSx2DsKSzV4sA=="


def _body(request: wire.HttpRequest, tmp: Path | None = None) -> bytes:
    parts = []
    for segment in request.body:
        parts.append(segment if isinstance(segment, bytes) else segment.path.read_bytes())
    return b"".join(parts)


def test_json_body_loses_ks_secret_and_partner_id() -> None:
    call = session.start("S3CRET", 1234, user_id="alice@example.com")
    request = wire.encode_call(call, wire.Session(ks=KS, client_tag="t"))
    scrubbed = json.loads(scrub_body(_body(request), "application/json", 1234))
    assert scrubbed == {
        "userId": "<user>",
        "type": 0,
        "partnerId": 0,
        "expiry": 86400,
        "format": 1,
    }


def test_multipart_body_keeps_params_and_file_size_but_not_bytes(tmp_path: Path) -> None:
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"PRIVATE-BYTES" * 10)
    request = wire.encode_call(
        upload_token.upload("1_t", FilePart(path=media)), wire.Session(ks=KS), boundary="XyZ"
    )
    content_type = dict(request.headers)["Content-Type"]
    scrubbed = scrub_body(_body(request), content_type, None)
    assert b"PRIVATE-BYTES" not in scrubbed and KS.encode() not in scrubbed
    assert json.loads(scrubbed)["file:fileData"] == {"name": "clip.mp4", "bytes": 130}


def test_partner_id_is_scrubbed_inside_urls() -> None:
    body = json.dumps({"url": "https://x/p/1234/sp/123400/thumbnail/version/1234567"})
    scrubbed = json.loads(scrub_body(body.encode(), "application/json", 1234))
    assert scrubbed["url"] == "https://x/p/0/sp/0/thumbnail/version/1234567"
    other = json.dumps({"id": 1234, "name": "x1234y", "partnerId": 1234})
    assert json.loads(scrub_body(other.encode(), "application/json", 1234)) == {
        "id": 1234,
        "name": "x1234y",
        "partnerId": 0,
    }


def test_replay_refuses_a_request_that_was_not_recorded(tmp_path: Path) -> None:
    from vcr.errors import CannotOverwriteExistingCassetteException

    from kaltura_mm.client import Client

    tape = tmp_path / "empty.yaml"
    tape.write_text("interactions: []\nversion: 1\n", encoding="utf-8")
    client = Client(service_url="http://127.0.0.1:9", ks="djJ8x")
    with (
        client,
        cassette(tape, record=False),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        client.call(base_entry.get("0_a"))
