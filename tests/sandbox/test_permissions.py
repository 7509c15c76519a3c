"""USER vs ADMIN sessions as the spec lists them, and partners fully isolated."""

from __future__ import annotations

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error, user_api


def test_user_lists_only_own_entries_unless_list_privilege(sb: Sandbox, api: Api) -> None:
    ann, bob = user_api(sb, "ann"), user_api(sb, "bob")
    mine = ann.new_entry("ann's")
    bob.new_entry("bob's")
    sb.index.settle()  # lists lag writes: wait for the index before listing
    f = {"objectType": "KalturaBaseEntryFilter", "statusIn": "7"}
    assert [e["id"] for e in ann.call("baseEntry", "list", filter=f)["objects"]] == [mine["id"]]
    assert ann.call("baseEntry", "count", filter=f) == 1
    lister = user_api(sb, "ann", privileges="list:*")
    assert lister.call("baseEntry", "count", filter=f) == 2
    assert api.call("baseEntry", "count", filter=f) == 2
    # get is not owner-restricted
    assert bob.call("baseEntry", "get", entryId=mine["id"])["id"] == mine["id"]


def test_user_cannot_edit_or_delete_others_entries(sb: Sandbox) -> None:
    ann, bob = user_api(sb, "ann"), user_api(sb, "bob")
    entry = ann.new_entry()
    change = {"objectType": "KalturaMediaEntry", "name": "hijacked"}
    denied = bob.call("baseEntry", "update", entryId=entry["id"], baseEntry=change)
    assert is_error(denied, "INVALID_KS")
    assert denied["args"] == {"KSID": "", "ERR_CODE": "-4", "ERR_DESC": "INVALID_TYPE"}
    assert is_error(bob.call("baseEntry", "delete", entryId=entry["id"]), "INVALID_KS")
    editor = user_api(sb, "bob", privileges=f"edit:{entry['id']}")
    assert (
        editor.call("baseEntry", "update", entryId=entry["id"], baseEntry=change)["name"]
        == "hijacked"
    )
    assert ann.call("baseEntry", "delete", entryId=entry["id"]) is None


def test_user_cannot_claim_another_owner(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    result = ann.call(
        "baseEntry", "add", entry={"objectType": "KalturaMediaEntry", "userId": "bob"}
    )
    assert is_error(result, "INVALID_KS")


def test_user_cannot_add_or_delete_categories(sb: Sandbox, api: Api) -> None:
    ann = user_api(sb, "ann")
    denied = ann.call("category", "add", category={"objectType": "KalturaCategory", "name": "x"})
    assert is_error(denied, "SERVICE_FORBIDDEN")
    assert denied["args"] == {"SERVICE": "category->add"}
    response = ann.http.post(
        "/service/category/action/add",
        json={
            "ks": ann.ks,
            "format": 1,
            "category": {"objectType": "KalturaCategory", "name": "x"},
        },
    )
    assert response.headers["x-kaltura"] == "error-SERVICE_FORBIDDEN"
    category = sb.create_category("Open")
    assert ann.call("category", "get", id=category)["id"] == category
    assert is_error(ann.call("category", "delete", id=category), "SERVICE_FORBIDDEN")


def test_user_tokens_are_private(sb: Sandbox, api: Api) -> None:
    ann, bob = user_api(sb, "ann"), user_api(sb, "bob")
    token = ann.call("uploadToken", "add")
    assert is_error(
        bob.call("uploadToken", "get", uploadTokenId=token["id"]), "UPLOAD_TOKEN_NOT_FOUND"
    )
    assert is_error(bob.upload(token["id"], b"x"), "UPLOAD_TOKEN_NOT_FOUND")
    assert bob.call("uploadToken", "list")["totalCount"] == 0
    assert api.call("uploadToken", "get", uploadTokenId=token["id"])["userId"] == "ann"


def test_category_entry_list_needs_a_filter_for_users(sb: Sandbox, api: Api) -> None:
    ann = user_api(sb, "ann")
    assert is_error(ann.call("categoryEntry", "list"), "MUST_FILTER_ON_ENTRY_OR_CATEGORY")
    assert api.call("categoryEntry", "list")["objectType"] == "KalturaCategoryEntryListResponse"


def test_partners_are_isolated(sb: Sandbox, api: Api) -> None:
    other = sb.add_partner()
    theirs = Api(sb, sb.ks(partner_id=other.partner_id))
    category = sb.create_category("Shared name")
    their_category = sb.create_category("Shared name", partner_id=other.partner_id)
    assert category != their_category
    entry = api.new_entry()
    assert is_error(theirs.call("baseEntry", "get", entryId=entry["id"]), "ENTRY_ID_NOT_FOUND")
    cross = theirs.call(
        "categoryEntry",
        "add",
        categoryEntry={
            "objectType": "KalturaCategoryEntry",
            "entryId": entry["id"],
            "categoryId": category,
        },
    )
    assert is_error(cross, "INVALID_ENTRY_ID")
    assert is_error(theirs.call("category", "get", id=category), "CATEGORY_NOT_FOUND")
    token = api.call("uploadToken", "add")
    assert is_error(
        theirs.call("uploadToken", "get", uploadTokenId=token["id"]), "UPLOAD_TOKEN_NOT_FOUND"
    )
    f = {"objectType": "KalturaBaseEntryFilter", "statusIn": "7"}
    assert theirs.call("baseEntry", "count", filter=f) == 0
    forged = Api(sb, sb.ks(partner_id=other.partner_id).replace("djJ8", "djJ8", 1))
    assert forged.call("baseEntry", "count", filter=f) == 0


def test_a_ks_signed_with_another_partners_secret_is_invalid(sb: Sandbox) -> None:
    from kaltura_mm.sandbox import ks as codec

    other = sb.add_partner()
    forged = codec.encode_v2(other.admin_secret, sb.partner_id, 2_000_000_000, 2, "x")
    assert is_error(Api(sb, forged).call("baseEntry", "count"), "INVALID_KS")
