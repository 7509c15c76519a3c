"""appToken: add/get/list/update/delete with an ADMIN KS, startSession from a widget KS, and a
deleted token's sessions refused (AppTokenService, AppToken, kSessionUtils)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from kaltura_mm.sandbox import Sandbox, app_tokens, ks
from tests.sandbox.helpers import Api, is_error, user_api


def _widget(sb: Sandbox) -> Api:
    api = Api(sb, None)
    api.ks = api.call("session", "startWidgetSession", widgetId=f"_{sb.partner_id}")["ks"]
    return api


def _start(api: Api, token: dict[str, Any], algorithm: str = "sha256", **extra: Any) -> Any:
    assert api.ks is not None
    digest = hashlib.new(algorithm, (api.ks + token["token"]).encode()).hexdigest()
    return api.call("appToken", "startSession", id=token["id"], tokenHash=digest, **extra)


def test_add_makes_an_active_token_with_a_server_secret(api: Api) -> None:
    made = api.call(
        "appToken",
        "add",
        appToken={
            "objectType": "KalturaAppToken",
            "sessionType": 2,
            "sessionPrivileges": "disableentitlement",
            "description": "sync job",
        },
    )
    assert made["objectType"] == "KalturaAppToken"
    assert re.fullmatch(r"0_[0-9a-z]{8}", made["id"])
    assert re.fullmatch(r"[0-9a-f]{32}", made["token"])
    assert made["status"] == app_tokens.ACTIVE and made["partnerId"] == api.sandbox.partner_id
    assert made["hashType"] == "SHA1"  # unset reads as SHA1
    assert made["sessionDuration"] == 86_400  # the partner's KS maximum
    assert "expiry" not in made and "sessionUserId" not in made
    assert list(made) == [
        "id",
        "token",
        "partnerId",
        "createdAt",
        "updatedAt",
        "status",
        "sessionType",
        "sessionDuration",
        "sessionPrivileges",
        "hashType",
        "description",
        "objectType",
    ]
    assert api.call("appToken", "get", id=made["id"]) == made


def test_add_refuses_read_only_fields_bad_enums_and_bad_user_ids(api: Api) -> None:
    def add(**fields: Any) -> Any:
        return api.call("appToken", "add", appToken={"objectType": "KalturaAppToken", **fields})

    token = add(token="mine")
    assert is_error(token, "PROPERTY_VALIDATION_NOT_UPDATABLE")
    assert token["args"] == {"PROP_NAME": "KalturaAppToken::token"}
    hashed = add(hashType="SHA3")
    assert is_error(hashed, "INVALID_ENUM_VALUE")
    assert hashed["args"]["ENUM_TYPE"] == "KalturaAppTokenHashType"
    assert is_error(add(sessionType=1), "INVALID_ENUM_VALUE")
    bad_user = add(sessionUserId="has space")
    assert is_error(bad_user, "INVALID_FIELD_VALUE")
    assert bad_user["message"] == "value in field [sessionUserId] is not valid"
    assert is_error(api.call("appToken", "add"), "MISSING_MANDATORY_PARAMETER")


def test_token_management_needs_an_admin_ks(sb: Sandbox) -> None:
    token = sb.add_app_token()
    user = user_api(sb, "someone")
    for action, params in (
        ("add", {"appToken": {"objectType": "KalturaAppToken"}}),
        ("get", {"id": token["id"]}),
        ("list", {}),
        ("update", {"id": token["id"], "appToken": {"objectType": "KalturaAppToken"}}),
        ("delete", {"id": token["id"]}),
    ):
        refused = user.call("appToken", action, **params)
        assert is_error(refused, "SERVICE_FORBIDDEN"), action
        assert refused["args"] == {"SERVICE": f"apptoken->{action}"}  # the service id


def test_the_documented_flow_gives_a_ks_with_the_tokens_type_user_and_privileges(
    sb: Sandbox,
) -> None:
    token = sb.add_app_token(
        session_type=ks.ADMIN,
        session_user_id="sync@example.com",
        session_privileges="disableentitlement,list:*",
        hash_type="SHA256",
    )
    widget = _widget(sb)
    info = _start(widget, token, userId="someone-else", type=0, expiry=600)
    assert info["objectType"] == "KalturaSessionInfo"
    assert list(info) == [
        "ks",
        "sessionType",
        "partnerId",
        "userId",
        "expiry",
        "privileges",
        "objectType",
    ]
    assert info["sessionType"] == ks.ADMIN and info["userId"] == "sync@example.com"
    assert info["partnerId"] == str(sb.partner_id)
    expected = f"sessionid:{token['id']},apptoken:{token['id']},disableentitlement,list:*"
    assert info["privileges"] == expected
    now = int(sb.clock.now())
    assert now + 598 <= info["expiry"] <= now + 600
    session = ks.decode(info["ks"], [sb.admin_secret])
    assert (session.type, session.user_id, session.valid_until) == (
        2,
        "sync@example.com",
        info["expiry"],
    )
    assert session.privileges["sessionid"] == token["id"]
    listed = Api(sb, info["ks"]).call("baseEntry", "list")
    assert listed["objectType"] == "KalturaBaseEntryListResponse"


def test_the_callers_type_user_and_expiry_apply_when_the_token_sets_none(sb: Sandbox) -> None:
    token = sb.add_app_token(session_duration=3600)
    widget = _widget(sb)
    info = _start(widget, token, "sha1", userId="alice", type=2)
    assert (info["sessionType"], info["userId"]) == (2, "alice")
    now = int(sb.clock.now())
    assert now + 3598 <= info["expiry"] <= now + 3600  # no expiry asked: the token's duration
    plain = _start(widget, token, "sha1")
    assert plain["sessionType"] == ks.USER and "userId" not in plain
    longer = _start(widget, token, "sha1", expiry=90_000)  # never past the token's duration
    assert longer["expiry"] <= int(sb.clock.now()) + 3600


def test_every_hash_type_and_a_wrong_hash(sb: Sandbox) -> None:
    widget = _widget(sb)
    for name in ("MD5", "SHA1", "SHA256", "SHA512"):
        token = sb.add_app_token(hash_type=name)
        assert _start(widget, token, name.lower())["objectType"] == "KalturaSessionInfo"
        wrong = _start(widget, token, "sha384")
        assert is_error(wrong, "INVALID_APP_TOKEN_HASH")
        assert wrong["message"] == "Invalid application token hash" and wrong["args"] == []
    token = sb.add_app_token(hash_type="SHA256")
    assert widget.ks is not None
    upper = hashlib.sha256((widget.ks + token["token"]).encode()).hexdigest().upper()
    refused = widget.call("appToken", "startSession", id=token["id"], tokenHash=upper)
    assert is_error(refused, "INVALID_APP_TOKEN_HASH")  # the server compares strictly


def test_the_hash_is_of_the_ks_the_call_carries(sb: Sandbox) -> None:
    token = sb.add_app_token(hash_type="SHA256")
    first, second = _widget(sb), _widget(sb)
    assert first.ks is not None and second.ks is not None
    digest = hashlib.sha256((first.ks + token["token"]).encode()).hexdigest()
    other = second.call("appToken", "startSession", id=token["id"], tokenHash=digest)
    assert is_error(other, "INVALID_APP_TOKEN_HASH")


def test_start_session_errors_name_the_token(sb: Sandbox) -> None:
    widget = _widget(sb)
    missing = widget.call("appToken", "startSession", id="0_nothere", tokenHash="x")
    assert is_error(missing, "APP_TOKEN_ID_NOT_FOUND")
    assert missing["message"] == 'Application token id "0_nothere" not found'
    assert missing["args"] == {"ID": "0_nothere"}
    disabled = sb.add_app_token(status=app_tokens.DISABLED)
    inactive = _start(widget, disabled, "sha1")
    assert is_error(inactive, "APP_TOKEN_NOT_ACTIVE")
    assert inactive["message"] == f'Application token id "{disabled["id"]}" not active'
    ending = sb.add_app_token(expiry=int(sb.clock.now()) + 100, session_duration=3600)
    info = _start(widget, ending, "sha1", expiry=3000)
    assert info["expiry"] <= int(sb.clock.now()) + 100  # min(asked, token expiry - now)
    sb.clock.advance(101)
    widget = _widget(sb)
    expired = _start(widget, ending, "sha1")
    assert is_error(expired, "APP_TOKEN_EXPIRED")
    assert expired["message"] == f'Application token id "{ending["id"]}" expired'
    other = sb.add_app_token(partner_id=sb.add_partner().partner_id)
    assert is_error(_start(widget, other, "sha1"), "APP_TOKEN_ID_NOT_FOUND")  # partner filter
    anonymous = Api(sb, None).call("appToken", "startSession", id=ending["id"], tokenHash="x")
    assert is_error(anonymous, "MISSING_KS")


def test_privileges_asked_at_start_are_kept_only_when_not_reserved_or_on_the_token(
    sb: Sandbox,
) -> None:
    token = sb.add_app_token(session_privileges="privacycontext:*,myapp:one")
    widget = _widget(sb)
    info = _start(
        widget,
        token,
        "sha1",
        sessionPrivileges="setrole:5,disableentitlement,myapp:two,custom:x/y,privacycontext:KMS",
    )
    tid = token["id"]
    # server-reserved names are dropped, the token's own win, unless the token gave "*"
    assert info["privileges"] == (
        f"sessionid:{tid},apptoken:{tid},privacycontext:KMS,myapp:one,custom:x/y"
    )


def test_deleting_a_token_logs_out_every_ks_started_from_it(sb: Sandbox, api: Api) -> None:
    token = sb.add_app_token(session_type=ks.ADMIN, hash_type="SHA256")
    widget = _widget(sb)
    started = [Api(sb, _start(widget, token)["ks"]) for _ in range(2)]
    for user in started:
        assert user.call("baseEntry", "list")["objectType"] == "KalturaBaseEntryListResponse"
    assert api.call("appToken", "delete", id=token["id"]) is None
    for user in started:
        refused = user.call("baseEntry", "list")
        assert is_error(refused, "INVALID_KS")
        assert refused["args"] == {"KSID": "LOGOUT", "ERR_CODE": "-1", "ERR_DESC": "INVALID_STR"}
        assert refused["message"] == 'Invalid KS "LOGOUT", Error "-1,INVALID_STR"'
    assert widget.call("baseEntry", "list")["objectType"] == "KalturaBaseEntryListResponse"
    for action in ("get", "delete"):
        gone = api.call("appToken", action, id=token["id"])
        assert is_error(gone, "APP_TOKEN_ID_NOT_FOUND")
    assert is_error(_start(widget, token), "APP_TOKEN_ID_NOT_FOUND")
    listed = api.call("appToken", "list", filter={"statusEqual": app_tokens.DELETED})
    assert listed == {"objects": [], "totalCount": 0, "objectType": "KalturaAppTokenListResponse"}


def test_list_filters_and_pages(sb: Sandbox, api: Api) -> None:
    made = [sb.add_app_token(session_user_id=f"user{i}") for i in range(5)]
    sb.clock.advance(10)
    api.call("appToken", "update", id=made[0]["id"], appToken={"description": "newer"})
    everything = api.call("appToken", "list")
    assert everything["totalCount"] == 5
    assert [t["id"] for t in everything["objects"]] == [t["id"] for t in made]
    page = api.call(
        "appToken",
        "list",
        filter={"objectType": "KalturaAppTokenFilter", "orderBy": "-updatedAt"},
        pager={"pageSize": 2, "pageIndex": 1},
    )
    assert page["totalCount"] == 5 and page["objects"][0]["id"] == made[0]["id"]
    assert len(page["objects"]) == 2
    by_user = api.call("appToken", "list", filter={"sessionUserIdEqual": "user3"})
    assert [t["id"] for t in by_user["objects"]] == [made[3]["id"]]
    nobody = api.call("appToken", "list", filter={"sessionUserIdEqual": "nobody"})
    assert nobody == {"totalCount": 0, "objectType": "KalturaAppTokenListResponse"}
    by_ids = api.call(
        "appToken", "list", filter={"idIn": f"{made[1]['id']},{made[2]['id']},0_none"}
    )
    assert by_ids["totalCount"] == 2


def test_update_changes_writable_fields_and_refuses_read_only_ones(sb: Sandbox, api: Api) -> None:
    token = sb.add_app_token(description="old")
    sb.clock.advance(5)
    changed = api.call(
        "appToken",
        "update",
        id=token["id"],
        appToken={"objectType": "KalturaAppToken", "description": "new", "hashType": "SHA512"},
    )
    assert (changed["description"], changed["hashType"]) == ("new", "SHA512")
    assert changed["token"] == token["token"] and changed["updatedAt"] > token["updatedAt"]
    cleared = api.call("appToken", "update", id=token["id"], appToken={"description__null": 1})
    assert "description" not in cleared
    refused = api.call("appToken", "update", id=token["id"], appToken={"status": 1})
    assert is_error(refused, "PROPERTY_VALIDATION_NOT_UPDATABLE")
    missing = api.call("appToken", "update", id="0_nothere", appToken={"description": "x"})
    assert is_error(missing, "APP_TOKEN_ID_NOT_FOUND")


def test_app_token_and_session_info_in_xml(sb: Sandbox) -> None:
    token = sb.add_app_token(hash_type="SHA256")
    widget = _widget(sb)
    assert widget.ks is not None
    digest = hashlib.sha256((widget.ks + token["token"]).encode()).hexdigest()
    xml = widget.http.post(
        "/service/appToken/action/startSession",
        data={"ks": widget.ks, "id": token["id"], "tokenHash": digest, "userId": "u1"},
    ).text
    assert "<result><objectType>KalturaSessionInfo</objectType><ks>djJ8" in xml
    assert (
        f"<sessionType>0</sessionType><partnerId>{sb.partner_id}</partnerId><userId>u1</userId>"
        in xml
    )
    assert f"<privileges>sessionid:{token['id']},apptoken:{token['id']}</privileges>" in xml
    assert xml.endswith(
        "<relatedObjects></relatedObjects></result><executionTime>"
        + xml.split("<executionTime>")[1]
    )
    admin = sb.ks()
    got = widget.http.post(
        "/service/appToken/action/get", data={"ks": admin, "id": token["id"]}
    ).text
    assert f"<result><objectType>KalturaAppToken</objectType><id>{token['id']}</id>" in got
    assert "<expiry></expiry>" in got and "<hashType>SHA256</hashType>" in got


def test_session_get_describes_a_ks_for_an_admin_only(sb: Sandbox, api: Api) -> None:
    mine = api.call("session", "get")
    assert mine["objectType"] == "KalturaSessionInfo" and "ks" not in mine
    assert mine["sessionType"] == "2" and mine["partnerId"] == str(sb.partner_id)
    assert mine["userId"] == "admin@example.com"
    user_ks = sb.ks(user_id="bob", admin=False, privileges="list:*,edit:0_abc", expiry=60)
    other = api.call("session", "get", session=user_ks)
    assert other["sessionType"] == "0" and other["userId"] == "bob"
    assert other["privileges"] == "list:*,edit:0_abc"
    assert int(other["expiry"]) == int(ks.decode(user_ks, [sb.admin_secret]).valid_until)
    assert api.call("session", "get", session=sb.ks(privileges="*"))["privileges"] == "*"
    refused = Api(sb, user_ks).call("session", "get")
    assert is_error(refused, "SERVICE_FORBIDDEN")
    assert refused["args"] == {"SERVICE": "session->get"}
    garbage = api.call("session", "get", session="not-a-ks")
    assert is_error(garbage, "INTERNAL_SERVERL_ERROR")
    foreign = sb.ks(partner_id=sb.add_partner().partner_id)
    crossed = api.call("session", "get", session=foreign)
    assert is_error(crossed, "PARTNER_ACCESS_FORBIDDEN")


def test_app_tokens_survive_a_restart(tmp_path: Any) -> None:
    with Sandbox(data_dir=tmp_path) as sb:
        token = sb.add_app_token(hash_type="SHA256", session_type=ks.ADMIN)
        deleted = sb.add_app_token()
        widget = _widget(sb)
        started = _start(widget, deleted, "sha1")["ks"]
        Api(sb, sb.ks()).call("appToken", "delete", id=deleted["id"])
    with Sandbox(data_dir=tmp_path) as sb:
        assert Api(sb, sb.ks()).call("appToken", "get", id=token["id"]) == token
        assert _start(_widget(sb), token)["sessionType"] == ks.ADMIN
        refused = Api(sb, started).call("baseEntry", "list")
        assert is_error(refused, "INVALID_KS") and refused["args"]["KSID"] == "LOGOUT"
