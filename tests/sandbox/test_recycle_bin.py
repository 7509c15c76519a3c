"""The recycle bin: ``baseEntry.recycle`` / ``restoreRecycled`` as ``BaseEntryService`` has them."""

from __future__ import annotations

from typing import Any

import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error, user_api


@pytest.fixture
def kind() -> Any:
    with Sandbox(transcode_delay=0.05, final_chunk_wait=1.0, index_lag=0) as sandbox:
        sandbox.set_partner_feature("FEATURE_RECYCLE_BIN")
        yield sandbox


def _linked(api: Api) -> tuple[str, int]:
    entry = api.new_entry("lecture")
    cat = api.call("category", "add", category={"objectType": "KalturaCategory", "name": "C"})
    link = {"objectType": "KalturaCategoryEntry", "entryId": entry["id"], "categoryId": cat["id"]}
    api.call("categoryEntry", "add", categoryEntry=link)
    return str(entry["id"]), int(cat["id"])


def _listed(api: Api, **flt: Any) -> list[str]:
    page = api.call("baseEntry", "list", filter={"objectType": "KalturaBaseEntryFilter", **flt})
    return [e["id"] for e in page["objects"]]


def _links(api: Api, category_id: int) -> list[str]:
    flt = {"objectType": "KalturaCategoryEntryFilter", "categoryIdEqual": category_id}
    return [o["entryId"] for o in api.call("categoryEntry", "list", filter=flt)["objects"]]


def test_recycle_hides_the_entry_from_list_and_keeps_its_category_link(kind: Sandbox) -> None:
    api = Api(kind, kind.ks(user_id="admin@example.com"))
    entry_id, cat = _linked(api)
    recycled = api.call("baseEntry", "recycle", entryId=entry_id)
    assert recycled["displayInSearch"] == -2
    assert entry_id not in _listed(api, statusIn="0,1,2,4,7")
    assert entry_id in _listed(api, idIn=entry_id, statusIn="0,1,2,4,7")  # ids: found
    assert api.call("baseEntry", "get", entryId=entry_id)["displayInSearch"] == -2
    assert _links(api, cat) == [entry_id]  # the link stays
    again = api.call("baseEntry", "recycle", entryId=entry_id)
    assert is_error(again, "INVALID_ENTRY_STATUS_FOR_RECYCLE")


def test_restore_brings_it_back_listed_and_still_in_its_category(kind: Sandbox) -> None:
    api = Api(kind, kind.ks(user_id="admin@example.com"))
    entry_id, cat = _linked(api)
    assert is_error(
        api.call("baseEntry", "restoreRecycled", entryId=entry_id),
        "INVALID_ENTRY_STATUS_FOR_RESTORE",
    )
    api.call("baseEntry", "recycle", entryId=entry_id)
    back = api.call("baseEntry", "restoreRecycled", entryId=entry_id)
    assert back["displayInSearch"] == 1
    assert entry_id in _listed(api, statusIn="0,1,2,4,7")
    assert _links(api, cat) == [entry_id]


def test_recycle_needs_the_partner_feature_restore_does_not(kind: Sandbox) -> None:
    api = Api(kind, kind.ks(user_id="admin@example.com"))
    entry_id, _ = _linked(api)
    api.call("baseEntry", "recycle", entryId=entry_id)
    kind.set_partner_feature("FEATURE_RECYCLE_BIN", False)
    other = api.new_entry("other")
    refused = api.call("baseEntry", "recycle", entryId=other["id"])
    assert is_error(refused, "FEATURE_RECYCLE_BIN_DISABLED")
    assert api.call("baseEntry", "restoreRecycled", entryId=entry_id)["displayInSearch"] == 1


def test_unknown_entry_and_a_user_session(kind: Sandbox) -> None:
    api = Api(kind, kind.ks(user_id="admin@example.com"))
    assert is_error(api.call("baseEntry", "recycle", entryId="0_nothere"), "ENTRY_ID_NOT_FOUND")
    user = user_api(kind, "bob")
    entry_id, _ = _linked(api)
    # a USER session holds BASE_USER_SESSION_PERMISSION: the server lets it recycle (no
    # @validateUser on the action)
    assert user.call("baseEntry", "recycle", entryId=entry_id)["displayInSearch"] == -2


def test_an_entry_recycled_past_the_retention_period_is_deleted(kind: Sandbox) -> None:
    api = Api(kind, kind.ks(user_id="admin@example.com"))
    entry_id, cat = _linked(api)
    api.call("baseEntry", "recycle", entryId=entry_id)
    kind.clock.advance(31 * 86_400)
    api = Api(kind, kind.ks(user_id="admin@example.com"))  # the first KS expired meanwhile
    gone = api.call("baseEntry", "restoreRecycled", entryId=entry_id)
    assert is_error(gone, "ENTRY_ID_NOT_FOUND")
    assert _links(api, cat) == []
