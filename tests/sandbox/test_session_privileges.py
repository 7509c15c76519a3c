"""KS privileges the server honours: ``actionslimit``, ``edit``, ownership before access, and the
privileges parsed for the entitlement rules (``kSessionBase``, ``KalturaDispatcher``)."""

from __future__ import annotations

from kaltura_mm.sandbox import Sandbox, ks
from tests.sandbox.helpers import Api, is_error, user_api

ENTRY = {"objectType": "KalturaMediaEntry", "name": "clip", "mediaType": 1}


def test_an_actions_limited_ks_works_n_times_then_is_invalid(sb: Sandbox) -> None:
    limited = Api(sb, sb.ks(privileges="actionslimit:2"))
    assert limited.call("baseEntry", "count") == 0
    assert limited.call("baseEntry", "count") == 0
    spent = limited.call("baseEntry", "count")
    assert is_error(spent, "INVALID_KS")
    assert spent["args"] == {
        "KSID": "EXCEEDED_ACTIONS_LIMIT",
        "ERR_CODE": "-1",
        "ERR_DESC": "INVALID_STR",
    }
    assert spent["message"] == 'Invalid KS "EXCEEDED_ACTIONS_LIMIT", Error "-1,INVALID_STR"'
    assert is_error(limited.call("baseEntry", "count"), "INVALID_KS")  # stays spent


def test_a_limit_that_is_not_a_positive_number_is_refused(sb: Sandbox) -> None:
    for value in ("0", "-1", "many"):
        refused = Api(sb, sb.ks(privileges=f"actionslimit:{value}")).call("baseEntry", "count")
        assert is_error(refused, "INVALID_ACTIONS_LIMIT"), value
        assert refused["message"] == "Invalid actions limit"


def test_a_forbidden_call_uses_one_but_a_call_with_bad_arguments_does_not(sb: Sandbox) -> None:
    limited = user_api(sb, "ann", privileges="actionslimit:2")
    refused = limited.call("category", "add", category={"objectType": "KalturaCategory"})
    assert is_error(refused, "SERVICE_FORBIDDEN")  # checked after the KS: one use gone
    assert is_error(limited.call("baseEntry", "get"), "MISSING_MANDATORY_PARAMETER")  # before
    assert limited.call("baseEntry", "count") == 0
    assert is_error(limited.call("baseEntry", "count"), "INVALID_KS")


def test_a_multirequest_with_one_ks_is_one_use(sb: Sandbox) -> None:
    limited = Api(sb, sb.ks(privileges="actionslimit:2"))
    count = {"service": "baseEntry", "action": "count"}
    body = {"format": 1, "ks": limited.ks, "1": count, "2": count, "3": count}
    results = limited.http.post("/service/multirequest", json=body).json()
    assert results == [0, 0, 0]
    assert limited.call("baseEntry", "count") == 0
    assert is_error(limited.call("baseEntry", "count"), "INVALID_KS")


def test_an_edit_privilege_lets_a_user_delete_anothers_entry(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    entry = ann.new_entry()
    assert is_error(
        user_api(sb, "bob").call("baseEntry", "delete", entryId=entry["id"]), "INVALID_KS"
    )
    editor = user_api(sb, "bob", privileges=f"edit:{entry['id']}")
    assert editor.call("baseEntry", "delete", entryId=entry["id"]) is None


def test_an_entitled_editor_may_update_and_media_delete_but_not_base_entry_delete(
    sb: Sandbox, api: Api
) -> None:
    ann, bob = user_api(sb, "ann"), user_api(sb, "bob")
    entry = ann.new_entry()
    api.call("baseEntry", "update", entryId=entry["id"], baseEntry={"entitledUsersEdit": "bob"})
    change = {"objectType": "KalturaMediaEntry", "description": "by bob"}
    assert bob.call("baseEntry", "update", entryId=entry["id"], baseEntry=change)["id"]
    refused = bob.call("baseEntry", "delete", entryId=entry["id"])  # ownerOnly
    assert is_error(refused, "INVALID_KS")
    assert refused["args"] == {"KSID": "", "ERR_CODE": "-4", "ERR_DESC": "INVALID_TYPE"}
    assert bob.call("media", "delete", entryId=entry["id"]) is None  # edit only


def test_ownership_is_checked_before_the_role(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    entry = ann.new_entry()
    # the user role may not cancel a replacement, but bob is told he does not own the entry
    theirs = user_api(sb, "bob").call("media", "cancelReplace", entryId=entry["id"])
    assert is_error(theirs, "INVALID_KS")
    assert is_error(ann.call("media", "cancelReplace", entryId=entry["id"]), "SERVICE_FORBIDDEN")


def test_an_ownership_checked_action_without_a_ks_is_an_invalid_ks(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry()
    anonymous = Api(sb, None)
    refused = anonymous.call("baseEntry", "update", entryId=entry["id"], baseEntry=ENTRY)
    assert is_error(refused, "INVALID_KS")
    assert refused["args"]["ERR_CODE"] == "-4"
    assert is_error(anonymous.call("baseEntry", "count"), "MISSING_KS")


def test_the_privileges_the_entitlement_rules_read_are_parsed() -> None:
    secret = "s" * 32
    text = "privacycontext:MediaSpace,enableentitlement,sview:0_a,setrole:12,actionslimit:3"
    for encode in (ks.encode_v1, ks.encode_v2):
        session = ks.decode(encode(secret, 7, 2_000_000_000, ks.USER, "ann", text), [secret])
        assert session.privacy_context == "MediaSpace"
        assert session.enable_entitlement and not session.disable_entitlement
        assert session.may_view("0_a") and not session.may_view("0_b")
        assert session.role == "12" and session.actions_limit == "3"
        assert not session.may_list_all and not session.may_edit("0_a")
    plain = ks.decode(ks.encode_v2(secret, 7, 2_000_000_000, 0, "u", "list:*,edit:*"), [secret])
    assert plain.may_list_all and plain.may_edit("0_any") and plain.privacy_context is None
    assert plain.role is None and not plain.enable_entitlement


def test_a_v1_ks_grants_every_edit_privilege_it_lists() -> None:
    secret = "s" * 32
    text = "edit:0_first,edit:0_second,disableentitlement"
    session = ks.decode(ks.encode_v1(secret, 7, 2_000_000_000, ks.USER, "ann", text), [secret])
    assert session.may_edit("0_first") and session.may_edit("0_second")
    assert session.disable_entitlement
