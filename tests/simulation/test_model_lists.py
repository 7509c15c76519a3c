"""The model's lists, from the spec: a lagging index, two-phase pages, IN cuts, the 10,000 cap."""

from __future__ import annotations

import zlib

import pytest

from simulation.model import NotModelled
from tests.simulation.support import PARTNER, Bench, error_code


def _list(bench: Bench, ks: str | None = None, **filt: object) -> dict:
    pager = filt.pop("pager", {"pageSize": 500})
    return bench.call("baseentry", "list", ks=ks or bench.ks, filter=filt, pager=pager)


def _seed(
    bench: Bench, category: int, count: int, created: int | None = None, same_second: bool = False
) -> list[str]:
    start = created or int(bench.clock.now()) - 10_000
    return [
        bench.model.seed_entry(PARTNER, f"e{i}", b"", category, start + (0 if same_second else i))
        for i in range(count)
    ]


def _ids(page: dict) -> list[str]:
    return [obj["id"] for obj in page["objects"]]


def test_a_list_right_after_an_add_misses_the_entry_and_finds_it_after_the_lag() -> None:
    bench = Bench(index_lag=(30.0, 30.0))
    entry = bench.entry(referenceId="r-1")
    assert _ids(_list(bench, referenceIdEqual="r-1", statusIn="7")) == []
    assert bench.call("baseentry", "get", entryId=entry["id"])["id"] == entry["id"]  # the store
    bench.advance(31)
    assert _ids(_list(bench, referenceIdEqual="r-1", statusIn="7")) == [entry["id"]]


def test_the_kind_index_finds_an_entry_at_once() -> None:
    bench = Bench()
    entry = bench.entry(referenceId="r-1")
    assert _ids(_list(bench, referenceIdEqual="r-1", statusIn="7")) == [entry["id"]]


def test_a_plain_list_shows_only_ready_entries() -> None:
    bench = Bench()
    bench.entry(referenceId="r-1")  # NO_CONTENT
    assert _list(bench, referenceIdEqual="r-1")["totalCount"] == 0


def test_an_entry_deleted_after_indexing_makes_a_short_page_counted_by_the_index() -> None:
    bench = Bench(index_lag=(60.0, 60.0))
    category = bench.category("A")
    ids = _seed(bench, category, 5)
    assert bench.call("baseentry", "delete", entryId=ids[2]) is None
    page = _list(
        bench, categoriesIdsMatchOr=str(category), orderBy="+createdAt", pager={"pageSize": 5}
    )
    assert _ids(page) == ids[:2] + ids[3:]
    assert page["totalCount"] == 5  # Sphinx total_found still counts the deleted entry
    bench.advance(61)
    assert _list(bench, categoriesIdsMatchOr=str(category))["totalCount"] == 4


def test_a_detached_entry_is_listed_in_its_old_category_until_the_index_catches_up() -> None:
    bench = Bench(index_lag=(60.0, 60.0))
    category = bench.category("A")
    ids = _seed(bench, category, 3)
    bench.call("categoryentry", "delete", entryId=ids[0], categoryId=category)
    listed = _list(bench, categoriesIdsMatchOr=str(category))
    assert ids[0] in _ids(listed)  # the store re-read drops only DELETED rows
    assert next(o for o in listed["objects"] if o["id"] == ids[0])["categoriesIds"] == ""
    bench.advance(61)
    assert ids[0] not in _ids(_list(bench, categoriesIdsMatchOr=str(category)))


def test_id_not_in_of_300_ids_excludes_only_the_first_150() -> None:
    bench = Bench()
    category = bench.category("A")
    ids = _seed(bench, category, 400)
    page = _list(bench, categoriesIdsMatchOr=str(category), idNotIn=",".join(ids[:300]))
    assert set(_ids(page)) == set(ids[150:])
    assert page["totalCount"] == 250


def test_id_in_keeps_the_150_ids_first_in_the_index_order() -> None:
    bench = Bench()
    category = bench.category("A")
    ids = _seed(bench, category, 200)
    kept = sorted(ids, key=lambda i: zlib.crc32(i.encode()))[:150]
    assert set(_ids(_list(bench, idIn=",".join(ids)))) == set(kept)


def test_reference_id_in_is_never_cut() -> None:
    # SphinxEntryCriteria::applyFilterFields ORs every referenceIdIn value into one match and
    # unsets the field before SphinxCriteria's generic IN path (the one that slices to 150).
    bench = Bench()
    for index in range(600):
        bench.entry(f"e{index}", referenceId=f"ref-{index}")
    refs = ",".join(f"ref-{index}" for index in range(600))
    assert _list(bench, referenceIdIn=refs, statusIn="7")["totalCount"] == 600


def test_an_offset_of_10000_fails_and_a_page_straddling_it_is_cut() -> None:
    bench = Bench()
    category = bench.category("A")
    _seed(bench, category, 10_050)
    base = {"categoriesIdsMatchOr": str(category), "orderBy": "+createdAt"}
    straddling = _list(bench, **base, pager={"pageSize": 300, "pageIndex": 34})
    assert len(straddling["objects"]) == 100  # offset 9,900: cut at 10,000
    assert straddling["totalCount"] == 10_050
    beyond = _list(bench, **base, pager={"pageSize": 500, "pageIndex": 21})
    assert error_code(beyond) == "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED"


@pytest.mark.parametrize("tie_order", ["creation", "crc32"])
def test_same_second_ties_come_in_the_index_order(tie_order: str) -> None:
    bench = Bench(tie_order=tie_order)
    category = bench.category("A")
    ids = _seed(bench, category, 40, same_second=True)
    listed = _ids(_list(bench, categoriesIdsMatchOr=str(category), orderBy="+createdAt"))
    expected = ids if tie_order == "creation" else sorted(ids, key=lambda i: zlib.crc32(i.encode()))
    assert listed == expected


def test_total_count_is_the_page_count_for_a_user_session_under_access_control() -> None:
    bench = Bench(access_control_total=True)
    category = bench.category("A")
    _seed(bench, category, 30)
    user = bench.make_ks(session_type=0, user="someone", privileges="list:*")
    filt = {"categoriesIdsMatchOr": str(category), "pager": {"pageSize": 10}}
    assert _list(bench, ks=user, **filt)["totalCount"] == 10  # while 20 more remain
    assert _list(bench, **filt)["totalCount"] == 30  # an admin session sees the true count


def test_a_user_session_without_list_privilege_sees_only_its_own_entries() -> None:
    bench = Bench()
    category = bench.category("A")
    _seed(bench, category, 3)
    user = bench.make_ks(session_type=0, user="someone")
    assert _list(bench, ks=user, categoriesIdsMatchOr=str(category))["totalCount"] == 0


def test_a_filter_field_the_model_lacks_is_refused_rather_than_ignored() -> None:
    bench = Bench()
    with pytest.raises(NotModelled, match="freeText"):
        _list(bench, freeText="lecture")


def test_get_by_ids_and_category_entry_list_read_the_store_at_once() -> None:
    bench = Bench(index_lag=(300.0, 300.0))
    category = bench.category("A")
    entry = bench.entry()
    bench.call(
        "categoryentry", "add", categoryEntry={"entryId": entry["id"], "categoryId": category}
    )
    assert [e["id"] for e in bench.call("baseentry", "getByIds", entryIds=entry["id"])] == [
        entry["id"]
    ]
    links = bench.call("categoryentry", "list", filter={"entryIdEqual": entry["id"]})
    assert [link["categoryId"] for link in links["objects"]] == [category]
