"""baseEntry.update / media.update field rules as the server applies them (what sync meets)."""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error, user_api


def _update(api: Api, entry_id: str, **fields: Any) -> Any:
    return api.call(
        "baseEntry",
        "update",
        entryId=entry_id,
        baseEntry={"objectType": "KalturaMediaEntry", **fields},
    )


def _not_updatable(result: Any, prop: str) -> bool:
    return is_error(result, "PROPERTY_VALIDATION_NOT_UPDATABLE") and result["args"] == {
        "PROP_NAME": f"KalturaMediaEntry::{prop}"
    }


def test_read_only_and_insert_only_properties(api: Api) -> None:
    entry = api.new_entry()
    eid = entry["id"]
    assert _not_updatable(_update(api, eid, status=2), "status")
    assert not is_error(
        _update(api, eid, status=entry["status"], partnerId=entry["partnerId"]), "x"
    )
    assert _not_updatable(_update(api, eid, createdAt=entry["createdAt"]), "createdAt")
    assert _not_updatable(_update(api, eid, creatorId=entry["creatorId"]), "creatorId")
    assert _not_updatable(_update(api, eid, mediaType=2), "mediaType")
    assert not is_error(_update(api, eid, mediaType=1), "x")  # unchanged insert-only
    assert _not_updatable(_update(api, eid, mediaType=2, status=2), "status")  # base class first
    assert _not_updatable(_update(api, eid, id__null=""), "id")
    assert _update(api, eid, type=10)["type"] == 1  # type is ignored on update


def test_clearing_and_reference_ids(api: Api) -> None:
    entry = api.new_entry(description="d", tags="t1,t2", referenceId="ref-1")
    cleared = _update(api, entry["id"], description__null="", referenceId__null="", tags__null="")
    assert "description" not in cleared and "referenceId" not in cleared
    assert cleared["tags"] == ""
    for short in ("", "a"):
        refused = _update(api, entry["id"], referenceId=short)
        assert is_error(refused, "PROPERTY_VALIDATION_MIN_LENGTH")
        assert refused["args"] == {"PROP_NAME": "KalturaMediaEntry::referenceId", "MIN_LEN": "2"}
    assert _update(api, entry["id"], referenceId="ab")["referenceId"] == "ab"


def test_admin_only_properties_for_a_user_session(sb: Sandbox, api: Api) -> None:
    sb.create_category("Open")
    owner = user_api(sb, "ann")
    entry = owner.new_entry()
    for field, value in (
        ("adminTags", "x"),
        ("startDate", 2_000_000_000),
        ("endDate", 2_000_000_000),
        ("categories", "Missing"),
        ("categories", ""),
    ):
        refused = _update(owner, entry["id"], **{field: value})
        assert is_error(refused, "PROPERTY_VALIDATION_ADMIN_PROPERTY"), field
        assert refused["args"] == {"PROP_NAME": field}
    assert is_error(
        _update(owner, entry["id"], endDate__null=""), "PROPERTY_VALIDATION_ADMIN_PROPERTY"
    )
    assert _update(owner, entry["id"], categories="Open")["categories"] == "Open"
    tagger = user_api(sb, "ann", privileges="editadmintags:*")
    assert _update(tagger, entry["id"], adminTags="x")["adminTags"] == "x"
    assert _update(api, entry["id"], startDate=2_000_000_000)["startDate"] == 2_000_000_000
    owner.close()
    tagger.close()


def test_owner_and_entitled_users(sb: Sandbox, api: Api) -> None:
    owner = user_api(sb, "ann")
    entry = owner.new_entry()
    moved = _update(owner, entry["id"], userId="bob")
    assert is_error(moved, "INVALID_KS") and moved["args"]["ERR_CODE"] == "-4"
    assert not is_error(_update(owner, entry["id"], userId="ANN"), "INVALID_KS")  # same, any case
    assert _update(api, entry["id"], entitledUsersEdit="eve")["entitledUsersEdit"] == "eve"
    editor = user_api(sb, "eve")
    assert _update(editor, entry["id"], name="by eve")["name"] == "by eve"
    refused = _update(editor, entry["id"], entitledUsersEdit="eve,mallory")
    assert is_error(refused, "INVALID_KS")
    assert _update(api, entry["id"], userId="bob")["userId"] == "bob"  # an admin may
    owner.close()
    editor.close()


def test_categories_and_categories_ids_replace_the_links(sb: Sandbox, api: Api) -> None:
    a, b, c = sb.create_category("A"), sb.create_category("B"), sb.create_category("B>C")
    entry = api.new_entry(categoriesIds=f"{a},{b}")
    assert entry["categoriesIds"] == f"{a},{b}"
    swapped = _update(api, entry["id"], categoriesIds=f"{b},{c}")
    assert set(swapped["categoriesIds"].split(",")) == {str(b), str(c)}
    unknown = _update(api, entry["id"], categoriesIds=f"{a},999999")
    assert is_error(unknown, "CATEGORY_NOT_FOUND") and unknown["args"] == {"ID": "999999"}
    named = _update(api, entry["id"], categories=" A , New>>Path ", categoriesIds=str(c))
    assert named["categories"].split(",") == ["A", "New>Path"]  # categories wins; Path created
    sb.index.settle()  # category.list reads the search index
    path = api.call(
        "category",
        "list",
        filter={"objectType": "KalturaCategoryFilter", "fullNameEqual": "New>Path"},
    )
    assert path["totalCount"] == 1 and path["objects"][0]["directEntriesCount"] == 1
    too_many = ",".join(f"Many>{i}" for i in range(33))
    over = _update(api, entry["id"], categories=too_many)
    assert is_error(over, "MAX_CATEGORIES_FOR_ENTRY_REACHED") and over["args"] == {
        "CATEGORIES": "32"
    }
    blank = _update(api, entry["id"], categoriesIds="")
    assert is_error(blank, "CATEGORY_NOT_FOUND") and blank["args"] == {"ID": ""}
    gone = _update(api, entry["id"], categoriesIds__null="")
    assert (gone["categories"], gone["categoriesIds"]) == ("", "")
    bad_add = api.call(
        "baseEntry",
        "add",
        entry={"objectType": "KalturaMediaEntry", "name": "x", "categoriesIds": "999999"},
    )
    assert is_error(bad_add, "CATEGORY_NOT_FOUND")


def test_updated_at_moves_only_when_something_changed(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry("same")
    sb.clock.advance(10)
    assert _update(api, entry["id"], name="same")["updatedAt"] == entry["updatedAt"]
    assert _update(api, entry["id"], name="other")["updatedAt"] >= entry["updatedAt"] + 10


def test_profiles_display_and_schedule(sb: Sandbox, api: Api) -> None:
    ready = api.ready_entry(b"abc")
    current = api.call("baseEntry", "get", entryId=ready)
    profile = _update(api, ready, conversionProfileId=current["conversionProfileId"])
    assert is_error(profile, "PROPERTY_VALIDATION_ENTRY_STATUS")  # even unchanged, with content
    assert profile["args"] == {"PROP_NAME": "KalturaMediaEntry::conversionProfileId", "STATUS": "2"}
    fresh = api.new_entry()
    assert not is_error(
        _update(api, fresh["id"], conversionProfileId=fresh["conversionProfileId"]), "x"
    )
    assert is_error(
        _update(api, fresh["id"], conversionProfileId=5), "CONVERSION_PROFILE_ID_NOT_FOUND"
    )
    access = _update(api, ready, accessControlId=current["accessControlId"] + 1)
    assert is_error(access, "ACCESS_CONTROL_ID_NOT_FOUND")
    assert is_error(
        _update(api, ready, displayInSearch=2), "ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED"
    )
    assert _update(api, ready, displayInSearch=-1)["displayInSearch"] == -1
    dates = _update(api, ready, startDate=2_000_000_100, endDate=2_000_000_000)
    assert is_error(dates, "INVALID_ENTRY_SCHEDULE_DATES")
    assert not is_error(_update(api, ready, startDate=2_000_000_000, endDate=-1), "x")


def test_media_update_is_for_media_clips_only(api: Api) -> None:
    document = api.call(
        "baseEntry", "add", entry={"objectType": "KalturaDocumentEntry", "name": "doc"}
    )
    refused = api.call(
        "media", "update", entryId=document["id"], mediaEntry={"objectType": "KalturaMediaEntry"}
    )
    assert is_error(refused, "ENTRY_ID_NOT_FOUND")


def test_tags_are_stored_as_the_server_rewrites_them(api: Api) -> None:
    entry = api.new_entry(tags=" Biology,Lab ,a, biology,ÉTÉ", adminTags="X, y,,x")
    assert entry["tags"] == "biology, lab, ÉtÉ"  # ASCII lower-cased; short and repeated dropped
    assert entry["adminTags"] == "x,y"
    long = "t" * 120
    assert _update(api, entry["id"], tags=f"{long},Z9")["tags"] == f"{'t' * 100}, z9"
    kept = _update(api, entry["id"], tags=f"{'t' * 100}, z9")  # the stored value, sent back
    assert kept["tags"] == f"{'t' * 100}, z9"
