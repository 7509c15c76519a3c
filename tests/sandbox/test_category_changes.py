"""category.update and category.delete as sync will use them: renames and moves carry the
subtree, entries show the new names, deletes move or drop links (``CategoryService``); the
subtree and the links follow in batch jobs, as on the real server."""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

JOBS = 1.0  # the sandbox's default category_job_delay


def _jobs_run(sb: Sandbox) -> None:
    sb.clock.advance(JOBS + 0.5)  # due jobs run before the next category or entry call


def _add(api: Api, name: str, parent: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = api.call(
        "category",
        "add",
        category={"objectType": "KalturaCategory", "name": name, "parentId": parent},
    )
    return result


def _update(api: Api, category_id: int, **fields: Any) -> Any:
    return api.call(
        "category", "update", id=category_id, category={"objectType": "KalturaCategory", **fields}
    )


def _link(api: Api, entry_id: str, category_id: int) -> None:
    link = {"objectType": "KalturaCategoryEntry", "entryId": entry_id, "categoryId": category_id}
    assert not is_error(api.call("categoryEntry", "add", categoryEntry=link), "x")


def _entry_categories(api: Api, entry_id: str) -> tuple[str, str]:
    entry = api.call("baseEntry", "get", entryId=entry_id)
    return entry["categories"], entry["categoriesIds"]


def test_a_rename_carries_the_subtree_and_the_entries_names(sb: Sandbox, api: Api) -> None:
    root = _add(api, "Root")
    a = _add(api, "A", root["id"])
    b = _add(api, "B", a["id"])
    entry = api.new_entry()
    _link(api, entry["id"], b["id"])
    sb.clock.advance(5)
    renamed = _update(api, a["id"], name="  A 2, <x>  ")
    assert renamed["name"] == "A 2_ _x_" and renamed["fullName"] == "Root>A 2_ _x_"
    assert renamed["fullIds"] == a["fullIds"] and renamed["updatedAt"] >= a["updatedAt"] + 5
    stale = api.call("category", "get", id=b["id"])
    assert stale["fullName"] == "Root>A>B"  # the subtree follows in a batch job
    assert _entry_categories(api, entry["id"]) == ("Root>A>B", str(b["id"]))
    _jobs_run(sb)
    child = api.call("category", "get", id=b["id"])
    assert child["fullName"] == "Root>A 2_ _x_>B" and child["fullIds"] == b["fullIds"]
    assert _entry_categories(api, entry["id"]) == ("Root>A 2_ _x_>B", str(b["id"]))


def test_a_move_carries_depth_and_full_ids_of_the_subtree(sb: Sandbox, api: Api) -> None:
    root, other = _add(api, "Root"), _add(api, "Other")
    a = _add(api, "A", root["id"])
    b = _add(api, "B", a["id"])
    entry = api.new_entry()
    _link(api, entry["id"], b["id"])
    moved = _update(api, a["id"], parentId=other["id"])
    assert (moved["parentId"], moved["depth"], moved["fullName"]) == (other["id"], 1, "Other>A")
    assert moved["fullIds"] == f"{other['id']}>{a['id']}"
    assert api.call("category", "get", id=b["id"])["fullName"] == "Root>A>B"  # not yet
    for locked in (
        _update(api, root["id"], name="Root 2"),
        api.call("category", "delete", id=root["id"]),
        _add(api, "Under", root["id"]),
    ):
        assert is_error(locked, "CATEGORIES_LOCKED")  # while the move's job is pending
    assert _add(api, "At the root")["depth"] == 0  # adds at the root are not locked
    _jobs_run(sb)
    child = api.call("category", "get", id=b["id"])
    assert (child["depth"], child["fullName"]) == (2, "Other>A>B")
    assert child["fullIds"] == f"{other['id']}>{a['id']}>{b['id']}"
    assert _entry_categories(api, entry["id"]) == ("Other>A>B", str(b["id"]))
    assert api.call("category", "get", id=other["id"])["entriesCount"] == 1
    assert api.call("category", "get", id=root["id"])["entriesCount"] == 0
    to_root = _update(api, a["id"], parentId=0)
    assert (to_root["depth"], to_root["fullName"], to_root["fullIds"]) == (0, "A", str(a["id"]))
    _jobs_run(sb)
    assert api.call("category", "get", id=b["id"])["fullIds"] == f"{a['id']}>{b['id']}"


def test_moves_that_cannot_be(api: Api) -> None:
    a = _add(api, "A")
    b = _add(api, "B", a["id"])
    c = _add(api, "C", b["id"])
    for parent in (a["id"], c["id"]):
        refused = _update(api, a["id"], parentId=parent)
        assert is_error(refused, "PARENT_CATEGORY_IS_CHILD")
        assert refused["args"] == {"PARENT_CATEGORY": str(parent), "OTHER_CATEGORY": str(a["id"])}
    missing = _update(api, b["id"], parentId=987654)
    assert is_error(missing, "PARENT_CATEGORY_NOT_FOUND") and missing["args"] == {"ID": "987654"}
    assert is_error(_update(api, 987654, name="x"), "CATEGORY_NOT_FOUND")
    assert api.call("category", "get", id=c["id"])["fullName"] == "A>B>C"  # nothing moved


def test_sibling_names_are_unique_ignoring_case(api: Api) -> None:
    root = _add(api, "Root")
    _add(api, "Bio", root["id"])
    chem = _add(api, "Chem", root["id"])
    clash = _update(api, chem["id"], name="bio")
    assert is_error(clash, "DUPLICATE_CATEGORY") and clash["args"] == {"CATEGORY": "Root>bio"}
    assert is_error(_add(api, "BIO", root["id"]), "DUPLICATE_CATEGORY")
    assert _update(api, chem["id"], name="Chem")["name"] == "Chem"  # its own name is fine
    elsewhere = _add(api, "Other")
    assert is_error(_update(api, elsewhere["id"], name="root"), "DUPLICATE_CATEGORY")


def test_name_length_and_read_only_properties(api: Api) -> None:
    a = _add(api, "A")
    short = _update(api, a["id"], name="")
    assert is_error(short, "PROPERTY_VALIDATION_MIN_LENGTH")
    assert short["args"] == {"PROP_NAME": "KalturaCategory::name", "MIN_LEN": "1"}
    long = _update(api, a["id"], name="n" * 201)
    assert is_error(long, "PROPERTY_VALIDATION_MAX_LENGTH")
    assert is_error(_add(api, ""), "PROPERTY_VALIDATION_MIN_LENGTH")
    assert is_error(
        api.call("category", "add", category={"objectType": "KalturaCategory"}),
        "PROPERTY_VALIDATION_CANNOT_BE_NULL",
    )
    full_name = _update(api, a["id"], fullName="Elsewhere")
    assert is_error(full_name, "PROPERTY_VALIDATION_NOT_UPDATABLE")
    assert full_name["args"] == {"PROP_NAME": "KalturaCategory::fullName"}
    assert _update(api, a["id"], depth=0, description="d")["description"] == "d"  # unchanged
    created = _update(api, a["id"], createdAt=a["createdAt"])  # a time never compares equal
    assert is_error(created, "PROPERTY_VALIDATION_NOT_UPDATABLE")
    cleared = api.call(
        "category",
        "update",
        id=a["id"],
        category={"objectType": "KalturaCategory", "description__null": ""},
    )
    assert "description" not in cleared


def test_delete_moves_the_links_of_the_subtree_to_the_parent(sb: Sandbox, api: Api) -> None:
    a = _add(api, "A")
    b = _add(api, "B", a["id"])
    c = _add(api, "C", b["id"])
    first, second, both = api.new_entry("1"), api.new_entry("2"), api.new_entry("3")
    _link(api, first["id"], b["id"])
    _link(api, second["id"], c["id"])
    _link(api, both["id"], b["id"])
    _link(api, both["id"], a["id"])
    assert api.call("category", "delete", id=b["id"]) is None
    for gone in (b["id"], c["id"]):
        assert is_error(api.call("category", "get", id=gone), "CATEGORY_NOT_FOUND")
    assert _entry_categories(api, first["id"]) == ("", "")  # until the move job runs
    _jobs_run(sb)
    for entry in (first, second, both):
        assert _entry_categories(api, entry["id"]) == ("A", str(a["id"]))
    parent = api.call("category", "get", id=a["id"])
    assert (parent["directEntriesCount"], parent["directSubCategoriesCount"]) == (3, 0)


def test_delete_without_moving_or_at_the_root_drops_the_links(api: Api) -> None:
    a = _add(api, "A")
    b = _add(api, "B", a["id"])
    kept, dropped = api.new_entry("kept"), api.new_entry("dropped")
    _link(api, kept["id"], a["id"])
    _link(api, dropped["id"], b["id"])
    api.call("category", "delete", id=b["id"], moveEntriesToParentCategory=0)
    assert _entry_categories(api, dropped["id"]) == ("", "")
    api.call("category", "delete", id=a["id"])  # a root category: nowhere to move to
    assert _entry_categories(api, kept["id"]) == ("", "")
    invalid = api.call("category", "delete", id=a["id"], moveEntriesToParentCategory=7)
    assert is_error(invalid, "INVALID_ENUM_VALUE")


def test_delete_also_takes_the_links_of_a_sibling_whose_id_starts_the_same(
    sb: Sandbox, api: Api
) -> None:
    parent = _add(api, "P")
    target = _add(api, "Target", parent["id"])
    sibling = target
    count = 0
    while not str(sibling["id"]).startswith(str(target["id"])) or sibling is target:
        count += 1
        sibling = _add(api, f"S{count}", parent["id"])
    entry = api.new_entry()
    _link(api, entry["id"], sibling["id"])
    api.call("category", "delete", id=target["id"], moveEntriesToParentCategory=0)
    _jobs_run(sb)
    assert api.call("category", "get", id=sibling["id"])["status"] == 2  # still there...
    assert _entry_categories(api, entry["id"]) == ("", "")  # ...but its link went with the batch


def test_with_no_job_delay_the_subtree_and_links_follow_at_once() -> None:
    with Sandbox(category_job_delay=0) as sb:
        api = Api(sb, sb.ks())
        a = _add(api, "A")
        b = _add(api, "B", a["id"])
        c = _add(api, "C", b["id"])
        entry = api.new_entry()
        _link(api, entry["id"], c["id"])
        _update(api, b["id"], name="B2")
        assert api.call("category", "get", id=c["id"])["fullName"] == "A>B2>C"
        api.call("category", "delete", id=c["id"])
        assert _entry_categories(api, entry["id"]) == ("A>B2", str(b["id"]))
        api.close()
