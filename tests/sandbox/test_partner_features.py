"""Partner features over HTTP: ``FEATURE_DISABLE_CATEGORY_LIMIT`` and the 32-category limit
(``entry::getMaxCategoriesPerEntry``, ``entry::getCategoriesIds``)."""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

NO_LIMIT = "FEATURE_DISABLE_CATEGORY_LIMIT"


def _link(api: Api, entry_id: str, category_id: int) -> Any:
    ce = {"objectType": "KalturaCategoryEntry", "entryId": entry_id, "categoryId": category_id}
    return api.call("categoryEntry", "add", categoryEntry=ce)


def _categories(sb: Sandbox, count: int, prefix: str = "C") -> list[int]:
    return [sb.create_category(f"{prefix}{n}") for n in range(count)]


def test_without_the_feature_an_entry_has_at_most_32_categories(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry()["id"]
    ids = _categories(sb, 33)
    for category_id in ids[:32]:
        assert _link(api, entry, category_id)["status"] == 2
    refused = _link(api, entry, ids[32])
    assert is_error(refused, "MAX_CATEGORIES_FOR_ENTRY_REACHED")
    assert refused["args"] == {"CATEGORIES": "32"}
    assert len(api.call("baseEntry", "get", entryId=entry)["categoriesIds"].split(",")) == 32


def test_disable_category_limit_nulls_categories_and_allows_more(sb: Sandbox, api: Api) -> None:
    sb.set_partner_feature(NO_LIMIT)
    assert sb.partner_feature(NO_LIMIT)
    entry = api.new_entry()["id"]
    for category_id in _categories(sb, 40):
        assert _link(api, entry, category_id)["status"] == 2
    got = api.call("baseEntry", "get", entryId=entry)
    assert "categories" not in got and "categoriesIds" not in got  # null
    listed = api.call(
        "categoryEntry", "list", filter={"entryIdEqual": entry}, pager={"pageSize": 50}
    )
    assert listed["totalCount"] == 40  # the membership is in categoryEntry.list only
    # categories/categoriesIds on update are ignored (entry::setCategories returns at once)
    update = {"objectType": "KalturaMediaEntry", "categories": "Elsewhere"}
    api.call("baseEntry", "update", entryId=entry, baseEntry=update)
    again = api.call(
        "categoryEntry", "list", filter={"entryIdEqual": entry}, pager={"pageSize": 50}
    )
    assert again["totalCount"] == 40
    sb.set_partner_feature(NO_LIMIT, False)
    assert api.call("baseEntry", "get", entryId=entry)["categoriesIds"] != ""


def test_disable_category_limit_allows_one_privacy_context_only(sb: Sandbox, api: Api) -> None:
    sb.set_partner_feature(NO_LIMIT)
    root = api.call(
        "category",
        "add",
        category={"objectType": "KalturaCategory", "name": "KMS", "privacyContext": "KMS"},
    )
    nested = api.call(
        "category",
        "add",
        category={
            "objectType": "KalturaCategory",
            "name": "other",
            "parentId": root["id"],
            "privacyContext": "Other",
        },
    )
    assert is_error(nested, "CANNOT_SET_MULTI_PRIVACY_CONTEXT")
    assert nested["message"].strip().startswith("Cannot set multiple privacy context")
