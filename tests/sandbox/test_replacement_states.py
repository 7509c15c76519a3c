"""Replacement approval (``FEATURE_ENTRY_REPLACEMENT_APPROVAL``, ``media.approveReplace``) and
failed conversions (``replacementStatus`` FAILED until ``media.cancelReplace``), as
``kFlowHelper::handleEntryReplacement`` and ``KalturaEntryService::approveReplace`` do."""

from __future__ import annotations

import json
import subprocess
import sys
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


def _resource(api: Api, data: bytes) -> dict[str, str]:
    token = api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
    api.upload(token["id"], data, filename="new.mp4")
    return {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}


def _ready(sb: Sandbox, api: Api, data: bytes) -> str:
    entry = api.new_entry("lecture")
    api.call("baseEntry", "addContent", entryId=entry["id"], resource=_resource(api, data))
    sb.clock.advance(DELAY + 1)
    assert api.call("baseEntry", "get", entryId=entry["id"])["status"] == 2
    return str(entry["id"])


def _get(api: Api, entry_id: str) -> dict[str, Any]:
    got: dict[str, Any] = api.call("baseEntry", "get", entryId=entry_id)
    return got


def test_with_approval_a_converted_replacement_waits_for_approve_replace(slow: Sandbox) -> None:
    api = Api(slow, slow.ks(user_id="editor"))
    entry_id = _ready(slow, api, b"old content")
    slow.set_replacement_approval(True)
    started = api.call(
        "baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"new content")
    )
    assert started["replacementStatus"] == 3  # NOT_READY_AND_NOT_APPROVED
    temp_id = started["replacingEntryId"]
    slow.clock.advance(DELAY + 1)
    waiting = _get(api, entry_id)
    assert waiting["replacementStatus"] == 2  # READY_BUT_NOT_APPROVED
    assert waiting["replacingEntryId"] == temp_id
    assert httpx.get(waiting["downloadUrl"]).content == b"old content"
    assert _get(api, temp_id)["status"] == 2  # converted, hidden, waiting
    slow.clock.advance(3600)
    assert _get(api, entry_id)["replacementStatus"] == 2  # it waits as long as it takes
    approved = api.call("media", "approveReplace", entryId=entry_id)
    assert approved["objectType"] == "KalturaMediaEntry"
    assert approved["replacementStatus"] == 0 and "replacingEntryId" not in approved
    assert httpx.get(approved["downloadUrl"]).content == b"new content"
    assert is_error(api.call("baseEntry", "get", entryId=temp_id), "ENTRY_ID_NOT_FOUND")
    again = api.call("media", "approveReplace", entryId=entry_id)
    assert is_error(again, "ENTRY_ID_NOT_REPLACED")
    assert again["message"] == f'Entry id "{entry_id}" not replaced'
    assert again["args"] == {"ENTRY_ID": entry_id}


def test_approving_before_the_conversion_ends_swaps_when_it_does(slow: Sandbox) -> None:
    api = Api(slow, slow.ks())
    entry_id = _ready(slow, api, b"old")
    slow.set_replacement_approval(True)
    api.call("baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"new"))
    early = api.call("media", "approveReplace", entryId=entry_id)
    assert early["replacementStatus"] == 1  # APPROVED_BUT_NOT_READY
    assert httpx.get(early["downloadUrl"]).content == b"old"
    slow.clock.advance(DELAY + 1)
    swapped = _get(api, entry_id)
    assert swapped["replacementStatus"] == 0
    assert httpx.get(swapped["downloadUrl"]).content == b"new"


def test_without_approval_the_flag_is_off_and_the_swap_is_automatic(slow: Sandbox) -> None:
    api = Api(slow, slow.ks())
    entry_id = _ready(slow, api, b"old")
    started = api.call(
        "baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"new")
    )
    assert started["replacementStatus"] == 1
    pending = api.call("media", "approveReplace", entryId=entry_id)  # nothing to do
    assert pending["replacementStatus"] == 1
    slow.clock.advance(DELAY + 1)
    assert _get(api, entry_id)["replacementStatus"] == 0
    assert is_error(api.call("media", "approveReplace", entryId=entry_id), "ENTRY_ID_NOT_REPLACED")
    assert is_error(
        api.call("baseEntry", "approveReplace", entryId=entry_id), "ACTION_DOES_NOT_EXISTS"
    )


def test_a_failed_conversion_leaves_the_replacement_failed_until_cancelled(
    slow: Sandbox,
) -> None:
    api = Api(slow, slow.ks())
    entry_id = _ready(slow, api, b"old")
    slow.faults.fail_conversions = True
    started = api.call(
        "baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"broken")
    )
    temp_id = started["replacingEntryId"]
    slow.clock.advance(DELAY + 1)
    failed = _get(api, entry_id)
    assert failed["replacementStatus"] == 4 and failed["replacingEntryId"] == temp_id
    assert failed["status"] == 2 and httpx.get(failed["downloadUrl"]).content == b"old"
    assert _get(api, temp_id)["status"] == -1  # ERROR_CONVERTING
    slow.faults.fail_conversions = False
    slow.clock.advance(3600)
    assert _get(api, entry_id)["replacementStatus"] == 4  # nothing clears it by itself
    blocked = api.call(
        "baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"retry")
    )
    assert is_error(blocked, "ENTRY_REPLACEMENT_ALREADY_EXISTS")
    assert blocked["message"] == "Entry already in replacement"
    refused = api.call("media", "approveReplace", entryId=entry_id)
    assert is_error(refused, "ENTRY_ID_NOT_REPLACED")
    cleared = api.call("media", "cancelReplace", entryId=entry_id)
    assert cleared["replacementStatus"] == 0 and "replacingEntryId" not in cleared
    assert is_error(api.call("baseEntry", "get", entryId=temp_id), "ENTRY_ID_NOT_FOUND")
    retried = api.call(
        "baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"retry")
    )
    assert retried["replacementStatus"] == 1
    slow.clock.advance(DELAY + 1)
    assert httpx.get(_get(api, entry_id)["downloadUrl"]).content == b"retry"


def test_pending_replacement_refuses_update_content(slow: Sandbox) -> None:
    api = Api(slow, slow.ks())
    entry_id = _ready(slow, api, b"old")
    slow.set_replacement_approval(True)
    api.call("baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"v2"))
    for _ in range(2):  # before and after its conversion
        again = api.call(
            "baseEntry", "updateContent", entryId=entry_id, resource=_resource(api, b"v3")
        )
        assert is_error(again, "ENTRY_REPLACEMENT_ALREADY_EXISTS")
        slow.clock.advance(DELAY + 1)


def test_fail_conversions_fails_new_entries_too() -> None:
    with Sandbox(transcode_delay=0, fail_conversions=True) as sb:
        api = Api(sb, sb.ks())
        entry = api.new_entry("clip")
        api.call("baseEntry", "addContent", entryId=entry["id"], resource=_resource(api, b"x"))
        assert _get(api, entry["id"])["status"] == -1
        api.close()


def test_serve_fail_conversions_flag() -> None:
    command = "from kaltura_mm.sandbox.cli import sandbox; sandbox()"
    args = ["serve", "--json", "--fail-conversions", "--transcode-delay", "0", "--kind"]
    process = subprocess.Popen([sys.executable, "-c", command, *args], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        url = f"{info['service_url']}/api_v3/service"

        def call(service: str, action: str, **params: Any) -> Any:
            return httpx.post(f"{url}/{service}/action/{action}", json={"format": 1, **params})

        ks = call(
            "session", "start", secret=info["admin_secret"], partnerId=info["partner_id"], type=2
        ).json()
        entry = call(
            "baseEntry",
            "add",
            ks=ks,
            entry={"objectType": "KalturaMediaEntry", "name": "c", "mediaType": 1},
        ).json()
        token = call("uploadToken", "add", ks=ks).json()
        upload = httpx.post(
            f"{url}/uploadtoken/action/upload",
            data={"format": "1", "ks": ks, "uploadTokenId": token["id"]},
            files={"fileData": ("clip.mp4", b"data")},
        )
        assert upload.json()["status"] == 2
        resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}
        call("baseEntry", "addContent", ks=ks, entryId=entry["id"], resource=resource)
        assert call("baseEntry", "get", ks=ks, entryId=entry["id"]).json()["status"] == -1
    finally:
        process.terminate()
        process.wait(timeout=15)
