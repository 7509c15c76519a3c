"""Smaller server behaviours read in kaltura/server (spec section 13): category names in bytes,
the 7-day resume limit on the sandbox clock, token names cut at 256 bytes, the links' own
``categoryFullIds`` copy after a move, and the move-entries job that stops at its first error."""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

WEEK = 604_800
JOBS = 1.0  # the sandbox's default category_job_delay


def _category(api: Api, name: str, parent: int = 0) -> Any:
    return api.call(
        "category",
        "add",
        category={"objectType": "KalturaCategory", "name": name, "parentId": parent},
    )


def test_category_names_are_limited_to_200_bytes_and_lose_separators(api: Api) -> None:
    fits = _category(api, "é" * 100)  # 100 characters, 200 bytes
    assert fits["name"] == "é" * 100
    too_long = _category(api, "é" * 101)  # 101 characters, 202 bytes: strlen says too long
    assert is_error(too_long, "PROPERTY_VALIDATION_MAX_LENGTH")
    assert too_long["args"] == {"PROP_NAME": "KalturaCategory::name", "MAX_LEN": "200"}
    renamed = api.call("category", "update", id=fits["id"], category={"name": "x" * 150 + "ü" * 26})
    assert is_error(renamed, "PROPERTY_VALIDATION_MAX_LENGTH")  # 176 characters, 202 bytes
    cleaned = _category(api, "Bio>Lab, <2024>")
    assert cleaned["name"] == "Bio_Lab_ _2024_" and cleaned["fullName"] == "Bio_Lab_ _2024_"


def _token(api: Api, name: str | None = None) -> str:
    fields = {"objectType": "KalturaUploadToken", **({"fileName": name} if name else {})}
    return str(api.call("uploadToken", "add", uploadToken=fields)["id"])


def test_a_partial_token_idle_past_a_week_refuses_more_chunks(sb: Sandbox) -> None:
    api = Api(sb, sb.ks(expiry=30 * 86_400))
    busy, idle, pending = _token(api, "busy.mp4"), _token(api, "idle.mp4"), _token(api)
    api.upload(busy, b"a", final=False, resume_at=0)
    api.upload(idle, b"a", final=False, resume_at=0)
    sb.clock.advance(WEEK - 10)
    kept = api.upload(busy, b"b", resume=True, final=False, resume_at=1)
    assert kept["status"] == 1  # within the week: accepted, and the idle time starts again
    sb.clock.advance(WEEK - 10)
    assert api.upload(busy, b"c", resume=True, final=True, resume_at=2)["status"] == 2
    late = api.upload(idle, b"b", resume=True, final=True, resume_at=1)
    assert is_error(late, "UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED")
    assert late["message"] == "Max resume time of 604800 seconds reached, cannot resume upload"
    assert api.upload(pending, b"abc")["status"] == 2  # only PARTIAL tokens age out
    partial = {"objectType": "KalturaUploadTokenFilter", "fileNameEqual": "idle.mp4"}
    stale = api.call("uploadToken", "list", filter={**partial, "statusEqual": 1})
    assert stale["totalCount"] == 0  # the list leaves out what can no longer resume
    any_status = api.call("uploadToken", "list", filter=partial)
    assert [t["id"] for t in any_status["objects"]] == [idle]


def test_token_file_names_keep_their_first_256_bytes(api: Api) -> None:
    ascii_name = "a" * 300 + ".mp4"
    token = api.call("uploadToken", "get", uploadTokenId=_token(api, ascii_name))
    assert token["fileName"] == "a" * 256
    wide = "é" * 200 + ".mp4"  # 404 bytes
    assert api.call("uploadToken", "get", uploadTokenId=_token(api, wide))["fileName"] == (
        "é" * 128
    )
    odd = "a" + "é" * 200  # the 256th byte is half of a character: the half is dropped
    assert api.call("uploadToken", "get", uploadTokenId=_token(api, odd))["fileName"] == (
        "a" + "é" * 127
    )
    by_full = api.call(
        "uploadToken",
        "list",
        filter={"objectType": "KalturaUploadTokenFilter", "fileNameEqual": ascii_name},
    )
    assert by_full["totalCount"] == 0  # the name sent is not the name kept
    from_part = _token(api)
    done = api.upload(from_part, b"data", filename="ü" * 200 + ".mp4")
    assert done["fileName"] == "ü" * 128


def _link(api: Api, entry_id: str, category_id: int) -> Any:
    link = {"objectType": "KalturaCategoryEntry", "entryId": entry_id, "categoryId": category_id}
    return api.call("categoryEntry", "add", categoryEntry=link)


def _links_under(api: Api, full_ids: str) -> list[tuple[str, str]]:
    found = api.call(
        "categoryEntry",
        "list",
        filter={"objectType": "KalturaCategoryEntryFilter", "categoryFullIdsStartsWith": full_ids},
    )
    return [(c["entryId"], c["categoryFullIds"]) for c in found["objects"]]


def test_links_keep_the_full_ids_they_were_saved_with_until_the_index_job(
    sb: Sandbox, api: Api
) -> None:
    old_root, new_root = _category(api, "Old"), _category(api, "New")
    moving = _category(api, "Moving", old_root["id"])
    child = _category(api, "Child", moving["id"])
    entry = api.new_entry()
    _link(api, entry["id"], moving["id"])
    _link(api, entry["id"], child["id"])
    moved = api.call("category", "update", id=moving["id"], category={"parentId": new_root["id"]})
    assert moved["fullIds"] == f"{new_root['id']}>{moving['id']}"  # the category at once
    stale = _links_under(api, str(old_root["id"]))
    assert stale == [
        (entry["id"], moving["fullIds"]),
        (entry["id"], child["fullIds"]),
    ], "the links' copies still name the old place"
    assert _links_under(api, str(new_root["id"])) == []
    sb.clock.advance(JOBS + 0.5)
    assert _links_under(api, str(old_root["id"])) == []
    assert _links_under(api, str(new_root["id"])) == [
        (entry["id"], moved["fullIds"]),
        (entry["id"], f"{moved['fullIds']}>{child['id']}"),
    ]


def _categories_of(api: Api, entry_id: str) -> set[int]:
    found = api.call(
        "categoryEntry",
        "list",
        filter={"objectType": "KalturaCategoryEntryFilter", "entryIdEqual": entry_id},
    )
    return {c["categoryId"] for c in found["objects"]}


def test_the_move_entries_job_stops_at_its_first_unexpected_error(sb: Sandbox, api: Api) -> None:
    parent = _category(api, "Parent")
    doomed = _category(api, "Doomed", parent["id"])
    entries = sb.seed_entries(doomed["id"], 150)  # two pages of 100 for the job
    full = entries[120]  # on the second page; it cannot take one more category
    for n in range(31):
        assert not is_error(_link(api, full, sb.create_category(f"Other>{n}")), "x")
    assert api.call("category", "delete", id=doomed["id"]) is None
    sb.clock.advance(JOBS + 0.5)
    assert _categories_of(api, entries[0]) == {parent["id"]}  # the first page moved
    # the second page: added to the parent, but its old links were never deleted
    assert _categories_of(api, entries[100]) == {parent["id"], doomed["id"]}
    stuck = _categories_of(api, full)
    assert doomed["id"] in stuck and parent["id"] not in stuck
    sb.clock.advance(60)
    assert _categories_of(api, entries[149]) == {parent["id"], doomed["id"]}  # no retry
