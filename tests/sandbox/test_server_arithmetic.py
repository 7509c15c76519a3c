"""What the real server does that a kind sandbox would not, over raw HTTP: an image's entry
``version`` (random start, two ``incrementVersion`` steps per upload), seeded READY entries that
hold content, and ``uploadToken.list`` (never a DELETED token; no order of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox(seed=11) as sandbox:
        yield sandbox


@pytest.fixture
def admin(box: Sandbox) -> Iterator[Api]:
    with closing(Api(box, box.ks(user_id="editor"))) as helper:
        yield helper


def _token(api: Api, data: bytes | None = None, filename: str = "photo.jpg") -> str:
    token = api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
    if data is not None:
        api.upload(token["id"], data, filename=filename)
    return str(token["id"])


def _put_image(api: Api, entry_id: str, action: str, data: bytes) -> dict[str, Any]:
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": _token(api, data)}
    result: dict[str, Any] = api.call("media", action, entryId=entry_id, resource=resource)
    return result


def _image_versions(seed: int, count: int) -> list[int]:
    with Sandbox(seed=seed) as sandbox, closing(Api(sandbox, sandbox.ks())) as api:
        made = [api.new_entry(f"p{i}", mediaType=2)["id"] for i in range(count)]
        return [_put_image(api, e, "addContent", b"\xff\xd8 jpeg")["version"] for e in made]


def test_an_image_version_starts_at_random_and_moves_two_steps_per_upload(admin: Api) -> None:
    created = admin.new_entry("photo", mediaType=2)
    assert created["version"] == 0  # no data file yet
    first = _put_image(admin, created["id"], "addContent", b"\xff\xd8 first")["version"]
    # generateRandomFileName: a number in [100000, 900000], then setData twice (attachFile):
    # ceil(r / 10) * 10 + 2, then + 10; never 1
    assert 100_012 <= first <= 900_012 and first % 10 == 2
    second = _put_image(admin, created["id"], "updateContent", b"\xff\xd8 second")["version"]
    assert second == first + 20  # two more steps of ceil(v / 10) * 10 + 2
    assert admin.call("baseEntry", "get", entryId=created["id"])["version"] == second


def test_image_version_starts_differ_by_entry_and_replay_by_seed() -> None:
    run = _image_versions(3, 3)
    assert len(set(run)) == 3  # each entry its own start: a client cannot guess one
    assert _image_versions(3, 3) != _image_versions(4, 3)


def test_a_video_entry_version_stays_zero(admin: Api) -> None:
    created = admin.new_entry("talk")
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": _token(admin, b"mp4")}
    added = admin.call("media", "addContent", entryId=created["id"], resource=resource)
    assert added["version"] == 0  # its content is its source flavor asset's


def test_seeded_ready_entries_hold_content_an_asset_and_a_download(
    box: Sandbox, admin: Api
) -> None:
    category = box.create_category("Seeded")
    (video,) = box.seed_entries(category, 1, name_prefix="lecture")
    (image,) = box.seed_entries(category, 1, media_type=2, name_prefix="poster")
    (empty,) = box.seed_entries(category, 1, ready=False)
    entry = admin.call("baseEntry", "get", entryId=video)
    assert entry["status"] == 2 and entry["downloadUrl"] and entry["version"] == 0
    listed = admin.call(
        "flavorAsset",
        "list",
        filter={"objectType": "KalturaFlavorAssetFilter", "entryIdIn": f"{video},{image},{empty}"},
    )
    assert listed["totalCount"] == 1  # the video's: an image and an empty entry have none
    asset = listed["objects"][0]
    assert (asset["entryId"], asset["status"], asset["isOriginal"]) == (video, 2, True)
    assert (asset["sizeInBytes"], asset["size"], asset["version"]) == (2048, 2, 2)
    assert asset["fileExt"] == "mp4"
    body = httpx.get(entry["downloadUrl"], follow_redirects=True)
    assert body.status_code == 200 and len(body.content) == 2048
    poster = admin.call("baseEntry", "get", entryId=image)
    assert poster["downloadUrl"] and 100_012 <= poster["version"] <= 900_012
    assert admin.call("baseEntry", "get", entryId=empty)["downloadUrl"] == ""


def _tokens(api: Api, **filter_fields: Any) -> list[str]:
    listed = api.call(
        "uploadToken", "list", filter={"objectType": "KalturaUploadTokenFilter", **filter_fields}
    )
    return [t["id"] for t in listed["objects"]]


def test_token_list_never_returns_a_deleted_token(admin: Api) -> None:
    kept, gone = _token(admin), _token(admin)
    admin.call("uploadToken", "delete", uploadTokenId=gone)
    assert _tokens(admin, statusEqual=5) == []  # UploadTokenPeer's default criteria
    assert _tokens(admin, statusIn="0,5") == [kept]
    assert _tokens(admin, idEqual=gone) == []
    assert gone not in _tokens(admin)


def test_token_list_has_no_order_of_its_own(box: Sandbox, admin: Api) -> None:
    made = [_token(admin) for _ in range(8)]  # within one second: equal createdAt
    box.clock.advance(5)
    later = _token(admin)
    # no orderBy: the table's order (the random-looking id), not the order they were made
    assert _tokens(admin) == sorted([*made, later])
    # by createdAt: the later token last (first), equal seconds by id, not by creation
    assert _tokens(admin, orderBy="+createdAt") == [*sorted(made), later]
    assert _tokens(admin, orderBy="-createdAt") == [later, *sorted(made)]
