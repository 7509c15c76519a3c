"""Lists read a search index that lags writes, as the real server's Sphinx does (over HTTP).

The lag runs on the sandbox clock, so these tests move the clock instead of sleeping; a lag of
30 s means nothing a test does in real time reaches the index by accident.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, user_api, wait_for_status

LAG = 30.0
ANY = {"objectType": "KalturaBaseEntryFilter", "statusIn": "0,1,2,4,5,6,7"}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """A sandbox whose index lags 30 s."""
    with Sandbox(transcode_delay=0.05, final_chunk_wait=1.0, index_lag=LAG) as sandbox:
        yield sandbox


def _ids(result: dict[str, Any]) -> list[str]:
    return [e["id"] for e in result["objects"]]


def test_a_list_right_after_an_add_misses_it_then_sees_it_after_the_lag(
    sb: Sandbox, api: Api
) -> None:
    entry = api.new_entry("fresh")
    assert api.call("baseEntry", "list", filter=ANY)["totalCount"] == 0
    assert api.call("baseEntry", "count", filter=ANY) == 0
    assert api.call("baseEntry", "get", entryId=entry["id"])["name"] == "fresh", "get is exact"
    assert _ids_of(api.call("baseEntry", "getByIds", entryIds=entry["id"])) == [entry["id"]]
    sb.clock.advance(LAG - 1)
    assert api.call("baseEntry", "list", filter=ANY)["totalCount"] == 0
    sb.clock.advance(2)
    listed = api.call("baseEntry", "list", filter=ANY)
    assert listed["totalCount"] == 1 and _ids(listed) == [entry["id"]]
    assert api.call("baseEntry", "count", filter=ANY) == 1


def _ids_of(entries: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in entries]


def test_an_entry_deleted_after_indexing_makes_a_short_page(sb: Sandbox, api: Api) -> None:
    ids = sb.seed_entries(sb.create_category("Short"), 10)  # indexed at once
    order = {"objectType": "KalturaBaseEntryFilter", "orderBy": "+createdAt"}
    api.call("baseEntry", "delete", entryId=ids[2])
    first = api.call("baseEntry", "list", filter=order, pager={"pageSize": 5, "pageIndex": 1})
    assert len(first["objects"]) == 4, "the deleted entry is dropped from its page"
    assert first["totalCount"] == 10, "the index still counts it"
    assert ids[2] not in _ids(first)
    second = api.call("baseEntry", "list", filter=order, pager={"pageSize": 5, "pageIndex": 2})
    assert _ids(second) == ids[5:], "a short page is not the end"
    sb.clock.advance(LAG + 1)
    caught_up = api.call("baseEntry", "list", filter=order, pager={"pageSize": 5})
    assert caught_up["totalCount"] == 9 and _ids(caught_up) == ids[:2] + ids[3:6]


def test_a_renamed_entry_matches_its_old_name_until_reindexed(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry("old name")
    sb.index.settle()
    api.call(
        "baseEntry",
        "update",
        entryId=entry["id"],
        baseEntry={"objectType": "KalturaMediaEntry", "name": "new name"},
    )
    by_old = api.call("baseEntry", "list", filter={**ANY, "nameEqual": "old name"})
    assert _ids(by_old) == [entry["id"]], "the index still holds the old name"
    assert by_old["objects"][0]["name"] == "new name", "the object is read from the store"
    assert api.call("baseEntry", "list", filter={**ANY, "nameEqual": "new name"})["objects"] == []
    sb.clock.advance(LAG + 1)
    assert api.call("baseEntry", "list", filter={**ANY, "nameEqual": "old name"})["objects"] == []
    by_new = api.call("baseEntry", "list", filter={**ANY, "nameEqual": "new name"})
    assert _ids(by_new) == [entry["id"]]


def test_category_links_reach_entry_lists_after_the_lag(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("Linked")
    entry = api.new_entry("to link")
    sb.index.settle()
    in_category = {**ANY, "categoriesIdsMatchOr": str(category)}
    link = {"objectType": "KalturaCategoryEntry", "entryId": entry["id"], "categoryId": category}
    api.call("categoryEntry", "add", categoryEntry=link)
    exact = api.call("categoryEntry", "list", filter={"categoryIdEqual": category})
    assert [c["entryId"] for c in exact["objects"]] == [entry["id"]], "categoryEntry.list is exact"
    assert api.call("baseEntry", "list", filter=in_category)["totalCount"] == 0
    sb.clock.advance(LAG + 1)
    assert _ids(api.call("baseEntry", "list", filter=in_category)) == [entry["id"]]
    api.call("categoryEntry", "delete", entryId=entry["id"], categoryId=category)
    stale = api.call("baseEntry", "list", filter=in_category)
    assert _ids(stale) == [entry["id"]], "still matched by the index"
    assert stale["objects"][0]["categoriesIds"] == "", "but read as it now is"
    sb.clock.advance(LAG + 1)
    assert api.call("baseEntry", "list", filter=in_category)["totalCount"] == 0


def test_an_entry_is_listed_a_lag_after_it_became_ready(sb: Sandbox, api: Api) -> None:
    entry_id = api.ready_entry(b"\x00" * 1000)
    ready_at = wait_for_status(api, entry_id, 2)["updatedAt"]
    assert api.call("baseEntry", "list")["totalCount"] == 0, "READY is not indexed yet"
    # updatedAt is whole seconds and READY came up to a second after it: wait past both
    sb.clock.advance(ready_at + LAG + 2 - sb.clock.now())
    assert _ids(api.call("baseEntry", "list")) == [entry_id]


def test_settle_makes_every_write_visible_without_moving_the_clock(sb: Sandbox, api: Api) -> None:
    entries = [api.new_entry(f"e{n}")["id"] for n in range(3)]
    assert sb.index.pending == 3
    before = sb.clock.offset
    sb.index.settle()
    assert sb.index.pending == 0 and sb.clock.offset == before
    assert sorted(_ids(api.call("baseEntry", "list", filter=ANY))) == sorted(entries)


def test_the_lag_can_change_at_run_time(sb: Sandbox, api: Api) -> None:
    entry = api.new_entry("now")
    sb.index.lag = 0
    assert _ids(api.call("baseEntry", "list", filter=ANY)) == [entry["id"]]
    with pytest.raises(ValueError, match="zero or more"):
        sb.index.lag = -1


def test_the_kind_sandbox_lists_every_write_at_once() -> None:
    with Sandbox(index_lag=0, index_max_in_values=None) as sb:
        api = Api(sb, sb.ks())
        entry = api.new_entry("kind")
        assert _ids(api.call("baseEntry", "list", filter=ANY)) == [entry["id"]]
        api.call("baseEntry", "delete", entryId=entry["id"])
        assert api.call("baseEntry", "list", filter=ANY)["totalCount"] == 0
        api.close()


def test_same_second_ties_come_in_document_id_order_in_both_directions(
    sb: Sandbox, api: Api
) -> None:
    ids = sb.seed_entries(None, 150)  # 100 per second: two createdAt seconds
    created = {e["id"]: e["createdAt"] for e in sb_list_all(api, "+createdAt")}
    first_second = [i for i in ids if created[i] == created[ids[0]]]
    later = [i for i in ids if created[i] != created[ids[0]]]
    assert first_second and later
    assert [e["id"] for e in sb_list_all(api, "+createdAt")] == first_second + later
    descending = [e["id"] for e in sb_list_all(api, "-createdAt")]
    assert descending == later + first_second, "ties stay in ascending id order"


def sb_list_all(api: Api, order: str) -> list[dict[str, Any]]:
    """Return every entry in one page, ordered by ``order``."""
    result = api.call(
        "baseEntry",
        "list",
        filter={"objectType": "KalturaBaseEntryFilter", "orderBy": order},
        pager={"pageSize": 500},
    )
    objects: list[dict[str, Any]] = result["objects"]
    return objects


def test_without_order_by_pages_follow_the_index_and_sort_by_id_within(
    sb: Sandbox, api: Api
) -> None:
    ids = sb.seed_entries(None, 12)
    first = api.call("baseEntry", "list", pager={"pageSize": 5})
    assert _ids(first) == sorted(ids[:5]), "the first five indexed, in the store's key order"
    unknown_order = {"objectType": "KalturaBaseEntryFilter", "orderBy": "+noSuchField"}
    assert _ids(api.call("baseEntry", "list", filter=unknown_order, pager={"pageSize": 5})) == (
        sorted(ids[:5])
    )


def test_category_list_reads_the_index_and_get_reads_the_store(sb: Sandbox, api: Api) -> None:
    made = api.call("category", "add", category={"objectType": "KalturaCategory", "name": "New"})
    assert api.call("category", "get", id=made["id"])["name"] == "New"
    new_only = {"fullNameEqual": "New"}  # the default account holds a KMS skeleton too
    assert api.call("category", "list", filter=new_only)["totalCount"] == 0
    sb.clock.advance(LAG + 1)
    listed = api.call("category", "list", filter=new_only)
    assert [c["id"] for c in listed["objects"]] == [made["id"]]
    api.call("category", "delete", id=made["id"])
    short = api.call("category", "list", filter=new_only)
    assert short["objects"] == [] and short["totalCount"] == 1, "dropped from the page only"


def test_upload_token_list_is_exact(sb: Sandbox, api: Api) -> None:
    token = api.call("uploadToken", "add", uploadToken={"fileName": "exact.mp4"})
    listed = api.call("uploadToken", "list", filter={"fileNameEqual": "exact.mp4"})
    assert [t["id"] for t in listed["objects"]] == [token["id"]]


def test_metadata_access_control_makes_total_count_the_page_count(sb: Sandbox, api: Api) -> None:
    sb.seed_entries(None, 12)
    reader = user_api(sb, "reader", privileges="list:*")
    assert reader.call("baseEntry", "list", pager={"pageSize": 5})["totalCount"] == 12
    sb.set_metadata_access_control(True)
    page = reader.call("baseEntry", "list", pager={"pageSize": 5})
    assert len(page["objects"]) == 5 and page["totalCount"] == 5, "more pages remain"
    assert api.call("baseEntry", "list", pager={"pageSize": 5})["totalCount"] == 12, "admin KS"
    assert reader.call("baseEntry", "count") == 12, "count is not filtered"
    sb.set_metadata_access_control(False)
    assert reader.call("baseEntry", "list", pager={"pageSize": 5})["totalCount"] == 12
    reader.close()


def test_metadata_access_control_for_every_partner() -> None:
    with Sandbox(metadata_access_control=True) as sb:
        sb.seed_entries(None, 3)
        reader = user_api(sb, "reader", privileges="list:*")
        assert reader.call("baseEntry", "list", pager={"pageSize": 2})["totalCount"] == 2
        reader.close()


def test_a_persisted_sandbox_keeps_pending_writes_and_indexes_old_data(tmp_path: Path) -> None:
    with Sandbox(data_dir=tmp_path, index_lag=LAG) as first:
        api = Api(first, first.ks())
        kept = api.new_entry("pending at close")["id"]
        api.close()
    with Sandbox(data_dir=tmp_path, index_lag=LAG) as second:
        api = Api(second, second.ks())
        assert api.call("baseEntry", "list", filter=ANY)["totalCount"] == 0
        second.clock.advance(LAG + 1)
        assert _ids(api.call("baseEntry", "list", filter=ANY)) == [kept]
        api.close()
    with sqlite3.connect(tmp_path / "sandbox.db") as db:  # as a sandbox from before the index
        db.executescript("DROP TABLE entry_index; DROP TABLE entry_index_log;")
    with Sandbox(data_dir=tmp_path, index_lag=LAG) as third:
        api = Api(third, third.ks())
        assert _ids(api.call("baseEntry", "list", filter=ANY)) == [kept], "indexed at once"
        api.close()
