"""``flavorAsset.list`` / ``get`` over HTTP: the source asset an entry's content creates, its
size, and the version that moves when a video's content is replaced (``flavor_assets`` rules)."""

from __future__ import annotations

import os
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error, user_api

DELAY = 30.0  # transcoding; the tests move the sandbox clock past it


@pytest.fixture
def slow() -> Iterator[Sandbox]:
    with Sandbox(transcode_delay=DELAY, final_chunk_wait=1.0) as sandbox:
        yield sandbox


@pytest.fixture
def admin(slow: Sandbox) -> Iterator[Api]:
    with closing(Api(slow, slow.ks(user_id="editor"))) as helper:
        yield helper


def _resource(api: Api, data: bytes, filename: str = "talk.mp4") -> dict[str, str]:
    token = api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
    api.upload(token["id"], data, filename=filename)
    return {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}


def _uploaded(api: Api, data: bytes, filename: str = "talk.mp4", **entry: Any) -> str:
    created = api.new_entry("lecture", **entry)
    api.call(
        "baseEntry", "addContent", entryId=created["id"], resource=_resource(api, data, filename)
    )
    return str(created["id"])


def _assets(api: Api, **filter_fields: Any) -> dict[str, Any]:
    listed: dict[str, Any] = api.call(
        "flavorAsset", "list", filter={"objectType": "KalturaFlavorAssetFilter", **filter_fields}
    )
    return listed


def _source(api: Api, entry_id: str) -> dict[str, Any]:
    listed = _assets(api, entryIdEqual=entry_id)
    assert listed["totalCount"] == 1, listed
    source: dict[str, Any] = listed["objects"][0]
    return source


def test_an_upload_creates_the_source_asset_with_its_size(slow: Sandbox, admin: Api) -> None:
    data = os.urandom(5000)
    entry_id = _uploaded(admin, data, filename="Talk.MP4")
    queued = _source(admin, entry_id)
    assert queued["objectType"] == "KalturaFlavorAsset" and queued["entryId"] == entry_id
    assert (queued["flavorParamsId"], queued["isOriginal"], queued["tags"]) == (0, True, "source")
    assert (queued["status"], queued["fileExt"], queued["version"]) == (0, "MP4", 2)
    # until the media info is extracted the server holds the size in bytes, not KB
    assert queued["size"] == 5000 and queued["sizeInBytes"] == 5000
    slow.clock.advance(DELAY + 1)
    ready = admin.call("flavorAsset", "get", id=queued["id"])
    assert ready["status"] == 2 and ready["size"] == 5000 // 1024 == 4
    assert ready["sizeInBytes"] == 5000 and ready["version"] == 2
    assert ready["updatedAt"] >= queued["updatedAt"] and ready["partnerId"] == slow.partner_id
    token = admin.call("uploadToken", "list")["objects"][0]
    assert (token["attachedObjectType"], token["attachedObjectId"]) == ("flavorAsset", ready["id"])


def test_an_incomplete_upload_attaches_an_importing_asset(slow: Sandbox, admin: Api) -> None:
    created = admin.new_entry("pending")
    token = admin.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
    admin.upload(token["id"], b"x" * 3000, final=False, resume_at=0)
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}
    admin.call("baseEntry", "addContent", entryId=created["id"], resource=resource)
    importing = _source(admin, created["id"])
    assert importing["status"] == 7 and importing["sizeInBytes"] == 0
    attached = admin.call("uploadToken", "get", uploadTokenId=token["id"])["attachedObjectId"]
    assert attached == importing["id"]
    admin.upload(token["id"], b"y" * 2048, resume=True, resume_at=3000)
    filled = _source(admin, created["id"])
    assert filled["id"] == importing["id"] and filled["sizeInBytes"] == 5048
    assert filled["status"] == 0 and filled["version"] == 2


def test_a_video_replacement_moves_the_source_version_not_the_entry_version(
    slow: Sandbox, admin: Api
) -> None:
    entry_id = _uploaded(admin, os.urandom(3000))
    slow.clock.advance(DELAY + 1)
    before = _source(admin, entry_id)
    entry_before = admin.call("baseEntry", "get", entryId=entry_id)
    started = admin.call(
        "media", "updateContent", entryId=entry_id, resource=_resource(admin, os.urandom(9000))
    )
    temp_id = started["replacingEntryId"]
    assert _source(admin, entry_id) == before  # nothing moves until the swap
    temp_asset = _source(admin, temp_id)  # the temporary entry has its own source asset
    assert temp_asset["id"] != before["id"] and temp_asset["status"] == 0
    slow.clock.advance(DELAY + 1)
    after = _source(admin, entry_id)
    assert after["id"] == before["id"] and after["version"] == 12  # kDataCenterMgr: 2 -> 12
    assert after["updatedAt"] > before["updatedAt"] and after["createdAt"] == before["createdAt"]
    assert (after["size"], after["sizeInBytes"], after["status"]) == (8, 9000, 2)
    entry_after = admin.call("baseEntry", "get", entryId=entry_id)
    assert entry_after["version"] == entry_before["version"]
    gone = admin.call("flavorAsset", "get", id=temp_asset["id"])
    assert is_error(gone, "FLAVOR_ASSET_ID_NOT_FOUND")
    assert _assets(admin, entryIdEqual=temp_id)["totalCount"] == 0


def test_with_approval_the_version_moves_at_approve_replace(slow: Sandbox, admin: Api) -> None:
    entry_id = _uploaded(admin, b"old content")
    slow.clock.advance(DELAY + 1)
    slow.set_replacement_approval(True)
    admin.call(
        "media", "updateContent", entryId=entry_id, resource=_resource(admin, b"new content!")
    )
    slow.clock.advance(DELAY + 1)
    waiting = _source(admin, entry_id)
    assert (waiting["version"], waiting["sizeInBytes"]) == (2, 11)
    slow.clock.advance(5)
    admin.call("media", "approveReplace", entryId=entry_id)
    approved = _source(admin, entry_id)
    assert (approved["version"], approved["sizeInBytes"]) == (12, 12)
    assert approved["updatedAt"] > waiting["updatedAt"]


def test_a_cancelled_replacement_leaves_the_source_asset(slow: Sandbox, admin: Api) -> None:
    entry_id = _uploaded(admin, b"kept")
    slow.clock.advance(DELAY + 1)
    before = _source(admin, entry_id)
    admin.call("media", "updateContent", entryId=entry_id, resource=_resource(admin, b"dropped"))
    admin.call("media", "cancelReplace", entryId=entry_id)
    slow.clock.advance(DELAY + 1)
    assert _source(admin, entry_id) == before


def test_list_filters_pager_and_order(slow: Sandbox, admin: Api) -> None:
    small = _uploaded(admin, os.urandom(2048))
    large = _uploaded(admin, os.urandom(10_240))
    slow.clock.advance(DELAY + 1)
    both = f"{small},{large},0_missing"
    assert _assets(admin, entryIdIn=both)["totalCount"] == 2
    by_size = _assets(admin, entryIdIn=both, orderBy="-size")["objects"]
    assert [a["entryId"] for a in by_size] == [large, small]
    assert [a["size"] for a in by_size] == [10, 2]
    assert _assets(admin, entryIdIn=both, sizeGreaterThanOrEqual=5)["totalCount"] == 1
    assert _assets(admin, entryIdIn=both, flavorParamsIdEqual=0)["totalCount"] == 2
    assert _assets(admin, entryIdIn=both, flavorParamsIdIn="1,2")["totalCount"] == 0
    assert _assets(admin, entryIdIn=both, statusEqual=2)["totalCount"] == 2
    assert _assets(admin, entryIdIn=both, statusNotIn="2")["totalCount"] == 0
    assert _assets(admin, entryIdIn=both, tagsLike="SOUR")["totalCount"] == 2
    first = admin.call(
        "flavorAsset",
        "list",
        filter={"objectType": "KalturaAssetFilter", "entryIdIn": both},
        pager={"objectType": "KalturaFilterPager", "pageSize": 1, "pageIndex": 2},
    )
    assert first["objectType"] == "KalturaFlavorAssetListResponse"
    # a KalturaAssetFilter has no status fields: they are not read (the cast keeps only its own)
    plain = {"objectType": "KalturaAssetFilter", "entryIdIn": both, "statusNotIn": "2"}
    assert admin.call("flavorAsset", "list", filter=plain)["totalCount"] == 2
    assert first["totalCount"] == 2 and [a["entryId"] for a in first["objects"]] == [large]


def test_list_must_name_entries(admin: Api) -> None:
    for listed in (admin.call("flavorAsset", "list"), _assets(admin, statusEqual=2)):
        assert is_error(listed, "PROPERTY_VALIDATION_CANNOT_BE_NULL")
        assert "KalturaFlavorAssetFilter::entryIdEqual" in listed["message"]


def test_get_of_an_unknown_or_foreign_asset_is_not_found(slow: Sandbox, admin: Api) -> None:
    missing = admin.call("flavorAsset", "get", id="0_nothere")
    assert is_error(missing, "FLAVOR_ASSET_ID_NOT_FOUND")
    assert missing["message"] == 'Flavor asset id "0_nothere" not found'
    asset_id = _source(admin, _uploaded(admin, b"mine"))["id"]
    other = Api(slow, slow.ks(partner_id=slow.add_partner().partner_id))
    try:
        assert is_error(other.call("flavorAsset", "get", id=asset_id), "FLAVOR_ASSET_ID_NOT_FOUND")
    finally:
        other.close()


def test_deleting_the_entry_deletes_its_assets(admin: Api) -> None:
    entry_id = _uploaded(admin, b"short-lived")
    asset_id = _source(admin, entry_id)["id"]
    admin.call("baseEntry", "delete", entryId=entry_id)
    assert is_error(admin.call("flavorAsset", "get", id=asset_id), "FLAVOR_ASSET_ID_NOT_FOUND")
    assert _assets(admin, entryIdEqual=entry_id) == {
        "objects": [],
        "totalCount": 0,
        "objectType": "KalturaFlavorAssetListResponse",
    }


def test_an_image_has_no_flavor_asset(admin: Api) -> None:
    created = admin.new_entry("photo", mediaType=2)
    resource = _resource(admin, b"\x89PNG....", filename="photo.png")
    admin.call("baseEntry", "addContent", entryId=created["id"], resource=resource)
    assert _assets(admin, entryIdEqual=created["id"])["totalCount"] == 0


def test_a_user_ks_lists_assets_of_entries_it_reads_but_cannot_get(slow: Sandbox) -> None:
    owner = user_api(slow, "owner@example.com")
    try:
        entry_id = _uploaded(owner, b"own talk")
        asset = _source(owner, entry_id)
        assert is_error(owner.call("flavorAsset", "get", id=asset["id"]), "SERVICE_FORBIDDEN")
    finally:
        owner.close()


def test_list_then_get_in_one_multirequest_and_as_xml(sb: Sandbox, api: Api) -> None:
    entry_id = api.ready_entry(b"z" * 4096)
    body = {
        "format": 1,
        "ks": api.ks,
        "1": {
            "service": "flavorAsset",
            "action": "list",
            "filter": {"objectType": "KalturaFlavorAssetFilter", "entryIdEqual": entry_id},
        },
        "2": {"service": "flavorAsset", "action": "get", "id": "{1:result:objects:0:id}"},
    }
    listed, got = api.http.post("/service/multirequest", json=body).json()
    assert got == listed["objects"][0] and got["size"] == 4 and got["status"] == 2
    response = api.http.post(
        "/service/flavorAsset/action/get", json={"ks": api.ks, "format": 2, "id": got["id"]}
    )
    result = ET.fromstring(response.content).find("result")
    assert result is not None
    assert result.findtext("objectType") == "KalturaFlavorAsset"
    assert (result.findtext("id"), result.findtext("isOriginal")) == (got["id"], "1")
    assert (result.findtext("sizeInBytes"), result.findtext("entryId")) == ("4096", entry_id)


def test_an_entry_the_session_cannot_read_lists_nothing() -> None:
    with Sandbox(account="mediaspace", index_lag=0, transcode_delay=0.05) as ms:
        channel = ms.account.channel_id("Private channel")
        kmc = Api(ms, ms.ks(user_id="admin", privileges="disableentitlement"))
        carol = user_api(ms, "carol@example.com", "privacycontext:MediaSpace,list:*")
        dave = user_api(ms, "dave@example.com", "privacycontext:MediaSpace,list:*")
        try:
            entry_id = _uploaded(kmc, b"members only")
            link = {
                "objectType": "KalturaCategoryEntry",
                "entryId": entry_id,
                "categoryId": channel,
            }
            kmc.call("categoryEntry", "add", categoryEntry=link)
            assert _assets(carol, entryIdEqual=entry_id)["totalCount"] == 1
            hidden = _assets(dave, entryIdEqual=entry_id)
            assert (hidden["totalCount"], hidden["objects"]) == (0, [])
            both = _assets(dave, entryIdIn=f"{entry_id},{entry_id}")
            assert both["totalCount"] == 0
        finally:
            for helper in (kmc, carol, dave):
                helper.close()


def test_get_url_serves_the_asset_once_ready(slow: Sandbox) -> None:
    owner = user_api(slow, "owner@example.com")
    try:
        data = os.urandom(3000)
        asset_id = _source(owner, _uploaded(owner, data))["id"]
        early = owner.call("flavorAsset", "getUrl", id=asset_id)
        assert is_error(early, "FLAVOR_ASSET_IS_NOT_READY")
        slow.clock.advance(DELAY + 1)
        url = owner.call("flavorAsset", "getUrl", id=asset_id)
        assert isinstance(url, str) and httpx.get(url).content == data
        missing = owner.call("flavorAsset", "getUrl", id="0_nothere")
        assert is_error(missing, "FLAVOR_ASSET_ID_NOT_FOUND")
    finally:
        owner.close()


def test_a_failed_replacement_leaves_the_source_asset_as_it_was(slow: Sandbox, admin: Api) -> None:
    entry_id = _uploaded(admin, b"good old content")
    slow.clock.advance(DELAY + 1)
    before = _source(admin, entry_id)
    slow.faults.fail_conversions = True
    started = admin.call(
        "media", "updateContent", entryId=entry_id, resource=_resource(admin, b"broken")
    )
    slow.clock.advance(DELAY + 1)
    assert admin.call("baseEntry", "get", entryId=entry_id)["replacementStatus"] == 4  # FAILED
    assert _source(admin, entry_id) == before
    assert _source(admin, started["replacingEntryId"])["status"] == -1  # ERROR


def test_a_data_folder_from_before_gets_its_source_assets(tmp_path: Path) -> None:
    with Sandbox(data_dir=tmp_path) as first, closing(Api(first, first.ks())) as api:
        entry_id = api.ready_entry(os.urandom(4096))
    with sqlite3.connect(tmp_path / "sandbox.db") as db:
        db.execute("DROP TABLE flavor_assets")  # as a sandbox without flavor assets left it
    with Sandbox(data_dir=tmp_path) as second, closing(Api(second, second.ks())) as api:
        source = _source(api, entry_id)
        assert (source["status"], source["size"], source["sizeInBytes"]) == (2, 4, 4096)
        assert (source["version"], source["fileExt"]) == (2, "mp4")


def test_deleting_the_pending_token_leaves_an_empty_queued_asset(admin: Api) -> None:
    created = admin.new_entry("abandoned")
    token = admin.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
    admin.upload(token["id"], b"x" * 100, final=False, resume_at=0)
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}
    admin.call("baseEntry", "addContent", entryId=created["id"], resource=resource)
    admin.call("uploadToken", "delete", uploadTokenId=token["id"])
    assert admin.call("baseEntry", "get", entryId=created["id"])["status"] == 7  # NO_CONTENT
    left = _source(admin, created["id"])
    assert (left["status"], left["sizeInBytes"]) == (0, 0)
