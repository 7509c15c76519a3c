"""multirequest over HTTP: numbering, references, inline failures, the first gap, files."""

from __future__ import annotations

import json

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error


def _multi(api: Api, body: dict[str, object]) -> list[object]:
    response = api.http.post("/service/multirequest", json={"format": 1, "ks": api.ks, **body})
    result: list[object] = response.json()
    return result


def test_widget_upload_with_references(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("Widget")
    results = _multi(
        api,
        {
            "0": {
                "service": "baseEntry",
                "action": "add",
                "entry": {"objectType": "KalturaMediaEntry", "name": "w", "mediaType": 1},
            },
            "1": {
                "service": "uploadToken",
                "action": "add",
                "uploadToken": {"objectType": "KalturaUploadToken", "fileName": "w.mp4"},
            },
            "2": {
                "service": "baseEntry",
                "action": "updateContent",
                "entryId": "{1:result:id}",
                "resource": {
                    "objectType": "KalturaUploadedFileTokenResource",
                    "token": "{2:result:id}",
                },
            },
            "3": {
                "service": "categoryEntry",
                "action": "add",
                "categoryEntry": {
                    "objectType": "KalturaCategoryEntry",
                    "entryId": "{1:result:id}",
                    "categoryId": category,
                },
            },
        },
    )
    entry, token, updated, link = results
    assert updated["id"] == entry["id"] and updated["status"] == 0  # type: ignore[index]
    assert link["entryId"] == entry["id"]  # type: ignore[index]
    assert (
        api.call("uploadToken", "get", uploadTokenId=token["id"])[  # type: ignore[index]
            "attachedObjectType"
        ]
        == "flavorAsset"
    )


def test_failures_inline_later_calls_run_and_references_to_failures_are_empty(api: Api) -> None:
    results = _multi(
        api,
        {
            "1": {"service": "baseEntry", "action": "get", "entryId": "0_nothing"},
            "2": {"service": "baseEntry", "action": "get", "entryId": "{1:result:id}"},
            "3": {"service": "baseEntry", "action": "count"},
        },
    )
    assert is_error(results[0], "ENTRY_ID_NOT_FOUND")
    assert results[1]["message"] == 'Entry id "" not found'  # type: ignore[index]
    assert results[2] == 0


def test_processing_stops_at_the_first_gap(api: Api) -> None:
    results = _multi(
        api,
        {
            "1": {"service": "baseEntry", "action": "count"},
            "2": {"service": "baseEntry", "action": "count"},
            "4": {"service": "baseEntry", "action": "count"},
        },
    )
    assert results == [0, 0]


def test_flat_keys_common_ks_and_session_reference(sb: Sandbox, api: Api) -> None:
    form = {
        "format": "1",
        "partnerId": str(sb.partner_id),
        "1:service": "session",
        "1:action": "start",
        "1:secret": sb.admin_secret,
        "1:type": "2",
        "2:service": "baseEntry",
        "2:action": "list",
        "2:ks": "{1:result}",
        "2:filter:objectType": "KalturaBaseEntryFilter",
    }
    results = api.http.post("/service/multirequest", data=form).json()
    assert results[0].startswith("djJ8")
    assert results[1]["objectType"] == "KalturaBaseEntryListResponse"


def test_all_paths_join_with_a_trailing_comma(sb: Sandbox, api: Api) -> None:
    category = sb.create_category("All")
    ids = sb.seed_entries(category, 2)
    results = _multi(
        api,
        {
            "1": {
                "service": "baseEntry",
                "action": "list",
                "filter": {"objectType": "KalturaBaseEntryFilter", "orderBy": "+createdAt"},
            },
            "2": {
                "service": "baseEntry",
                "action": "getByIds",
                "entryIds": "{1:result:objects:_all:id}",
            },
        },
    )
    assert sorted(e["id"] for e in results[1]) == sorted(ids)  # type: ignore[union-attr]


def test_chunk_upload_inside_a_multirequest(api: Api) -> None:
    params = {
        "format": 1,
        "ks": api.ks,
        "1": {"service": "uploadToken", "action": "add"},
        "2": {
            "service": "uploadToken",
            "action": "upload",
            "uploadTokenId": "{1:result:id}",
            "resume": False,
            "finalChunk": True,
        },
    }
    response = api.http.post(
        "/service/multirequest",
        data={"json": json.dumps(params)},
        files={"2:fileData": ("m.mp4", b"0123456789")},
    )
    token, uploaded = response.json()
    assert uploaded["status"] == 2 and uploaded["uploadedFileSize"] == "10"
    assert uploaded["id"] == token["id"]


def test_xml_multirequest(api: Api) -> None:
    response = api.http.post(
        "/service/multirequest",
        json={
            "ks": api.ks,
            "0": {"service": "baseEntry", "action": "count"},
            "1": {"service": "baseEntry", "action": "get"},
        },
    )
    assert "<result><item>0</item><item><error><objectType>KalturaAPIException</objectType>" in (
        response.text
    )
    assert "<code>MISSING_MANDATORY_PARAMETER</code>" in response.text
