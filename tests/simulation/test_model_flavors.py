"""``flavorAsset`` in the model, as the sandbox answers it: the source asset an upload creates,
its size, entry versions (only an image's content raises one), not-found and deletion."""

from __future__ import annotations

from typing import Any

from tests.simulation.support import Bench, error_code

DATA = bytes(range(256)) * 20  # 5120 bytes


def _uploaded(bench: Bench, name: str = "clip.mp4", media_type: int = 1) -> str:
    token = bench.token(name)["id"]
    bench.chunk(token, DATA, resume=False, final=True, resume_at=0, name=name)
    entry = bench.entry(mediaType=media_type)["id"]
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    bench.call("baseentry", "addContent", entryId=entry, resource=resource)
    return str(entry)


def _listed(bench: Bench, **filter_fields: Any) -> Any:
    flavor_filter = {"objectType": "KalturaFlavorAssetFilter", **filter_fields}
    return bench.call("flavorasset", "list", filter=flavor_filter)


def test_an_upload_gives_a_source_asset_sized_in_bytes_then_kb() -> None:
    bench = Bench(transcode_delay=(60.0, 60.0))
    entry = _uploaded(bench, "talk.MP4")
    queued = _listed(bench, entryIdEqual=entry)
    assert queued["objectType"] == "KalturaFlavorAssetListResponse" and queued["totalCount"] == 1
    asset = queued["objects"][0]
    assert (asset["flavorParamsId"], asset["isOriginal"], asset["status"]) == (0, True, 0)
    assert (asset["size"], asset["sizeInBytes"], asset["version"]) == (5120, 5120, 2)
    assert asset["fileExt"] == "MP4" and asset["entryId"] == entry
    bench.advance(61)
    ready = bench.call("flavorasset", "get", id=asset["id"])
    assert (ready["status"], ready["size"], ready["version"]) == (2, 5, 2)
    tokens = bench.call("uploadtoken", "list")["objects"]
    assert tokens[0]["attachedObjectId"] == asset["id"]
    assert bench.call("baseentry", "get", entryId=entry)["version"] == 0  # a video's stays


def test_only_an_image_raises_the_entry_version_and_it_has_no_asset() -> None:
    bench = Bench()
    image = _uploaded(bench, "photo.jpg", media_type=2)
    first = bench.call("baseentry", "get", entryId=image)["version"]
    # generateRandomFileName's random start in [100000, 900000], then setData twice: 2 steps
    assert 100_012 <= first <= 900_012 and first % 10 == 2
    assert _listed(bench, entryIdEqual=image)["totalCount"] == 0
    token = bench.token("photo2.jpg")["id"]
    bench.chunk(token, DATA, resume=False, final=True, resume_at=0, name="photo2.jpg")
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    again = bench.call("media", "updateContent", entryId=image, resource=resource)
    assert again["version"] == first + 20  # two more incrementVersion steps, not +1


def test_image_version_starts_differ_by_entry_and_replay_by_seed() -> None:
    def versions(seed: int) -> list[int]:
        bench = Bench(seed=seed)
        images = [_uploaded(bench, f"p{i}.jpg", media_type=2) for i in range(3)]
        return [bench.call("baseentry", "get", entryId=e)["version"] for e in images]

    assert versions(5) == versions(5)
    assert len(set(versions(5))) == 3 and versions(5) != versions(6)


def test_list_needs_an_entry_and_filters_by_status() -> None:
    bench = Bench()
    first, second = _uploaded(bench), _uploaded(bench)
    bench.advance(1)
    refused = _listed(bench, statusEqual=2)
    assert error_code(refused) == "PROPERTY_VALIDATION_CANNOT_BE_NULL"
    both = f"{first},{second},0_missing"
    assert _listed(bench, entryIdIn=both)["totalCount"] == 2
    assert _listed(bench, entryIdIn=both, statusNotIn="2")["totalCount"] == 0
    assert _listed(bench, entryIdIn=both, flavorParamsIdEqual=3)["totalCount"] == 0
    # without its objectType the filter is a KalturaAssetFilter: status fields are not read
    plain = bench.call("flavorasset", "list", filter={"entryIdIn": both, "statusNotIn": "2"})
    assert plain["totalCount"] == 2
    paged = bench.call(
        "flavorasset", "list", filter={"entryIdIn": both}, pager={"pageSize": 1, "pageIndex": 2}
    )
    assert paged["totalCount"] == 2 and paged["objects"][0]["entryId"] == second


def test_get_not_found_deleted_with_the_entry_and_forbidden_to_a_user_ks() -> None:
    bench = Bench()
    entry = _uploaded(bench)
    asset_id = _listed(bench, entryIdEqual=entry)["objects"][0]["id"]
    missing = bench.call("flavorasset", "get", id="0_nothere")
    assert error_code(missing) == "FLAVOR_ASSET_ID_NOT_FOUND"
    user = bench.make_ks(session_type=0, user="someone")
    assert error_code(bench.call("flavorasset", "get", ks=user, id=asset_id)) == (
        "SERVICE_FORBIDDEN"
    )
    bench.call("baseentry", "delete", entryId=entry)
    assert error_code(bench.call("flavorasset", "get", id=asset_id)) == "FLAVOR_ASSET_ID_NOT_FOUND"
    assert _listed(bench, entryIdEqual=entry) == {
        "objects": [],
        "totalCount": 0,
        "objectType": "KalturaFlavorAssetListResponse",
    }


def test_deleting_the_pending_token_leaves_an_empty_queued_asset() -> None:
    bench = Bench()
    token = bench.token()["id"]
    bench.chunk(token, DATA[:100], resume=False, final=False, resume_at=0)
    entry = bench.entry()["id"]
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    bench.call("baseentry", "addContent", entryId=entry, resource=resource)
    assert _listed(bench, entryIdEqual=entry)["objects"][0]["status"] == 7  # IMPORTING
    bench.call("uploadtoken", "delete", uploadTokenId=token)
    left = _listed(bench, entryIdEqual=entry)["objects"][0]
    assert (left["status"], left["sizeInBytes"]) == (0, 0)
