"""The request protocol over real HTTP: URL forms, body encodings, precedence, headers, errors."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import httpx

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox import ks as codec
from tests.sandbox.helpers import Api, is_error


def test_session_start_returns_a_v2_ks_that_works(sb: Sandbox) -> None:
    api = Api(sb, None)
    ks = api.call("session", "start", secret=sb.admin_secret, partnerId=sb.partner_id, type=2)
    assert isinstance(ks, str) and ks.startswith("djJ8")
    api.ks = ks
    assert api.call("baseEntry", "list")["objectType"] == "KalturaBaseEntryListResponse"


def test_session_start_rejects_wrong_secret_and_user_secret_for_admin(sb: Sandbox) -> None:
    api = Api(sb, None)
    wrong = api.call("session", "start", secret="nope", partnerId=sb.partner_id)
    assert is_error(wrong, "START_SESSION_ERROR") and wrong["args"] == {"PID": str(sb.partner_id)}
    admin_with_user_secret = api.call(
        "session", "start", secret=sb.user_secret, partnerId=sb.partner_id, type=2
    )
    assert is_error(admin_with_user_secret, "START_SESSION_ERROR")
    user = api.call("session", "start", secret=sb.user_secret, partnerId=sb.partner_id, type=0)
    assert isinstance(user, str)


def test_form_body_path_params_and_index_php(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry("form")
    http = api.http
    form = http.post(
        "/service/baseentry/action/get", data={"ks": api.ks, "format": "1", "entryId": entry["id"]}
    )
    assert form.json()["id"] == entry["id"]
    path = http.get(
        f"/service/baseentry/action/get/entryId/{entry['id']}", params={"ks": api.ks, "format": "1"}
    )
    assert path.json()["name"] == "form"
    legacy = http.get(
        "/index.php",
        params={
            "service": "baseEntry",
            "action": "get",
            "ks": api.ks,
            "format": "1",
            "entryId": entry["id"],
        },
    )
    assert legacy.json()["id"] == entry["id"]
    sb.index.settle()  # lists lag writes: wait for the index before listing
    brackets = http.post(
        "/service/baseentry/action/list",
        content=(
            f"ks={api.ks}&format=1&filter[objectType]=KalturaBaseEntryFilter"
            "&filter[statusIn]=7&filter[idEqual]=" + entry["id"]
        ).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert brackets.json()["totalCount"] == 1


def test_url_params_override_the_body(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry("url wins")
    response = api.http.post(
        f"/service/baseentry/action/get?entryId={entry['id']}",
        json={"ks": api.ks, "format": 1, "entryId": "0_missing"},
    )
    assert response.json()["id"] == entry["id"]


def test_json_needs_the_exact_content_type(sb: Sandbox, api: Api) -> None:
    body = json.dumps({"ks": api.ks, "format": 1, "entryId": "0_x"}).encode()
    response = api.http.post(
        "/service/baseentry/action/get",
        content=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    # The body is not parsed at all: no format=1 (so XML) and no entryId (checked before the KS).
    assert response.headers["content-type"] == "text/xml"
    assert b"<code>MISSING_MANDATORY_PARAMETER</code>" in response.content


def test_multipart_json_field_replaces_other_fields(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry("mp")
    response = api.http.post(
        "/service/baseentry/action/get",
        data={
            "json": json.dumps({"ks": api.ks, "format": 1, "entryId": entry["id"]}),
            "entryId": "0_ignored",
        },
        files={"unused": ("x.bin", b"123")},
    )
    assert response.json()["id"] == entry["id"]


def test_xml_is_the_default_format_and_has_the_envelope(sb: Sandbox, api: Api) -> None:
    response = api.http.post("/service/baseentry/action/list", json={"ks": api.ks})
    assert response.headers["content-type"] == "text/xml"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?><xml><result>')
    assert "<executionTime>" in response.text


def test_response_headers_are_the_real_ones(sb: Sandbox, api: Api) -> None:
    response = api.http.post("/service/baseentry/action/list", json={"ks": api.ks, "format": 1})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "X-Kaltura-Session" in response.headers["access-control-expose-headers"]
    assert response.headers["x-kaltura-session"].split(", ")[1].isdigit()
    assert response.headers["x-me"]
    assert "no-store" in response.headers["cache-control"]
    options = api.http.options("/service/baseentry/action/list")
    assert options.headers["access-control-max-age"] == "86400"


def test_keep_alive_reuses_one_connection(sb: Sandbox, api: Api) -> None:
    for _ in range(5):
        api.call("baseEntry", "count")
    assert sb.stats.http_requests == 5
    pool = api.http._transport._pool  # type: ignore[attr-defined]
    assert len(pool.connections) == 1


def test_errors_come_with_http_200_and_real_codes(sb: Sandbox, api: Api) -> None:
    assert is_error(api.call("nosuch", "list"), "SERVICE_DOES_NOT_EXISTS")
    unknown = api.call("baseEntry", "fly")
    assert is_error(unknown, "ACTION_DOES_NOT_EXISTS")
    assert unknown["args"] == {"ACTION_NAME": "fly", "SERVICE_NAME": "baseEntry"}
    missing = api.call("baseEntry", "get")
    assert is_error(missing, "MISSING_MANDATORY_PARAMETER")
    assert missing["message"] == 'Missing parameter "entryId"'
    not_found = api.call("baseEntry", "get", entryId="0_zzzzzzzz")
    assert not_found["args"] == {"ENTRY_ID": "0_zzzzzzzz"}
    bad_format = httpx.post(
        sb.service_url + "/api_v3/service/baseentry/action/list", json={"ks": api.ks, "format": 7}
    )
    assert b"UNKNOWN_RESPONSE_FORMAT" in bad_format.content


def test_invalid_and_expired_ks(sb: Sandbox, api: Api) -> None:
    garbage = Api(sb, "not-a-ks").call("baseEntry", "list")
    assert garbage["args"] == {"KSID": "not-a-ks", "ERR_CODE": "-1", "ERR_DESC": "INVALID_STR"}
    short = Api(sb, sb.ks(expiry=60))
    assert short.call("baseEntry", "count") == 0
    sb.clock.advance(61)
    expired = short.call("baseEntry", "count")
    assert is_error(expired, "INVALID_KS")
    assert expired["message"] == 'Invalid KS "EXPIRED", Error "-1,INVALID_STR"'


def test_bad_parameters_are_reported_before_an_expired_ks(sb: Sandbox) -> None:
    expired = Api(sb, sb.ks(expiry=-10))
    assert is_error(expired.call("baseEntry", "get"), "MISSING_MANDATORY_PARAMETER")
    assert is_error(expired.call("baseEntry", "get", entryId="x"), "INVALID_KS")


def test_no_ks_is_missing_ks_or_forbidden_with_a_partner(sb: Sandbox) -> None:
    anonymous = Api(sb, None)
    assert is_error(anonymous.call("baseEntry", "list"), "MISSING_KS")
    forbidden = anonymous.call("baseEntry", "list", partnerId=sb.partner_id)
    assert is_error(forbidden, "SERVICE_FORBIDDEN")


def test_chunked_transfer_encoding_multipart_upload(sb: Sandbox, api: Api) -> None:
    token = api.call("uploadToken", "add")["id"]
    head = (
        f'--B\r\nContent-Disposition: form-data; name="ks"\r\n\r\n{api.ks}\r\n'
        f'--B\r\nContent-Disposition: form-data; name="uploadTokenId"\r\n\r\n{token}\r\n'
        '--B\r\nContent-Disposition: form-data; name="fileData"; filename="s.mp4"\r\n\r\n'
    ).encode()

    def body() -> Iterator[bytes]:
        yield head
        for _ in range(4):
            yield b"z" * 100_000
        yield b"\r\n--B--\r\n"

    response = api.http.post(
        "/service/uploadtoken/action/upload?format=1",
        content=body(),
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.json()["uploadedFileSize"] == "400000"


def test_v1_ks_over_http_and_server_style_nine_fields(sb: Sandbox) -> None:
    v1 = codec.encode_v1(sb.admin_secret, sb.partner_id, int(sb.clock.now()) + 60, 2, "v1user")
    assert Api(sb, v1).call("baseEntry", "count") == 0
    info = f"{sb.partner_id};{sb.partner_id};{int(sb.clock.now()) + 60};2;1490106826.9764;u;;;"
    digest = hashlib.sha1((sb.admin_secret + info).encode()).hexdigest()
    nine = base64.b64encode(f"{digest}|{info}".encode()).decode()
    assert Api(sb, nine).call("baseEntry", "count") == 0
    tampered = base64.b64encode(f"{digest}|{info.replace(';2;', ';0;')}".encode()).decode()
    assert is_error(Api(sb, tampered).call("baseEntry", "count"), "INVALID_KS")
