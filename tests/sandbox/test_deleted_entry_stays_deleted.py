"""Regression (found by the reliability suite's bad-input table): an entry deleted while its
upload is in flight must stay deleted when the token completes, not come back to life."""

from __future__ import annotations

from tests.sandbox.helpers import Api, is_error


def test_token_completing_after_the_entry_was_deleted_keeps_it_deleted(api: Api) -> None:
    entry = api.new_entry("deleted mid-upload")
    token = api.call(
        "uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken", "fileSize": 20}
    )
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}
    api.call("baseEntry", "updateContent", entryId=entry["id"], resource=resource)
    first = api.upload(token["id"], b"a" * 10, final=False)
    assert first["objectType"] == "KalturaUploadToken", first
    assert api.call("baseEntry", "delete", entryId=entry["id"]) is None

    last = api.upload(token["id"], b"b" * 10, resume=True, final=True, resume_at=10)
    assert last["objectType"] == "KalturaUploadToken", last

    assert is_error(api.call("baseEntry", "get", entryId=entry["id"]), "ENTRY_ID_NOT_FOUND")
    listed = api.call(
        "baseEntry",
        "list",
        filter={
            "objectType": "KalturaBaseEntryFilter",
            "idEqual": entry["id"],
            "statusIn": "0,1,2,7",
        },
    )
    assert listed["totalCount"] == 0
