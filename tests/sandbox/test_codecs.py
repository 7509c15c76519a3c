"""Pure parts of the sandbox: KS codec, parameter parsing, wire encoding, multirequest paths."""

from __future__ import annotations

import base64
import json

import pytest

from kaltura_mm.sandbox import ks, multirequest, params, wire
from kaltura_mm.sandbox.errors import KalturaApiException
from tests.conftest import load_payload


def test_v2_round_trip_keeps_user_type_and_privileges() -> None:
    text = ks.encode_v2("s3cret", 123, 2_000_000_000, ks.USER, "ann@x.org", "list:*,edit:0_a")
    assert text.startswith("djJ8")
    session = ks.decode(text, ["other", "s3cret"])
    assert (session.partner_id, session.user_id, session.type) == (123, "ann@x.org", 0)
    assert session.has_privilege("list") and session.has_privilege("edit", "0_a")
    assert not session.has_privilege("edit", "0_b")


def test_v1_round_trip_and_wrong_secret_rejected() -> None:
    text = ks.encode_v1("s3cret", 55, 2_000_000_000, ks.ADMIN, "bob")
    assert ks.decode(text, ["s3cret"]).is_admin
    with pytest.raises(ks.KsFormatError):
        ks.decode(text, ["wrong"])
    with pytest.raises(ks.KsFormatError):
        ks.decode(ks.encode_v2("s3cret", 55, 1, 2, "bob"), ["wrong"])


def test_real_v1_samples_parse_to_their_documented_partner() -> None:
    for sample in load_payload("ks-samples.json")["v1"]:
        assert ks.partner_of(sample["ks"]) == sample["partnerId"]
        info = base64.b64decode(sample["ks"]).split(b"|", 1)[1].decode()
        assert info.split(";")[2] == str(sample["validUntil"])


def test_url_safe_v1_is_accepted() -> None:
    text = ks.encode_v1("s", 1, 2_000_000_000, 2, "u?>>")
    assert ks.decode(text.replace("+", "-").replace("/", "_"), ["s"]).user_id == "u?>>"


def test_flat_keys_brackets_and_url_precedence() -> None:
    body = params.nest(
        [
            ("filter:objectType", "KalturaMediaEntryFilter"),
            ("filter[orderBy]", "+createdAt"),
            ("1:filter[nameLike]", "x"),
        ]
    )
    assert body == {
        "filter": {"objectType": "KalturaMediaEntryFilter", "orderBy": "+createdAt"},
        "1": {"filter": {"nameLike": "x"}},
    }
    url = params.url_params("/api_v3/service/baseentry/action/get/entryId/0_b", "format=1")
    merged = params.merge({"entryId": "0_a", "format": "2", "ks": "k"}, url)
    assert merged == {
        "entryId": "0_b",
        "format": "1",
        "ks": "k",
        "service": "baseentry",
        "action": "get",
    }


def test_json_body_needs_an_object() -> None:
    assert params.json_body(b'  {"a": {"b": 1}} ') == {"a": {"b": 1}}
    assert params.json_body(b"[1, 2]") == {}
    assert params.json_body(b"{broken") == {}
    assert params.body_kind("application/json; charset=utf-8") == "other"


def test_json_encoding_matches_php() -> None:
    body = wire.to_json({"name": "a/b ☃", "skip": None, "objectType": "X", "z": 1})
    assert body == b'{"name":"a\\/b \\u2603","z":1,"objectType":"X"}'
    error = json.loads(wire.to_json(KalturaApiException("UPLOAD_TOKEN_NOT_FOUND")))
    assert error == {
        "code": "UPLOAD_TOKEN_NOT_FOUND",
        "message": "Upload token not found",
        "objectType": "KalturaAPIException",
        "args": [],
    }


def test_error_shape_matches_the_real_payload() -> None:
    real = load_payload("exception-invalid-ks.json")
    ours = json.loads(
        wire.to_json(KalturaApiException("INVALID_KS", real["args"]["KSID"], "-1", "INVALID_STR"))
    )
    assert ours == real
    assert list(ours) == ["code", "message", "objectType", "args"]


def test_xml_error_and_multirequest_items() -> None:
    xml = wire.to_xml(
        [{"objectType": "T", "id": 1}, KalturaApiException("MISSING_KS")], 0.1, multi=True
    )
    assert b"<result><item><objectType>T</objectType><id>1</id>" in xml
    assert b"<relatedObjects></relatedObjects></item>" in xml  # every object ends with it
    assert (
        b"<item><error><objectType>KalturaAPIException</objectType><code>MISSING_KS</code>" in xml
    )
    assert b"<args></args></error></item></result><executionTime>0.1</executionTime>" in xml


def test_xml_writes_nulls_as_empty_elements_unless_ignore_null() -> None:
    value = {
        "id": 1,
        "name": None,
        "ok": True,
        "size": 10.0,
        "text": "a'b\"c&<>",
        "objectType": "T",
    }
    full = wire.to_xml(value, 0.5).decode()
    assert "<id>1</id><name></name><ok>1</ok><size>10</size>" in full
    assert "<text>a&apos;b&quot;c&amp;&lt;&gt;</text><relatedObjects></relatedObjects>" in full
    lean = wire.to_xml(value, 0.5, ignore_null=True).decode()
    assert "<name>" not in lean and "<relatedObjects>" not in lean and "<ok>1</ok>" in lean


def test_execution_time_is_written_as_php_prints_a_float() -> None:
    assert wire.php_float(0.0299088954925541) == "0.029908895492554"
    assert wire.php_float(2.0) == "2"
    assert wire.php_float(0.000015) == "1.5E-5"


def test_reference_paths_resolve_like_php() -> None:
    result = {"objects": [{"id": "a"}, {"id": "b"}], "count": 0, "flag": False}
    assert multirequest.resolve(result, "objects:1:id") == "b"
    assert multirequest.resolve(result, "objects:_all:id") == "a,b,"
    assert multirequest.resolve(result, "count") == "0"
    assert multirequest.resolve(result, "flag") == ""
    assert multirequest.resolve(result, "") == ""
    assert multirequest.resolve("djJ8abc", "") == "djJ8abc"
    assert multirequest.resolve(KalturaApiException("MISSING_KS"), "id") == ""
