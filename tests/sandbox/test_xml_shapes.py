"""``format=2`` as the real server writes it, checked against real recordings in
``tests/payloads/real-*.xml``: byte for byte where the content is the same, element names, order
and emptiness where the object differs only in its data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api

TIME = re.compile(rb"<executionTime>[0-9.E+-]+</executionTime>")
# Properties a real READY video has that the sandbox cannot know: frame size, last play.
DATA_ONLY = {"width", "height", "lastPlayedAt"}


def _xml(api: Api, service: str, action: str, **params: object) -> bytes:
    response = api.http.post(
        f"/service/{service}/action/{action}", json={"ks": api.ks, "format": 2, **params}
    )
    assert response.headers["content-type"] == "text/xml"
    return response.content


def _same_but_time(ours: bytes, real: bytes) -> None:
    assert TIME.search(ours) and TIME.search(real)
    assert TIME.sub(b"", ours) == TIME.sub(b"", real.strip())


def _shape(document: bytes) -> list[tuple[str, bool]]:
    result = ET.fromstring(document).find("result")
    assert result is not None
    return [(child.tag, not (child.text or len(child))) for child in result]


def test_an_error_is_byte_for_byte_the_recorded_one(api: Api, payloads: Path) -> None:
    real = (payloads / "real-nz-media-get-error-not-found.xml").read_bytes()
    _same_but_time(_xml(api, "media", "get", entryId="waffleman"), real)


def test_an_empty_list_is_byte_for_byte_the_recorded_one(api: Api, payloads: Path) -> None:
    real = (payloads / "real-nz-media-list-empty.xml").read_bytes()
    _same_but_time(_xml(api, "media", "list"), real)


def test_a_ready_media_entry_has_the_recorded_elements_in_order(
    sb: Sandbox, api: Api, payloads: Path
) -> None:
    entry_id = api.ready_entry(bytes(2000))
    api.call(
        "baseEntry",
        "update",
        entryId=entry_id,
        baseEntry={"adminTags": "a,b", "description": "d", "referenceId": "ref-1"},
    )
    api.call("baseEntry", "update", entryId=entry_id, baseEntry={"startDate": 1457703000})
    ours = _shape(_xml(api, "media", "get", entryId=entry_id))
    real = _shape((payloads / "real-nz-media-get.xml").read_bytes())
    names = [name for name, _ in ours]
    positions = [names.index(name) for name, _ in real]  # every recorded element is there...
    assert positions == sorted(positions)  # ...in the recorded order
    assert names[0] == "objectType" and names[-1] == "relatedObjects"
    emptiness = dict(ours)
    differing = {name for name, empty in real if emptiness[name] != empty} - DATA_ONLY
    assert differing == set(), f"empty in one, set in the other: {sorted(differing)}"


def test_ignore_null_leaves_null_properties_out(api: Api) -> None:
    entry = api.new_entry()
    full = _xml(api, "baseEntry", "get", entryId=entry["id"])
    lean = api.http.post(
        "/service/baseEntry/action/get",
        json={"ks": api.ks, "entryId": entry["id"], "ignoreNull": 1},
    ).content
    assert b"<groupId></groupId>" in full and b"<relatedObjects></relatedObjects>" in full
    assert b"<groupId>" not in lean and b"<relatedObjects>" not in lean
    assert b"<tags></tags>" in lean  # an empty string is not null


def test_other_objects_end_with_related_objects_and_keep_nulls(sb: Sandbox, api: Api) -> None:
    category = api.call("category", "add", category={"name": "Shapes"})
    token = api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
    cat_xml = _xml(api, "category", "get", id=category["id"])
    names = [name for name, _ in _shape(cat_xml)]
    assert names[:5] == ["objectType", "id", "parentId", "depth", "partnerId"]
    assert names[-4:] == [
        "isAggregationCategory",
        "aggregationCategories",
        "adminTags",
        "relatedObjects",
    ]
    assert names.index("owner") + 1 == names.index("directEntriesCount")
    token_shape = _shape(_xml(api, "uploadToken", "get", uploadTokenId=token["id"]))
    assert ("uploadedFileSize", True) in token_shape and ("autoFinalize", False) in token_shape
    assert token_shape[-1] == ("relatedObjects", True)
