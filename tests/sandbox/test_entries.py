"""baseEntry / media over HTTP: lifecycle, round-trips, listing defaults, filters and paging."""

from __future__ import annotations

import hashlib
import os

import httpx

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

UNICODE_NAME = 'Λεξικό – 日本語 ☃ \U0001f3ac "q" <b> & /slash'


def test_unicode_names_and_tags_round_trip(api: Api) -> None:
    entry = api.new_entry(UNICODE_NAME, tags="ταγ,标签", description="ünïcödé")
    again = api.call("baseEntry", "get", entryId=entry["id"])
    assert (again["name"], again["tags"], again["description"]) == (
        UNICODE_NAME,
        "ταγ, 标签",  # the server rejoins tags with ", "
        "ünïcödé",
    )
    xml = api.http.post(
        "/service/baseentry/action/get", json={"ks": api.ks, "entryId": entry["id"]}
    ).text
    assert "&lt;b&gt; &amp; /slash" in xml


def test_add_gives_no_content_and_the_real_id_format(api: Api) -> None:
    entry = api.new_entry()
    assert entry["status"] == 7 and entry["objectType"] == "KalturaMediaEntry"
    assert entry["id"][:2] == "0_" and len(entry["id"]) == 10
    assert entry["userId"] == "admin@example.com" and entry["type"] == 1
    default_name = api.call("baseEntry", "add", entry={"objectType": "KalturaMediaEntry"})
    assert default_name["name"].startswith(f"{api.sandbox.partner_id}_")


def test_read_only_property_on_add_is_refused(api: Api) -> None:
    result = api.call("baseEntry", "add", entry={"objectType": "KalturaMediaEntry", "status": 2})
    assert is_error(result, "PROPERTY_VALIDATION_NOT_UPDATABLE")
    assert result["args"] == {"PROP_NAME": "KalturaMediaEntry::status"}


def test_content_lifecycle_and_download_serves_the_original_bytes(sb: Sandbox, api: Api) -> None:
    data = os.urandom(300_000)
    entry_id = api.ready_entry(data)
    entry = api.call("baseEntry", "get", entryId=entry_id)
    assert entry["status"] == 2 and entry["duration"] >= 1 and "plays" in entry
    downloaded = httpx.get(entry["downloadUrl"])
    assert hashlib.sha256(downloaded.content).digest() == hashlib.sha256(data).digest()
    assert sb.entry_bytes(entry_id).read_bytes() == data
    assert httpx.get(entry["thumbnailUrl"]).headers["content-type"] == "image/png"


def test_preconvert_then_ready_after_the_transcode_delay() -> None:
    with Sandbox(transcode_delay=30) as sb:
        api = Api(sb, sb.ks())
        entry = api.new_entry()
        token = api.call("uploadToken", "add")
        api.upload(token["id"], b"video bytes")
        attached = api.call(
            "baseEntry",
            "updateContent",
            entryId=entry["id"],
            resource={"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]},
        )
        assert attached["status"] == 1
        assert api.call("baseEntry", "list")["totalCount"] == 0  # READY only by default
        sb.clock.advance(31)
        assert api.call("baseEntry", "get", entryId=entry["id"])["status"] == 2
        assert api.call("uploadToken", "get", uploadTokenId=token["id"])["status"] == 3
        api.close()


def test_images_are_ready_at_once(api: Api) -> None:
    entry = api.call("baseEntry", "add", entry={"objectType": "KalturaMediaEntry", "mediaType": 2})
    token = api.call("uploadToken", "add")
    api.upload(token["id"], b"\x89PNG....", filename="pic.png")
    done = api.call(
        "media",
        "addContent",
        entryId=entry["id"],
        resource={"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]},
    )
    assert done["status"] == 2 and done["mediaType"] == 2


def test_mp4_duration_is_read_from_the_header(api: Api) -> None:
    mvhd = b"\x00" * 12 + (1000).to_bytes(4, "big") + (42_500).to_bytes(4, "big") + b"\x00" * 80
    box = (8 + len(mvhd)).to_bytes(4, "big") + b"mvhd" + mvhd
    moov = (8 + len(box)).to_bytes(4, "big") + b"moov" + box
    ftyp = (16).to_bytes(4, "big") + b"ftypisom" + b"\x00" * 4
    entry_id = api.ready_entry(ftyp + moov)
    entry = api.call("baseEntry", "get", entryId=entry_id)
    assert entry["msDuration"] == 42_500 and entry["duration"] == 42


def test_update_delete_count_and_get_by_ids(sb: Sandbox, api: Api) -> None:
    a, b = api.new_entry("a"), api.new_entry("b")
    updated = api.call(
        "baseEntry",
        "update",
        entryId=a["id"],
        baseEntry={"objectType": "KalturaMediaEntry", "name": "a2", "description__null": ""},
    )
    assert updated["name"] == "a2" and "description" not in updated
    frozen = api.call(
        "media",
        "update",
        entryId=a["id"],
        mediaEntry={"objectType": "KalturaMediaEntry", "mediaType": 5},
    )
    assert is_error(frozen, "PROPERTY_VALIDATION_NOT_UPDATABLE")
    both = api.call("baseEntry", "getByIds", entryIds=f"{a['id']},0_unknown1,{b['id']}")
    assert [e["id"] for e in both] == [a["id"], b["id"]]
    everything = {"objectType": "KalturaBaseEntryFilter", "statusIn": "7"}
    sb.index.settle()  # count reads the index, which lags writes
    assert api.call("baseEntry", "count", filter=everything) == 2
    assert api.call("baseEntry", "delete", entryId=a["id"]) is None
    assert is_error(api.call("baseEntry", "get", entryId=a["id"]), "ENTRY_ID_NOT_FOUND")
    assert is_error(api.call("baseEntry", "delete", entryId=a["id"]), "ENTRY_ID_NOT_FOUND")
    sb.index.settle()
    assert api.call("baseEntry", "count", filter=everything) == 1


def test_media_type_filter_needs_the_media_filter(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("Mixed")
    sb.seed_entries(category, 3, media_type=1)
    sb.seed_entries(category, 2, media_type=5)
    plain = {"objectType": "KalturaBaseEntryFilter", "mediaTypeEqual": 5}
    assert api.call("baseEntry", "list", filter=plain)["totalCount"] == 5
    media = {"objectType": "KalturaMediaEntryFilter", "mediaTypeEqual": 5}
    assert api.call("baseEntry", "list", filter=media)["totalCount"] == 2
    assert api.call("media", "list", filter=media)["objectType"] == "KalturaMediaListResponse"


def test_list_filters_and_order(sb: Sandbox, api: Api) -> None:
    root = sb.create_category("Uni>Bio")
    child = sb.create_category("Uni>Bio>101")
    parent_only = sb.seed_entries(root, 2, name_prefix="parent")
    child_only = sb.seed_entries(child, 3, name_prefix="child")
    uni = sb.create_category("Uni")

    def ids(**f: object) -> set[str]:
        result = api.call(
            "baseEntry",
            "list",
            filter={"objectType": "KalturaBaseEntryFilter", **f},
            pager={"pageSize": 500},
        )
        return {e["id"] for e in result["objects"]}

    assert ids(categoriesIdsMatchOr=str(root)) == set(parent_only)
    assert ids(categoryAncestorIdIn=str(uni)) == set(parent_only + child_only)
    assert ids(categoriesIdsMatchOr="999999") == set()
    assert ids(categoriesMatchOr="Uni>Bio>") == set(child_only)
    assert ids(freeText="child") == set(child_only)
    assert ids(idNotIn=",".join(child_only), categoryAncestorIdIn=str(uni)) == set(parent_only)
    assert ids(nameLike="parent 2") == {parent_only[1]}
    ordered = api.call(
        "baseEntry",
        "list",
        filter={"objectType": "KalturaBaseEntryFilter", "orderBy": "+name,+bogus"},
    )
    names = [e["name"] for e in ordered["objects"]]
    assert names == sorted(names)


def test_relative_created_at_and_ranges(sb: Sandbox, api: Api) -> None:
    api.new_entry("now")
    sb.index.settle()  # count reads the index, which lags writes
    recent = {
        "objectType": "KalturaBaseEntryFilter",
        "statusIn": "7",
        "createdAtGreaterThanOrEqual": -3600,
    }
    assert api.call("baseEntry", "count", filter=recent) == 1
    sb.clock.advance(7200)
    assert api.call("baseEntry", "count", filter=recent) == 0


def test_paging_defaults_and_the_10000_cap(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("Big")
    sb.seed_entries(category, 10_050)
    first = api.call("baseEntry", "list")
    assert len(first["objects"]) == 30 and first["totalCount"] == 10_050
    clamped = api.call("baseEntry", "list", pager={"pageSize": 9999})
    assert len(clamped["objects"]) == 500
    last = api.call("baseEntry", "list", pager={"pageSize": 500, "pageIndex": 20})
    assert len(last["objects"]) == 500
    beyond = api.call("baseEntry", "list", pager={"pageSize": 500, "pageIndex": 21})
    assert is_error(beyond, "QUERY_EXCEEDED_MAX_MATCHES_ALLOWED")
    straddle = api.call("baseEntry", "list", pager={"pageSize": 300, "pageIndex": 34})
    assert len(straddle["objects"]) == 100  # offset 9,900: truncated at 10,000


def test_keyset_paging_by_created_at_and_id_not_in_sees_every_entry(sb: Sandbox, api: Api) -> None:
    # The documented workaround: createdAtLessThanOrEqual the last createdAt seen, idNotIn the
    # ids already seen at that second (100 here: the index keeps only 150 values of a NOT IN).
    category = sb.create_category("Keyset")
    seeded = set(sb.seed_entries(category, 1_234))
    seen: list[str] = []
    boundary: int | None = None
    at_boundary: set[str] = set()
    while True:
        f: dict[str, object] = {
            "objectType": "KalturaBaseEntryFilter",
            "orderBy": "-createdAt",
            "categoriesIdsMatchOr": str(category),
        }
        if boundary is not None:
            f["createdAtLessThanOrEqual"] = boundary
            f["idNotIn"] = ",".join(sorted(at_boundary))
        page = api.call("baseEntry", "list", filter=f, pager={"pageSize": 500})["objects"]
        if not page:
            break
        seen += [e["id"] for e in page]
        last = page[-1]["createdAt"]
        ids_at_last = {e["id"] for e in page if e["createdAt"] == last}
        at_boundary = (at_boundary | ids_at_last) if last == boundary else ids_at_last
        boundary = last
        assert len(at_boundary) <= 150
    assert len(seen) == len(set(seen)) == 1_234 and set(seen) == seeded
