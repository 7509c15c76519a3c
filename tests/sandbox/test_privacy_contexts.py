"""Category privacy contexts over HTTP: inheritance, what an entry's categoriesIds omits, what
lists still find (``privacy`` rules)."""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import Sandbox, privacy
from tests.sandbox.helpers import Api, is_error


def _category(api: Api, name: str, parent: int = 0, **props: Any) -> dict[str, Any]:
    body = {"objectType": "KalturaCategory", "name": name, **props}
    if parent:
        body["parentId"] = parent
    result: dict[str, Any] = api.call("category", "add", category=body)
    return result


def _link(api: Api, entry_id: str, category_id: int) -> None:
    ce = {"objectType": "KalturaCategoryEntry", "entryId": entry_id, "categoryId": category_id}
    assert api.call("categoryEntry", "add", categoryEntry=ce)["status"] == 2


def _members(api: Api, entry_id: str) -> set[int]:
    listed = api.call(
        "categoryEntry",
        "list",
        filter={"objectType": "KalturaCategoryEntryFilter", "entryIdEqual": entry_id},
    )
    return {ce["categoryId"] for ce in listed["objects"]}


def _listed_ids(api: Api, **filter_fields: Any) -> list[str]:
    listed = api.call(
        "baseEntry",
        "list",
        filter={"objectType": "KalturaBaseEntryFilter", "statusIn": "2,7", **filter_fields},
    )
    return [e["id"] for e in listed["objects"]]


def test_descendants_inherit_the_privacy_context(api: Api) -> None:
    root = _category(api, "KMS", privacyContext="KMS")
    site = _category(api, "site", root["id"])
    extra = _category(api, "extra", site["id"], privacyContext="Extra")
    plain = _category(api, "Plain")
    assert (root["privacyContext"], root["privacyContexts"]) == ("KMS", "KMS")
    assert (site["privacyContext"], site["privacyContexts"]) == ("", "KMS")
    assert (extra["privacyContext"], extra["privacyContexts"]) == ("Extra", "KMS,Extra")
    assert (plain["privacyContext"], plain["privacyContexts"]) == ("", "")
    fetched = api.call("category", "get", id=site["id"])
    assert fetched["privacyContexts"] == "KMS"
    # a category without a context has the non-entitlement defaults
    assert (plain["privacy"], plain["contributionPolicy"], plain.get("owner")) == (1, 1, None)
    assert root["owner"] == "admin@example.com"  # the KS user owns a new context category
    assert site["contributionPolicy"] == 2  # a context category: members contribute


def test_entitlement_fields_need_a_privacy_context(api: Api) -> None:
    refused = api.call(
        "category", "add", category={"objectType": "KalturaCategory", "name": "x", "privacy": 3}
    )
    assert is_error(refused, "CANNOT_SET_PRIVACY_FIELD_WITH_NO_PRIVACY_CONTEXT")
    refused = api.call(
        "category",
        "add",
        category={"objectType": "KalturaCategory", "name": "x", "contributionPolicy": 2},
    )
    assert is_error(refused, "CANNOT_SET_CONTIRUBUTION_POLICY_FIELD_WITH_NO_PRIVACY_CONTEXT")
    root = _category(api, "KMS", privacyContext="KMS")
    channel = _category(api, "channel", root["id"], privacy=3, contributionPolicy=2)
    assert (channel["privacy"], channel["contributionPolicy"]) == (3, 2)


def test_entry_categories_omit_privacy_context_categories(sb: Sandbox, api: Api) -> None:
    root = _category(api, "KMS", privacyContext="KMS")
    channel = _category(api, "channel", root["id"])
    plain = _category(api, "Plain")
    entry = api.new_entry("in both")
    _link(api, entry["id"], channel["id"])
    _link(api, entry["id"], plain["id"])
    got = api.call("baseEntry", "get", entryId=entry["id"])
    assert (got["categories"], got["categoriesIds"]) == ("Plain", str(plain["id"]))
    by_ids = api.call("baseEntry", "getByIds", entryIds=entry["id"])
    assert by_ids[0]["categoriesIds"] == str(plain["id"])
    assert _members(api, entry["id"]) == {channel["id"], plain["id"]}  # the exact membership
    only_channel = api.new_entry("only in the channel")
    _link(api, only_channel["id"], channel["id"])
    got = api.call("baseEntry", "get", entryId=only_channel["id"])
    assert (got["categories"], got["categoriesIds"]) == ("", "")
    sb.index.settle()
    # the index holds every link: a channel can still be listed
    both = {entry["id"], only_channel["id"]}
    assert set(_listed_ids(api, categoriesIdsMatchOr=str(channel["id"]))) == both
    assert set(_listed_ids(api, categoriesIdsMatchAnd=str(channel["id"]))) == both
    assert set(_listed_ids(api, categoryAncestorIdIn=str(root["id"]))) == both
    listed = api.call(
        "baseEntry",
        "list",
        filter={"statusIn": "7", "categoriesIdsMatchOr": str(channel["id"])},
    )
    shown = {e["id"]: e["categoriesIds"] for e in listed["objects"]}
    assert shown == {entry["id"]: str(plain["id"]), only_channel["id"]: ""}


def test_a_privacy_context_ks_sees_null_categories(sb: Sandbox, api: Api) -> None:
    plain = _category(api, "Plain")
    entry = api.new_entry()
    _link(api, entry["id"], plain["id"])
    scoped = Api(sb, sb.ks(user_id="admin@example.com", privileges="privacycontext:MediaSpace"))
    try:
        got = scoped.call("baseEntry", "get", entryId=entry["id"])
        assert "categories" not in got and "categoriesIds" not in got  # null: JSON leaves out
        refused = scoped.call(
            "baseEntry",
            "update",
            entryId=entry["id"],
            baseEntry={"objectType": "KalturaMediaEntry", "categoriesIds": str(plain["id"])},
        )
        assert is_error(refused, "ENTRY_CATEGORY_FIELD_IS_DEPRECATED")
    finally:
        scoped.close()


def test_entry_update_keeps_privacy_context_links(api: Api) -> None:
    root = _category(api, "KMS", privacyContext="KMS")
    channel = _category(api, "channel", root["id"])
    other = _category(api, "other", root["id"])
    plain = _category(api, "Plain")
    entry = api.new_entry()
    _link(api, entry["id"], channel["id"])
    _link(api, entry["id"], plain["id"])
    update = {"objectType": "KalturaMediaEntry", "categories": ""}
    cleared = api.call("baseEntry", "update", entryId=entry["id"], baseEntry=update)
    assert (cleared["categories"], cleared["categoriesIds"]) == ("", "")
    assert _members(api, entry["id"]) == {channel["id"]}  # the channel link stays
    by_id = {"objectType": "KalturaMediaEntry", "categoriesIds": str(other["id"])}
    api.call("baseEntry", "update", entryId=entry["id"], baseEntry=by_id)
    assert _members(api, entry["id"]) == {channel["id"]}  # categoriesIds skips context ones
    by_name = {"objectType": "KalturaMediaEntry", "categories": "KMS>other"}
    api.call("baseEntry", "update", entryId=entry["id"], baseEntry=by_name)
    assert _members(api, entry["id"]) == {channel["id"], other["id"]}  # a full name adds it


def test_changing_a_context_reaches_descendants_in_a_job(sb: Sandbox, api: Api) -> None:
    root = _category(api, "Root")
    child = _category(api, "child", root["id"])
    entry = api.new_entry()
    _link(api, entry["id"], child["id"])
    assert api.call("baseEntry", "get", entryId=entry["id"])["categoriesIds"] == str(child["id"])
    update = {"objectType": "KalturaCategory", "privacyContext": "MediaSpace"}
    changed = api.call("category", "update", id=root["id"], category=update)
    assert changed["privacyContexts"] == "MediaSpace"
    assert api.call("category", "get", id=child["id"])["privacyContexts"] == ""  # not yet
    sb.clock.advance(sb.core.settings.category_job_delay + 0.1)
    assert api.call("category", "get", id=child["id"])["privacyContexts"] == "MediaSpace"
    assert api.call("baseEntry", "get", entryId=entry["id"])["categoriesIds"] == ""


def test_category_free_text_ignores_privacy_contexts(sb: Sandbox, api: Api) -> None:
    root = _category(api, "KMS", privacyContext="KMS")
    _category(api, "site", root["id"])
    described = _category(api, "notes", description="about KMS")
    sb.index.settle()
    found = api.call("category", "list", filter={"freeText": "KMS"})
    assert {c["id"] for c in found["objects"]} == {root["id"], described["id"]}


def test_contexts_are_built_as_the_server_builds_them() -> None:
    assert privacy.build("", None) == ""
    assert privacy.build("", "MediaSpace") == "MediaSpace"
    assert privacy.build("MediaSpace", None) == "MediaSpace"
    assert privacy.build("MediaSpace", " Extra , MediaSpace,") == "MediaSpace,Extra"
    assert privacy.build("A,B", "C") == "A,B,C"
