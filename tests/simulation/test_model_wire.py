"""The model on the wire: errors, formats, bodies, multirequests, sessions, determinism."""

from __future__ import annotations

import json
import random

import pytest

from simulation.http import HttpRequest, json_request, multipart_request
from simulation.model import NotModelled
from simulation.model.ks import make_ks
from tests.simulation.support import ADMIN_SECRET, PARTNER, URL, USER_SECRET, Bench, error_code


def test_an_api_error_is_http_200_with_args_an_empty_array_when_it_has_none() -> None:
    bench = Bench()
    response = bench.run(bench.request("uploadtoken", "get", uploadTokenId="0_nope"))
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    body = json.loads(response.body)
    assert list(body) == ["code", "message", "objectType", "args"]
    assert body == {
        "code": "UPLOAD_TOKEN_NOT_FOUND",
        "message": "Upload token not found",
        "objectType": "KalturaAPIException",
        "args": [],
    }


def test_json_escapes_slashes_like_php() -> None:
    bench = Bench()
    entry = bench.entry("a/b")
    raw = bench.run(bench.request("baseentry", "get", entryId=entry["id"])).body
    assert b'"name":"a\\/b"' in raw


def test_without_format_the_answer_is_xml() -> None:
    bench = Bench()
    request = json_request(URL, "baseentry", "get", {"ks": bench.ks, "entryId": "0_nope"})
    response = bench.run(request)
    assert response.headers["Content-Type"] == "text/xml"
    assert (
        response.body.startswith(b"<?xml") and b"<code>ENTRY_ID_NOT_FOUND</code>" in response.body
    )


def test_a_json_body_with_a_charset_is_not_read_at_all() -> None:
    bench = Bench()
    body = json.dumps({"ks": bench.ks, "format": 1, "entryId": "0_x"}).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    request = HttpRequest("POST", f"{URL}/api_v3/service/baseentry/action/get", headers, body)
    response = bench.run(request)
    assert b"MISSING_MANDATORY_PARAMETER" in response.body  # and in XML: format was lost too


def test_url_parameters_override_the_body() -> None:
    bench = Bench()
    entry = bench.entry()["id"]
    request = json_request(URL, "baseentry", "get", {"ks": bench.ks, "format": 1, "entryId": "0_x"})
    request = HttpRequest(
        request.method, f"{request.url}?entryId={entry}", request.headers, request.body
    )
    assert json.loads(bench.run(request).body)["id"] == entry


def test_a_multirequest_answers_an_array_and_a_reference_to_a_failed_item_is_empty() -> None:
    bench = Bench()
    entry = bench.entry()["id"]
    params = {
        "ks": bench.ks,
        "format": 1,
        "1": {"service": "baseentry", "action": "get", "entryId": "0_missing"},
        "2": {"service": "baseentry", "action": "get", "entryId": "{1:result:id}"},
        "3": {"service": "baseentry", "action": "get", "entryId": entry},
        "4": {"service": "baseentry", "action": "get", "entryId": "{3:result:id}"},
    }
    results = json.loads(bench.run(json_request(URL, "multirequest", "null", params)).body)
    assert [error_code(r) for r in results] == ["ENTRY_ID_NOT_FOUND"] * 2 + [None, None]
    assert results[1]["message"] == 'Entry id "" not found'
    assert results[3]["id"] == entry


def test_an_upload_in_a_multirequest_takes_its_numbered_file_part() -> None:
    bench = Bench()
    params = {
        "ks": bench.ks,
        "format": 1,
        "1": {"service": "uploadtoken", "action": "add", "uploadToken": {"fileName": "a.mp4"}},
        "2": {
            "service": "uploadtoken",
            "action": "upload",
            "uploadTokenId": "{1:result:id}",
            "resume": False,
            "finalChunk": True,
        },
    }
    request = multipart_request(
        URL, "multirequest", "null", params, {"2:fileData": ("a.mp4", b"xyz")}
    )
    results = json.loads(bench.run(request).body)
    assert (results[1]["status"], results[1]["uploadedFileSize"]) == (2, "3")


def test_an_expired_ks_says_expired_and_a_forged_one_says_invalid_str() -> None:
    bench = Bench()
    short = bench.make_ks(expiry=60)
    bench.advance(60)
    expired = bench.call("baseentry", "get", ks=short, entryId="0_x")
    assert expired["args"] == {"KSID": "EXPIRED", "ERR_CODE": "-1", "ERR_DESC": "INVALID_STR"}
    forged = make_ks("not-the-secret", PARTNER, 2**31, 2, "", "", random.Random(1))
    refused = bench.call("baseentry", "get", ks=forged, entryId="0_x")
    assert refused["args"]["ERR_DESC"] == "INVALID_STR" and refused["args"]["KSID"] == forged


def test_a_malformed_argument_is_reported_before_an_expired_ks() -> None:
    bench = Bench()
    short = bench.make_ks(expiry=1)
    bench.advance(2)
    assert error_code(bench.call("baseentry", "get", ks=short)) == "MISSING_MANDATORY_PARAMETER"


def test_session_start_honours_the_secrets_and_caps_the_expiry() -> None:
    bench = Bench(ks_max_expiry=120)
    ks = bench.call("session", "start", ks="", secret=ADMIN_SECRET, partnerId=PARTNER, type=2)
    assert ks.startswith("djJ8")
    assert bench.call("baseentry", "list", ks=ks)["objectType"] == "KalturaBaseEntryListResponse"
    bench.advance(120)
    assert bench.call("baseentry", "list", ks=ks)["args"]["KSID"] == "EXPIRED"
    refused = bench.call("session", "start", ks="", secret=USER_SECRET, partnerId=PARTNER, type=2)
    assert error_code(refused) == "START_SESSION_ERROR"


def test_a_call_without_a_ks_is_forbidden_for_a_known_partner() -> None:
    bench = Bench()
    body = bench.call("baseentry", "list", ks="", partnerId=PARTNER)
    assert body["code"] == "SERVICE_FORBIDDEN" and body["args"] == {"SERVICE": "baseentry->list"}


def test_an_action_the_model_lacks_is_refused_rather_than_answered() -> None:
    bench = Bench()
    with pytest.raises(NotModelled, match="thumbasset"):
        bench.call("thumbasset", "list")


def test_the_same_seed_answers_the_same_bytes() -> None:
    def session_of_a_fresh_model() -> list[bytes]:
        bench = Bench()
        ks = bench.call("session", "start", ks="", secret=ADMIN_SECRET, partnerId=PARTNER, type=2)
        entry = bench.entry()
        token = bench.token()
        return [ks.encode(), json.dumps(entry).encode(), json.dumps(token).encode()]

    assert session_of_a_fresh_model() == session_of_a_fresh_model()


def test_a_file_part_keeps_every_byte_even_line_breaks_and_dashes() -> None:
    bench = Bench()
    token = bench.token()["id"]
    data = b"\r\n\r\n--\r\n" + bytes(range(256)) + b"\r\n"
    assert bench.chunk(token, data, resume=False, final=True)["uploadedFileSize"] == str(len(data))
    assert bytes(bench.state.tokens[token].data) == data


def test_multipart_without_a_json_field_reads_its_form_fields() -> None:
    bench = Bench()
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="ks"\r\n\r\n{bench.ks}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\n1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="uploadToken:fileName"\r\n\r\n'
        f"f.mp4\r\n--{boundary}--\r\n"
    ).encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    request = HttpRequest("POST", f"{URL}/api_v3/service/uploadtoken/action/add", headers, body)
    assert json.loads(bench.run(request).body)["fileName"] == "f.mp4"


def test_a_multipart_body_cut_short_brings_no_parameters() -> None:
    bench = Bench()
    whole = bench.chunk_request("0_x", b"data", resume=False, final=True)
    cut = HttpRequest(whole.method, whole.url, whole.headers, whole.body[:-30])
    assert b"<code>MISSING_MANDATORY_PARAMETER</code>" in bench.run(cut).body  # XML: no format


def test_a_v1_ks_signed_with_the_admin_secret_is_accepted_until_it_expires() -> None:
    from kaltura_mm.sandbox.ks import encode_v1

    bench = Bench()
    v1 = encode_v1(ADMIN_SECRET, PARTNER, int(bench.clock.now()) + 60, 2, "someone")
    assert bench.call("baseentry", "list", ks=v1)["totalCount"] == 0
    bench.advance(60)
    assert bench.call("baseentry", "list", ks=v1)["args"]["KSID"] == "EXPIRED"
