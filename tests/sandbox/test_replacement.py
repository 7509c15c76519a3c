"""Content replacement on an entry that has content: a temporary entry takes the upload, the
original stays READY with its old content until the swap (``replaceResourceByEntry``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

DELAY = 30.0  # transcoding; the tests move the sandbox clock past it


@pytest.fixture
def slow() -> Iterator[Sandbox]:
    with Sandbox(transcode_delay=DELAY, final_chunk_wait=1.0) as sandbox:
        yield sandbox


def _token(api: Api, data: bytes | None = None, final: bool = True) -> str:
    token = str(
        api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})["id"]
    )
    if data is not None:
        api.upload(token, data, final=final, resume_at=0, filename="new.mp4")
    return token


def _resource(token: str) -> dict[str, str]:
    return {"objectType": "KalturaUploadedFileTokenResource", "token": token}


def _ready(sb: Sandbox, api: Api, data: bytes) -> dict[str, Any]:
    entry = api.new_entry("lecture")
    api.call("baseEntry", "addContent", entryId=entry["id"], resource=_resource(_token(api, data)))
    sb.clock.advance(DELAY + 1)
    got: dict[str, Any] = api.call("baseEntry", "get", entryId=entry["id"])
    assert got["status"] == 2
    return got


def _download(entry: dict[str, Any]) -> bytes:
    return httpx.get(entry["downloadUrl"]).content


def test_replacement_lifecycle(slow: Sandbox) -> None:
    api = Api(slow, slow.ks(user_id="editor"))
    old, new = os.urandom(3000), os.urandom(600_000)
    original = _ready(slow, api, old)
    token = _token(api, new)
    answer = api.call(
        "baseEntry", "updateContent", entryId=original["id"], resource=_resource(token)
    )
    assert answer["objectType"] == "KalturaBaseEntry" and "mediaType" not in answer
    assert answer["status"] == 2 and answer["replacementStatus"] == 1
    temp_id = answer["replacingEntryId"]
    assert temp_id and temp_id != original["id"]
    waiting = api.call("baseEntry", "get", entryId=original["id"])
    assert waiting["status"] == 2 and _download(waiting) == old  # old content meanwhile
    temp = api.call("baseEntry", "get", entryId=temp_id)
    assert (temp["displayInSearch"], temp["replacedEntryId"], temp["status"]) == (
        -1,
        original["id"],
        1,
    )
    assert temp["userId"] == "editor" and temp["name"].startswith(f"{slow.partner_id}_")
    assert api.call("uploadToken", "get", uploadTokenId=token)["status"] == 3
    slow.index.settle()  # lists read the search index: let it see the temporary entry
    plain = api.call(
        "baseEntry", "list", filter={"objectType": "KalturaBaseEntryFilter", "statusIn": "1,2"}
    )
    assert [e["id"] for e in plain["objects"]] == [original["id"]]  # the temporary one is hidden
    hidden = api.call(
        "baseEntry",
        "list",
        filter={
            "objectType": "KalturaBaseEntryFilter",
            "statusIn": "1,2",
            "displayInSearchEqual": -1,
        },
    )
    assert [e["id"] for e in hidden["objects"]] == [temp_id]
    again = api.call(
        "baseEntry", "updateContent", entryId=original["id"], resource=_resource(_token(api, new))
    )
    assert is_error(again, "ENTRY_REPLACEMENT_ALREADY_EXISTS")
    slow.clock.advance(DELAY + 1)
    swapped = api.call("baseEntry", "get", entryId=original["id"])
    assert swapped["status"] == 2 and _download(swapped) == new
    assert "replacingEntryId" not in swapped and swapped["replacementStatus"] == 0
    # a video's version is its data file's, which the swap never sets (it relinks the flavors)
    assert swapped["version"] == original["version"] and swapped["id"] == original["id"]
    assert swapped["msDuration"] != original["msDuration"]  # the new content's duration
    assert is_error(api.call("baseEntry", "get", entryId=temp_id), "ENTRY_ID_NOT_FOUND")
    api.close()


def test_replacement_from_an_incomplete_upload(slow: Sandbox) -> None:
    api = Api(slow, slow.ks())
    new = os.urandom(4000)
    original = _ready(slow, api, b"old")
    token = _token(api, new[:1000], final=False)
    answer = api.call("media", "updateContent", entryId=original["id"], resource=_resource(token))
    assert answer["objectType"] == "KalturaMediaEntry" and answer["status"] == 2
    temp_id = answer["replacingEntryId"]
    assert api.call("baseEntry", "get", entryId=temp_id)["status"] == 0  # IMPORT: waiting
    api.upload(token, new[1000:], resume=True, final=True, resume_at=1000)
    assert api.call("baseEntry", "get", entryId=temp_id)["status"] == 1
    slow.clock.advance(DELAY + 1)
    assert _download(api.call("baseEntry", "get", entryId=original["id"])) == new
    api.close()


def test_replacement_can_be_forbidden_per_partner(sb: Sandbox, api: Api) -> None:
    ready = api.ready_entry(b"abc")
    sb.set_entry_replacement(False)
    forbidden = api.call(
        "baseEntry", "updateContent", entryId=ready, resource=_resource(_token(api, b"x"))
    )
    assert is_error(forbidden, "FEATURE_FORBIDDEN")
    assert forbidden["args"] == {"FEATURE": "FEATURE_ENTRY_REPLACEMENT"}
    unknown = api.call("baseEntry", "updateContent", entryId=ready, resource=_resource("0_missing"))
    assert is_error(unknown, "UPLOAD_TOKEN_NOT_FOUND")  # the resource is read first
    empty = api.new_entry()
    direct = api.call(
        "baseEntry", "updateContent", entryId=empty["id"], resource=_resource(_token(api, b"x"))
    )
    assert direct["status"] in (1, 2)  # an entry without content is attached directly
    other = sb.add_partner()
    other_api = Api(sb, sb.ks(partner_id=other.partner_id))
    theirs = other_api.ready_entry(b"abc")
    allowed = other_api.call(
        "baseEntry", "updateContent", entryId=theirs, resource=_resource(_token(other_api, b"y"))
    )
    assert allowed["replacementStatus"] == 1  # the switch is per partner
    sb.set_entry_replacement(True)
    again = api.call(
        "baseEntry", "updateContent", entryId=ready, resource=_resource(_token(api, b"x"))
    )
    assert again["replacementStatus"] == 1
    other_api.close()


def test_update_content_entry_types(api: Api) -> None:
    document = api.call(
        "baseEntry", "add", entry={"objectType": "KalturaDocumentEntry", "name": "d"}
    )
    via_media = api.call(
        "media", "updateContent", entryId=document["id"], resource=_resource(_token(api, b"x"))
    )
    assert is_error(via_media, "ENTRY_ID_NOT_FOUND")
    data = api.call("baseEntry", "add", entry={"objectType": "KalturaDataEntry", "name": "d"})
    unsupported = api.call(
        "baseEntry", "updateContent", entryId=data["id"], resource=_resource(_token(api, b"x"))
    )
    assert is_error(unsupported, "ENTRY_TYPE_NOT_SUPPORTED") and unsupported["args"] == {
        "ENTRY_TYPE": "6"
    }
