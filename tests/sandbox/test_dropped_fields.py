"""Fields a role may not write are dropped silently: the call succeeds, the field stays null, and
only a response header says so (``KalturaObject::validateForInsert`` / ``validateForUpdate``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error, user_api

HEADER = "KalturaBaseEntry-referenceId-error"
INSERT_MESSAGE = (
    'Current user does not have permission to insert property "KalturaMediaEntry::referenceId"'
)
UPDATE_MESSAGE = (
    'Current user does not have permission to update property "KalturaMediaEntry::referenceId"'
)
ENTRY = {"objectType": "KalturaMediaEntry", "name": "clip", "mediaType": 1}


def _post(api: Api, service: str, action: str, **params: Any) -> httpx.Response:
    body = {"format": 1, "ks": api.ks, **params}
    response = api.http.post(f"/service/{service}/action/{action}", json=body)
    assert response.status_code == 200
    return response


def test_a_user_session_adding_a_reference_id_has_it_dropped_with_a_header(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    response = _post(ann, "baseEntry", "add", entry={**ENTRY, "referenceId": "ref-1"})
    entry = response.json()
    assert entry["objectType"] == "KalturaMediaEntry"  # the call succeeded
    assert entry.get("referenceId") is None
    assert response.headers[HEADER] == INSERT_MESSAGE
    stored = ann.call("baseEntry", "get", entryId=entry["id"])
    assert stored.get("referenceId") is None


def test_the_rest_of_the_entry_is_written(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    entry = ann.call(
        "baseEntry", "add", entry={**ENTRY, "referenceId": "ref-1", "description": "kept"}
    )
    assert entry["description"] == "kept"
    assert entry["name"] == "clip"


def test_an_admin_session_keeps_the_reference_id_and_gets_no_header(api: Api) -> None:
    response = _post(api, "baseEntry", "add", entry={**ENTRY, "referenceId": "ref-1"})
    assert response.json()["referenceId"] == "ref-1"
    assert HEADER not in response.headers


def test_a_user_session_updating_a_reference_id_has_it_dropped(sb: Sandbox, api: Api) -> None:
    ann = user_api(sb, "ann")
    entry = ann.new_entry()
    change = {"objectType": "KalturaMediaEntry", "referenceId": "ref-2"}
    response = _post(ann, "baseEntry", "update", entryId=entry["id"], baseEntry=change)
    assert response.json().get("referenceId") is None
    assert response.headers[HEADER] == UPDATE_MESSAGE
    # clearing it is a change too: dropped as well, and the admin's value stays
    api.call("baseEntry", "update", entryId=entry["id"], baseEntry={"referenceId": "ref-admin"})
    cleared = _post(
        ann, "baseEntry", "update", entryId=entry["id"], baseEntry={"referenceId__null": ""}
    )
    assert cleared.json()["referenceId"] == "ref-admin"
    # without an objectType the object is the declared KalturaBaseEntry, and the message says so
    expected = UPDATE_MESSAGE.replace("KalturaMediaEntry", "KalturaBaseEntry")
    assert cleared.headers[HEADER] == expected


def test_an_unchanged_reference_id_is_not_dropped_nor_reported(sb: Sandbox, api: Api) -> None:
    ann = user_api(sb, "ann")
    entry = ann.new_entry()
    api.call("baseEntry", "update", entryId=entry["id"], baseEntry={"referenceId": "same"})
    response = _post(
        ann,
        "baseEntry",
        "update",
        entryId=entry["id"],
        baseEntry={"objectType": "KalturaMediaEntry", "referenceId": "same", "name": "renamed"},
    )
    assert response.json()["referenceId"] == "same"
    assert response.json()["name"] == "renamed"
    assert HEADER not in response.headers


def test_a_too_short_reference_id_is_refused_before_the_drop(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    refused = ann.call("baseEntry", "add", entry={**ENTRY, "referenceId": "x"})
    assert is_error(refused, "PROPERTY_VALIDATION_MIN_LENGTH")


def test_add_from_uploaded_file_drops_it_too(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    token = ann.call("uploadToken", "add")
    ann.upload(token["id"], b"data")
    response = _post(
        ann,
        "media",
        "addFromUploadedFile",
        mediaEntry={**ENTRY, "referenceId": "ref-3"},
        uploadTokenId=token["id"],
    )
    assert response.json().get("referenceId") is None
    assert response.headers[HEADER] == INSERT_MESSAGE


def test_in_a_multirequest_the_header_comes_with_the_whole_answer(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    body = {
        "format": 1,
        "ks": ann.ks,
        "1": {"service": "baseEntry", "action": "add", "entry": {**ENTRY, "referenceId": "r1"}},
        "2": {"service": "baseEntry", "action": "get", "entryId": "{1:result:id}"},
    }
    response = ann.http.post("/service/multirequest", json=body)
    added, fetched = response.json()
    assert added.get("referenceId") is None and fetched.get("referenceId") is None
    assert fetched["id"] == added["id"]
    assert response.headers[HEADER] == INSERT_MESSAGE


def test_in_xml_the_element_is_empty_and_the_header_is_sent(sb: Sandbox) -> None:
    ann = user_api(sb, "ann")
    form = {
        "ks": ann.ks or "",
        "entry:objectType": "KalturaMediaEntry",
        "entry:name": "xml",
        "entry:mediaType": "1",
        "entry:referenceId": "ref-xml",
    }
    response = ann.http.post("/service/baseEntry/action/add", data=form)
    assert response.headers["content-type"] == "text/xml"
    result = ET.fromstring(response.content).find("result")
    assert result is not None and result.find("id") is not None
    reference = result.find("referenceId")
    assert reference is None or not (reference.text or "")
    assert response.headers[HEADER] == INSERT_MESSAGE


def test_a_role_with_the_permission_keeps_the_reference_id(sb: Sandbox) -> None:
    role = sb.add_role(
        "ingest", ["BASE_USER_SESSION_PERMISSION", "CONTENT_INGEST_REFERENCE_MODIFY"]
    )
    ingest = user_api(sb, "ann", privileges=f"setrole:{role}")
    response = _post(ingest, "baseEntry", "add", entry={**ENTRY, "referenceId": "kept"})
    assert response.json()["referenceId"] == "kept"
    assert HEADER not in response.headers


def test_an_admin_session_with_a_narrow_role_has_it_dropped(sb: Sandbox) -> None:
    role = sb.add_role("uploader", "CONTENT_INGEST_UPLOAD,CONTENT_MANAGE_BASE")
    narrow = Api(sb, sb.ks(user_id="svc", privileges=f"setrole:{role}"))
    response = _post(narrow, "baseEntry", "add", entry={**ENTRY, "referenceId": "ref"})
    assert response.json().get("referenceId") is None
    assert response.headers[HEADER] == INSERT_MESSAGE


def test_a_user_session_start_date_on_add_is_dropped_not_refused(sb: Sandbox) -> None:
    # the server drops it while reading the object, before its admin-only check runs
    ann = user_api(sb, "ann")
    response = _post(ann, "baseEntry", "add", entry={**ENTRY, "startDate": 2_000_000_000})
    assert response.json().get("startDate") is None
    assert response.headers["KalturaBaseEntry-startDate-error"] == (
        'Current user does not have permission to insert property "KalturaMediaEntry::startDate"'
    )


def test_a_role_without_metadata_permissions_cannot_rename(sb: Sandbox, api: Api) -> None:
    role = sb.add_role("ingest-only", ["CONTENT_INGEST_UPLOAD"])
    ingest = user_api(sb, "ann", privileges=f"setrole:{role}")
    entry = ingest.new_entry("first")
    assert entry["name"] == "first"  # name is checked on update only
    response = _post(
        ingest, "baseEntry", "update", entryId=entry["id"], baseEntry={"name": "second"}
    )
    assert response.json()["name"] == "first"
    assert "KalturaBaseEntry-name-error" in response.headers


def test_a_category_editor_without_category_users_rights_loses_privacy(sb: Sandbox) -> None:
    role = sb.add_role("categories", ["CONTENT_MANAGE_EDIT_CATEGORIES"])
    editor = Api(sb, sb.ks(user_id="svc", privileges=f"setrole:{role}"))
    category = {"objectType": "KalturaCategory", "name": "Closed", "privacy": 3}
    response = _post(editor, "category", "add", category=category)
    assert response.json()["name"] == "Closed"
    assert response.headers["KalturaCategory-privacy-error"] == (
        'Current user does not have permission to insert property "KalturaCategory::privacy"'
    )
    admin = Api(sb, sb.ks(user_id="svc"))
    kept = _post(admin, "category", "add", category={**category, "name": "Also closed"})
    assert kept.json()["name"] == "Also closed"
    assert "KalturaCategory-privacy-error" not in kept.headers
