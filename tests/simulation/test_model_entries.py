"""Entries and categories in the model, from the spec: check orders, soft deletes, ownership."""

from __future__ import annotations

from tests.simulation.support import Bench, error_code


def _link(bench: Bench, entry_id: str, category_id: int) -> object:
    link = {"entryId": entry_id, "categoryId": category_id}
    return bench.call("categoryentry", "add", categoryEntry=link)


def test_category_entry_add_checks_in_the_server_order() -> None:
    bench = Bench()
    category = bench.category("A")
    entry = bench.entry()["id"]
    assert error_code(_link(bench, "0_missing", 999)) == "INVALID_ENTRY_ID"
    assert error_code(_link(bench, entry, 999)) == "CATEGORY_NOT_FOUND"
    assert _link(bench, entry, category)["status"] == 2
    assert error_code(_link(bench, entry, category)) == "CATEGORY_ENTRY_ALREADY_EXISTS"
    missing = bench.call("categoryentry", "add", categoryEntry={"entryId": entry})
    assert missing["args"] == {"PROP_NAME": "KalturaCategoryEntry::categoryId"}


def test_an_entry_takes_at_most_32_categories() -> None:
    bench = Bench()
    entry = bench.entry()["id"]
    for index in range(32):
        assert error_code(_link(bench, entry, bench.category(f"C{index}"))) is None
    too_many = _link(bench, entry, bench.category("C32"))
    assert error_code(too_many) == "MAX_CATEGORIES_FOR_ENTRY_REACHED"


def test_unlinking_twice_says_not_assigned() -> None:
    bench = Bench()
    category = bench.category("A")
    entry = bench.entry()["id"]
    _link(bench, entry, category)
    assert bench.call("categoryentry", "delete", entryId=entry, categoryId=category) is None
    again = bench.call("categoryentry", "delete", entryId=entry, categoryId=category)
    assert error_code(again) == "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY"
    assert bench.call("baseentry", "get", entryId=entry)["categoriesIds"] == ""


def test_a_deleted_entry_is_gone_from_reads_and_a_second_delete_says_not_found() -> None:
    bench = Bench()
    entry = bench.entry()["id"]
    assert bench.call("baseentry", "delete", entryId=entry) is None
    assert error_code(bench.call("baseentry", "get", entryId=entry)) == "ENTRY_ID_NOT_FOUND"
    assert bench.call("baseentry", "getByIds", entryIds=entry) == []
    assert error_code(bench.call("baseentry", "delete", entryId=entry)) == "ENTRY_ID_NOT_FOUND"
    assert bench.model.truth().entries[entry].status == 3  # soft: the truth keeps it


def test_update_changes_writable_fields_and_refuses_read_only_ones() -> None:
    bench = Bench()
    entry = bench.entry("old")["id"]
    updated = bench.call("baseentry", "update", entryId=entry, baseEntry={"name": "new"})
    assert updated["name"] == "new" and updated["updatedAt"] >= updated["createdAt"]
    refused = bench.call("baseentry", "update", entryId=entry, baseEntry={"status": 2})
    assert error_code(refused) == "PROPERTY_VALIDATION_NOT_UPDATABLE"


def test_a_user_session_may_not_touch_an_entry_it_does_not_own() -> None:
    bench = Bench()
    entry = bench.entry()["id"]
    user = bench.make_ks(session_type=0, user="someone")
    refused = bench.call("baseentry", "update", ks=user, entryId=entry, baseEntry={"name": "x"})
    assert refused["args"] == {"KSID": "", "ERR_CODE": "-4", "ERR_DESC": "INVALID_TYPE"}


def test_category_add_is_for_admins_and_refuses_a_sibling_of_the_same_name() -> None:
    bench = Bench()
    made = bench.call("category", "add", category={"name": "Courses"})
    assert (made["fullName"], made["depth"]) == ("Courses", 0)
    child = bench.call("category", "add", category={"name": "Bio, 101", "parentId": made["id"]})
    assert child["fullName"] == "Courses>Bio_ 101"
    twin = bench.call("category", "add", category={"name": "Courses"})
    assert error_code(twin) == "DUPLICATE_CATEGORY"
    user = bench.make_ks(session_type=0, user="someone")
    forbidden = bench.call("category", "add", ks=user, category={"name": "Mine"})
    assert forbidden["args"] == {"SERVICE": "category->add"}


def test_a_new_category_is_found_by_get_at_once_and_by_list_after_the_lag() -> None:
    bench = Bench(index_lag=(20.0, 20.0))
    made = bench.call("category", "add", category={"name": "Fresh"})
    assert bench.call("category", "get", id=made["id"])["name"] == "Fresh"
    by_name = {"fullNameEqual": "Fresh"}
    assert bench.call("category", "list", filter=by_name)["totalCount"] == 0
    bench.advance(21)
    assert bench.call("category", "list", filter=by_name)["totalCount"] == 1


def test_category_entry_list_needs_a_filter_for_a_user_session() -> None:
    bench = Bench()
    user = bench.make_ks(session_type=0, user="someone")
    listed = bench.call("categoryentry", "list", ks=user)
    assert error_code(listed) == "MUST_FILTER_ON_ENTRY_OR_CATEGORY"


def test_media_actions_answer_as_media_and_media_type_needs_the_media_filter() -> None:
    bench = Bench()
    video = bench.call("media", "add", entry={"objectType": "KalturaMediaEntry", "mediaType": 1})
    image = bench.call("media", "add", entry={"objectType": "KalturaMediaEntry", "mediaType": 2})
    assert video["objectType"] == "KalturaMediaEntry"
    media_filter = {"objectType": "KalturaMediaEntryFilter", "mediaTypeEqual": 2, "statusIn": "7"}
    listed = bench.call("media", "list", filter=media_filter)
    assert listed["objectType"] == "KalturaMediaListResponse"
    assert [e["id"] for e in listed["objects"]] == [image["id"]]
    base_filter = {"mediaTypeEqual": 2, "statusIn": "7"}  # dropped: not a base filter field
    assert bench.call("baseentry", "list", filter=base_filter)["totalCount"] == 2
