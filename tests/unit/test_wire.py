"""The wire layer: request framing and response decoding, with no I/O."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaltura_mm.errors import (
    ApiError,
    EntryNotFoundError,
    InvalidKsError,
    ResponseError,
)
from kaltura_mm.models import BaseEntry, MediaEntry, MediaEntryParams
from kaltura_mm.protocol import wire
from kaltura_mm.protocol.calls import FilePart, MultiRequest
from kaltura_mm.services import base_entry, upload_token
from tests.conftest import load_payload

SESSION = wire.Session(ks="djJ8FAKEKS", client_tag="kaltura-mm:test")


def _json(request: wire.HttpRequest) -> dict[str, object]:
    assert len(request.body) == 1 and isinstance(request.body[0], bytes)
    return json.loads(request.body[0])  # type: ignore[no-any-return]


def test_single_call_is_a_json_post_to_the_canonical_path() -> None:
    request = wire.encode_call(base_entry.get("0_abc"), SESSION)
    assert request.method == "POST"
    assert request.path == "/api_v3/service/baseentry/action/get"
    assert dict(request.headers)["Content-Type"] == "application/json"
    assert _json(request) == {
        "format": 1,
        "clientTag": "kaltura-mm:test",
        "apiVersion": wire.API_VERSION,
        "ks": "djJ8FAKEKS",
        "entryId": "0_abc",
    }


def test_a_call_that_needs_no_ks_is_sent_without_one() -> None:
    from kaltura_mm.services import session

    request = wire.encode_call(session.start("s3cret", 99), SESSION)
    assert "ks" not in _json(request)


def test_multirequest_is_lower_case_with_one_based_keys_and_common_ks() -> None:
    batch = MultiRequest()
    first = batch.add(base_entry.add(MediaEntryParams(name="a")))
    batch.add(base_entry.get(first.id))
    request = wire.encode_multi(batch, SESSION)
    body = _json(request)
    assert request.path == "/api_v3/service/multirequest"
    assert body["ks"] == "djJ8FAKEKS" and body["format"] == 1
    assert body["1"] == {
        "service": "baseentry",
        "action": "add",
        "entry": {"name": "a", "objectType": "KalturaMediaEntry"},
    }
    assert body["2"] == {"service": "baseentry", "action": "get", "entryId": "{1:result:id}"}


def test_file_call_is_multipart_with_a_json_field_and_a_streamed_part(tmp_path: Path) -> None:
    media = tmp_path / 'my "clip".mp4'
    media.write_bytes(b"0123456789")
    part = FilePart(path=media, offset=2, length=5)
    call = upload_token.upload("0_tok", part, resume=True, final_chunk=False, resume_at=2)
    request = wire.encode_call(call, SESSION, boundary="BOUNDARY")
    assert dict(request.headers)["Content-Type"] == "multipart/form-data; boundary=BOUNDARY"
    head, file_head, streamed, crlf, tail = request.body
    assert streamed == part and request.files == (part,)
    assert head.startswith(b'--BOUNDARY\r\nContent-Disposition: form-data; name="json"')
    params = json.loads(head.split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n"))
    assert params["resume"] == 1 and params["finalChunk"] == 0 and params["resumeAt"] == 2
    assert b'name="fileData"; filename="my %22clip%22.mp4"' in file_head
    assert (crlf, tail) == (b"\r\n", b"--BOUNDARY--\r\n")


def test_file_in_a_multirequest_is_numbered(tmp_path: Path) -> None:
    (tmp_path / "a.bin").write_bytes(b"x")
    batch = MultiRequest()
    token = batch.add(upload_token.add(file_name="a.bin"))
    batch.add(upload_token.upload(token.id, FilePart(path=tmp_path / "a.bin")))
    request = wire.encode_multi(batch, SESSION, boundary="B")
    assert b'name="2:fileData"' in request.body[1]


def test_a_ref_outside_its_multirequest_is_refused() -> None:
    batch = MultiRequest()
    ref = batch.add(base_entry.get("0_a"))
    with pytest.raises(ValueError, match="only works inside"):
        wire.encode_call(base_entry.get(ref.id), SESSION)


def test_success_value_decodes() -> None:
    body = json.dumps({"id": "0_a", "objectType": "KalturaMediaEntry"}).encode()
    assert wire.decode_call(base_entry.get("0_a"), 200, body) == MediaEntry(id="0_a")
    assert wire.decode_call(base_entry.delete("0_a"), 200, b"null") is None


def test_api_exception_becomes_a_typed_error_with_empty_args_as_mapping() -> None:
    body = b'{"code":"ENTRY_ID_NOT_FOUND","message":"Entry id \\"0_a\\" not found",'
    body += b'"objectType":"KalturaAPIException","args":[]}'
    with pytest.raises(EntryNotFoundError) as caught:
        wire.decode_call(base_entry.get("0_a"), 200, body)
    error = caught.value
    assert (error.code, error.call, dict(error.kaltura_args)) == (
        "ENTRY_ID_NOT_FOUND",
        "baseEntry.get",
        {},
    )


def test_real_property_validation_error_keeps_args() -> None:
    body = json.dumps(load_payload("exception-property-validation.json")).encode()
    with pytest.raises(ApiError) as caught:
        wire.decode_call(base_entry.get("0_a"), 200, body)
    assert caught.value.kaltura_args["PROP_NAME"].startswith("KalturaFlavorAssetFilter::")


def test_invalid_ks_error_never_repeats_the_ks() -> None:
    payload = load_payload("exception-invalid-ks.json")
    ks = payload["args"]["KSID"]
    with pytest.raises(InvalidKsError) as caught:
        wire.decode_call(base_entry.get("0_a"), 200, json.dumps(payload).encode())
    error = caught.value
    assert ks not in str(error) and ks not in error.message
    assert ks not in error.reason and not error.expired
    assert error.kaltura_args["ERR_DESC"] == "INVALID_STR"


def test_expired_ks_is_recognised() -> None:
    body = json.dumps(
        {
            "code": "INVALID_KS",
            "message": 'Invalid KS "EXPIRED", Error "-1,INVALID_STR"',
            "objectType": "KalturaAPIException",
            "args": {"KSID": "EXPIRED", "ERR_CODE": "-1", "ERR_DESC": "INVALID_STR"},
        }
    ).encode()
    with pytest.raises(InvalidKsError) as caught:
        wire.decode_call(base_entry.get("0_a"), 200, body)
    assert caught.value.expired and caught.value.reason == "EXPIRED"


@pytest.mark.parametrize(
    ("status", "body", "says"),
    [
        (200, b"<html><body>Proxy login</body></html>", "HTML"),
        (200, b'{"id": "0_a", "name": "trunc', "truncated"),
        (200, b"", "empty"),
        (502, b"<html>Bad gateway</html>", "HTTP 502"),
        (503, b'{"code": "x"}', "HTTP 503"),
    ],
)
def test_unreadable_answers_are_response_errors(status: int, body: bytes, says: str) -> None:
    with pytest.raises(ResponseError, match=says) as caught:
        wire.decode_call(base_entry.get("0_a"), status, body)
    assert caught.value.status == status
    assert caught.value.__cause__ is None or isinstance(caught.value.__cause__, ValueError)


def test_response_excerpt_is_short_and_redacted() -> None:
    body = b"<html>" + b"secret-token-XYZ " * 50 + b"</html>"
    with pytest.raises(ResponseError) as caught:
        wire.decode_call(base_entry.get("0_a"), 500, body, ("secret-token-XYZ",))
    assert "secret-token-XYZ" not in str(caught.value)
    assert len(caught.value.excerpt) <= 120


def test_a_wrong_shape_is_a_response_error_not_a_traceback() -> None:
    with pytest.raises(ResponseError, match="unexpected response shape"):
        wire.decode_call(base_entry.get("0_a"), 200, b"[1, 2]")


def test_multirequest_outcomes_are_per_item() -> None:
    from kaltura_mm.protocol import codec
    from kaltura_mm.protocol.calls import Call

    batch = MultiRequest()
    widget = batch.add(Call(service="session", action="startWidgetSession", decoder=codec.decode))
    refs = [batch.add(base_entry.get(f"0_{i}")) for i in range(2)]
    metadata = batch.add(Call(service="metadata_metadata", action="list", decoder=codec.decode))
    body = json.dumps(load_payload("multirequest-partial-failure.json")).encode()
    response = wire.decode_multi(batch, 200, body)
    assert len(response) == 4 and not response.ok
    assert response[widget].partner_id == 1068292
    assert isinstance(response.outcome(refs[0]), EntryNotFoundError)
    assert response.outcome(refs[1]).code == "ENTRY_ID_NOT_FOUND"
    with pytest.raises(EntryNotFoundError):
        response[refs[0]]
    assert [type(e).__name__ for e in response.errors] == ["EntryNotFoundError"] * 2
    assert response[metadata].total_count == 0


def test_an_item_whose_answer_has_the_wrong_shape_fails_alone() -> None:
    batch = MultiRequest()
    first = batch.add(base_entry.get("0_a"))
    second = batch.add(base_entry.get("0_b"))
    third = batch.add(base_entry.get("0_c"))
    response = wire.decode_multi(
        batch,
        200,
        b'["not an entry", {"id": "0_b", "objectType": "KalturaBaseEntry"},'
        b' {"name": "no id", "objectType": "KalturaBaseEntry"}]',
    )
    assert isinstance(response.outcome(first), ResponseError)
    assert response[second] == BaseEntry(id="0_b")
    # An entry without the id the server always sends: a malformed answer, typed, not a crash.
    malformed = response.outcome(third)
    assert isinstance(malformed, ResponseError)
    assert "malformed server answer: KalturaBaseEntry without id" in str(malformed)


def test_multirequest_result_count_must_match() -> None:
    batch = MultiRequest()
    batch.add(base_entry.get("0_a"))
    batch.add(base_entry.get("0_b"))
    with pytest.raises(ResponseError, match="expected 2 multiRequest results, got 1"):
        wire.decode_multi(batch, 200, b'[{"id": "0_a", "objectType": "KalturaBaseEntry"}]')


def test_multirequest_decodes_the_real_session_and_list_payload() -> None:
    from kaltura_mm.protocol import codec
    from kaltura_mm.protocol.calls import Call

    batch = MultiRequest()
    batch.add(Call(service="session", action="startWidgetSession", decoder=codec.decode))
    listed = batch.add(base_entry.list())
    body = json.dumps(load_payload("multirequest-session-and-list.json")).encode()
    response = wire.decode_multi(batch, 200, body)
    assert response.ok
    assert isinstance(response[listed].objects[0], BaseEntry)
