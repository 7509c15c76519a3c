"""``media.cancelReplace``: a pending replacement dropped, the entry keeping its content."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error

DELAY = 30.0


@pytest.fixture
def slow() -> Iterator[Sandbox]:
    with Sandbox(transcode_delay=DELAY, final_chunk_wait=1.0) as sandbox:
        yield sandbox


def _token(api: Api, data: bytes, final: bool = True) -> str:
    token = str(
        api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})["id"]
    )
    api.upload(token, data, final=final, resume_at=0, filename="new.mp4")
    return token


def _resource(token: str) -> dict[str, str]:
    return {"objectType": "KalturaUploadedFileTokenResource", "token": token}


def test_cancel_replace_drops_the_temporary_entry(slow: Sandbox) -> None:
    api = Api(slow, slow.ks())
    entry = api.new_entry("lecture")
    api.call(
        "baseEntry", "addContent", entryId=entry["id"], resource=_resource(_token(api, b"old"))
    )
    slow.clock.advance(DELAY + 1)
    pending = api.call(
        "baseEntry",
        "updateContent",
        entryId=entry["id"],
        resource=_resource(_token(api, b"new part", final=False)),
    )
    temp_id = pending["replacingEntryId"]
    cancelled = api.call("media", "cancelReplace", entryId=entry["id"])
    assert cancelled["objectType"] == "KalturaMediaEntry"
    assert "replacingEntryId" not in cancelled and cancelled["replacementStatus"] == 0
    assert is_error(api.call("baseEntry", "get", entryId=temp_id), "ENTRY_ID_NOT_FOUND")
    assert httpx.get(cancelled["downloadUrl"]).content == b"old"  # the content it had
    again = api.call(
        "baseEntry", "updateContent", entryId=entry["id"], resource=_resource(_token(api, b"v3"))
    )
    assert again["replacementStatus"] == 1  # a new replacement may start
    nothing = api.call("media", "cancelReplace", entryId=entry["id"])
    assert nothing["replacementStatus"] == 0
    assert api.call("media", "cancelReplace", entryId=entry["id"])["replacementStatus"] == 0
    api.close()


def test_cancel_replace_refusals(slow: Sandbox) -> None:
    api = Api(slow, slow.ks())
    missing = api.call("media", "cancelReplace", entryId="0_nothere")
    assert is_error(missing, "ENTRY_ID_NOT_FOUND")
    document = api.call(
        "baseEntry", "add", entry={"objectType": "KalturaDocumentEntry", "name": "d"}
    )
    wrong = api.call("media", "cancelReplace", entryId=document["id"])
    assert is_error(wrong, "INVALID_ENTRY_TYPE")
    assert wrong["args"] == {
        "ENTRY_NAME": document["id"],
        "WRONG_ENTRY_TYPE": "10",
        "RIGHT_ENTRY_TYPE": "1",
    }
    base = api.call("baseEntry", "cancelReplace", entryId=document["id"])
    assert is_error(base, "ACTION_DOES_NOT_EXISTS")
    api.close()
