"""category and categoryEntry over HTTP: the real checks in the real order, counters, listing."""

from __future__ import annotations

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error


def _link(api: Api, entry_id: object, category_id: object) -> object:
    ce: dict[str, object] = {"objectType": "KalturaCategoryEntry"}
    if entry_id is not None:
        ce["entryId"] = entry_id
    if category_id is not None:
        ce["categoryId"] = category_id
    return api.call("categoryEntry", "add", categoryEntry=ce)


def test_category_tree_names_and_lookup(sb: Sandbox, api: Api) -> None:
    root = api.call("category", "add", category={"objectType": "KalturaCategory", "name": "Root"})
    child = api.call(
        "category",
        "add",
        category={"objectType": "KalturaCategory", "name": "Bio, 101 <x>", "parentId": root["id"]},
    )
    assert child["fullName"] == "Root>Bio_ 101 _x_" and child["depth"] == 1
    assert child["fullIds"] == f"{root['id']}>{child['id']}"
    dup = api.call("category", "add", category={"objectType": "KalturaCategory", "name": "Root"})
    assert is_error(dup, "DUPLICATE_CATEGORY")
    orphan = api.call(
        "category",
        "add",
        category={"objectType": "KalturaCategory", "name": "x", "parentId": 987654},
    )
    assert is_error(orphan, "PARENT_CATEGORY_NOT_FOUND")
    assert is_error(api.call("category", "get", id=987654), "CATEGORY_NOT_FOUND")
    sb.index.settle()  # category.list reads the index, which lags writes
    listed = api.call(
        "category",
        "list",
        filter={"objectType": "KalturaCategoryFilter", "fullNameStartsWith": "Root>"},
    )
    assert [c["id"] for c in listed["objects"]] == [child["id"]]
    assert api.call("category", "list")["objects"][0]["depth"] == 0  # default +depth


def test_category_entry_checks_in_order(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("Checks")
    entry = api.new_entry()
    assert is_error(_link(api, entry["id"], None), "PROPERTY_VALIDATION_CANNOT_BE_NULL")
    no_entry = _link(api, None, category)
    assert no_entry["args"] == {"PROP_NAME": "KalturaCategoryEntry::entryId"}  # type: ignore[index]
    both_bad = _link(api, "0_nothere", 999999)
    assert is_error(both_bad, "INVALID_ENTRY_ID")  # the entry is checked before the category
    assert is_error(_link(api, entry["id"], 999999), "CATEGORY_NOT_FOUND")
    linked = _link(api, entry["id"], category)
    assert linked["status"] == 2 and linked["categoryFullIds"] == str(category)  # type: ignore[index]
    assert is_error(_link(api, entry["id"], category), "CATEGORY_ENTRY_ALREADY_EXISTS")


def test_32_category_limit(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry()
    for i in range(32):
        assert not is_error(_link(api, entry["id"], sb.create_category(f"C{i}")), "x")
    over = _link(api, entry["id"], sb.create_category("C32"))
    assert is_error(over, "MAX_CATEGORIES_FOR_ENTRY_REACHED")
    assert over["args"] == {"CATEGORIES": "32"}  # type: ignore[index]


def test_counters_follow_links_and_deletes(sb: Sandbox, api: Api) -> None:
    parent = sb.create_category("P")
    child = sb.create_category("P>C")
    a, b = api.new_entry("a"), api.new_entry("b")
    _link(api, a["id"], child)
    _link(api, b["id"], child)
    _link(api, a["id"], parent)
    got = api.call("category", "get", id=parent)
    assert (got["directEntriesCount"], got["entriesCount"], got["directSubCategoriesCount"]) == (
        1,
        2,
        1,
    )
    assert api.call("categoryEntry", "delete", entryId=b["id"], categoryId=child) is None
    again = api.call("categoryEntry", "delete", entryId=b["id"], categoryId=child)
    assert is_error(again, "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY")
    api.call("baseEntry", "delete", entryId=a["id"])
    assert api.call("category", "get", id=parent)["entriesCount"] == 0
    entry = api.call("baseEntry", "get", entryId=b["id"])
    assert entry["categoriesIds"] == ""


def test_entry_shows_its_categories(sb: Sandbox, api: Api) -> None:
    one, two = sb.create_category("A>One"), sb.create_category("Two")
    entry = api.new_entry()
    _link(api, entry["id"], one)
    _link(api, entry["id"], two)
    got = api.call("baseEntry", "get", entryId=entry["id"])
    assert got["categoriesIds"] == f"{one},{two}" and got["categories"] == "A>One,Two"


def test_category_entry_list_and_delete_of_missing_pair(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("L")
    ids = sb.seed_entries(category, 3)
    listed = api.call(
        "categoryEntry",
        "list",
        filter={"objectType": "KalturaCategoryEntryFilter", "categoryIdEqual": category},
    )
    assert sorted(o["entryId"] for o in listed["objects"]) == sorted(ids)
    assert listed["totalCount"] == 3
    missing = api.call("categoryEntry", "delete", entryId="0_none", categoryId=category)
    assert is_error(missing, "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY")


def test_category_delete_hides_it_and_its_links(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("Gone>Sub")
    sb.seed_entries(category, 2)
    parent = api.call(
        "category", "list", filter={"objectType": "KalturaCategoryFilter", "fullNameEqual": "Gone"}
    )["objects"][0]
    assert api.call("category", "delete", id=parent["id"]) is None
    assert is_error(api.call("category", "get", id=category), "CATEGORY_NOT_FOUND")
    f = {"objectType": "KalturaBaseEntryFilter", "categoriesIdsMatchOr": str(category)}
    assert api.call("baseEntry", "count", filter=f) == 0
