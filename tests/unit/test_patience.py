"""Reads and clean-up deletes ride out an outage longer than the client's own retries.

Against ``ScriptedKaltura``: the server fails more often in a row than the client's own retries
allow (3 here); a listing's page, a batch's checks, an upload's category check and its clean-up
deletes still go through, and a clean-up delete that never can is reported, not raised.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kaltura_mm.client import Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.errors import ResponseError, ServiceForbiddenError, TransportError
from kaltura_mm.flows.entries import get_entries
from kaltura_mm.flows.listing import collect_entries
from kaltura_mm.flows.query import EntryQuery
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.testing import ScriptedKaltura, api_error
from kaltura_mm.upload.create import missing_categories
from kaltura_mm.upload.recover import Decision, RecoveryStep
from kaltura_mm.upload.request import UploadOptions
from kaltura_mm.upload.tidy import delete_strays, delete_token

RETRY = RetryPolicy(attempts=3, initial_backoff=0.0, max_backoff=0.0, jitter=0.0)
OPTIONS = UploadOptions(max_attempts=4, backoff_base=0.001, backoff_cap=0.001)
REFUSED = TransportError("connection refused", may_have_reached_server=False)
# A failure after the server was reached (a server that is there, and struggling).
RESET = TransportError("connection reset", may_have_reached_server=True)
GONE = api_error("UPLOAD_TOKEN_NOT_FOUND", "Upload token id [0_m] not found")
# What the server answers a delete with: a JSON null.
DONE = httpx.Response(200, content=b"null", headers={"Content-Type": "application/json"})


def _run(server: ScriptedKaltura, flow: Flow[Any]) -> Any:
    config = Config(service_url="http://127.0.0.1:9", ks="djJ8fixed", retry=RETRY)
    with Client(config, http_transport=server.transport()) as client:
        return client.run(flow)


def test_a_delete_outlasts_more_failures_than_the_clients_own_retries() -> None:
    # 5 failures: more than the client's own 3 attempts; a server that gave this run no answer
    # yet gets 2 rounds of them (one that worked before: 8, below)
    server = ScriptedKaltura(*[("uploadToken.delete", RESET)] * 5, ("uploadToken.delete", DONE))
    _run(server, delete_token("0_m", OPTIONS))
    assert server.done  # the sixth attempt deleted it


def test_a_token_already_gone_counts_as_deleted() -> None:
    server = ScriptedKaltura(("uploadToken.delete", REFUSED), ("uploadToken.delete", GONE))
    _run(server, delete_token("0_m", OPTIONS))
    assert server.done


def test_strays_that_cannot_be_deleted_are_reported_and_keep_what_finds_them() -> None:
    decision = Decision(
        RecoveryStep.EXISTING, stray_entries=("0_old",), stray_tokens=("0_r", "0_m")
    )
    server = ScriptedKaltura(*[("baseEntry.delete", RESET)] * 6)  # 2 rounds of 3 attempts
    assert _run(server, delete_strays(decision, OPTIONS)) is False
    # the entry's receipt is what lets the next lookup find the entry: it was not deleted
    assert server.done and all(b"uploadTokenId" not in body for body in server.bodies)


def test_strays_go_entries_first_then_every_token() -> None:
    decision = Decision(
        RecoveryStep.EXISTING, stray_entries=("0_old",), stray_tokens=("0_r", "0_m")
    )
    server = ScriptedKaltura(
        ("baseEntry.delete", DONE),
        ("uploadToken.delete", REFUSED),
        ("uploadToken.delete", DONE),
        ("uploadToken.delete", GONE),
    )
    assert _run(server, delete_strays(decision, OPTIONS)) is True
    assert server.done


GATEWAY = httpx.Response(
    504, content=b"<html><head><title>504 Gateway Time-out</title></head></html>"
)
CATEGORY = {
    "objectType": "KalturaCategory",
    "id": 2,
    "parentId": 1,
    "name": "Lectures",
    "fullName": "Sim>Lectures",
    "fullIds": "1>2",
}


def test_the_category_check_before_an_upload_outlasts_an_outage() -> None:
    # A read: an outage longer than the client's own retries must not end the upload unsent.
    server = ScriptedKaltura(*[("multirequest", GATEWAY)] * 5, ("multirequest", [CATEGORY]))
    assert _run(server, missing_categories((2,), OPTIONS)) == set()
    assert server.done


def test_the_category_check_still_names_a_missing_category() -> None:
    gone = api_error("CATEGORY_NOT_FOUND", "Category id [3] not found", {"CATEGORY_ID": "3"})
    server = ScriptedKaltura(("multirequest", GATEWAY), ("multirequest", [CATEGORY, gone]))
    assert _run(server, missing_categories((2, 3), OPTIONS)) == {3}


ENTRY_A = {"objectType": "KalturaMediaEntry", "id": "0_a", "createdAt": 100, "status": 2}
PAGE = {"objectType": "KalturaBaseEntryListResponse", "objects": [ENTRY_A], "totalCount": 1}
EMPTY = {"objectType": "KalturaBaseEntryListResponse", "objects": [], "totalCount": 0}


def test_a_listing_outlasts_a_page_failing_more_often_than_the_clients_retries() -> None:
    steps = [("baseEntry.list", GATEWAY)] * 2 + [("baseEntry.list", REFUSED)] * 3
    server = ScriptedKaltura(*steps, ("baseEntry.list", PAGE), ("baseEntry.list", EMPTY))
    assert [e.id for e in _run(server, collect_entries(EntryQuery()))] == ["0_a"]
    assert server.done


def test_a_listing_still_stops_at_an_api_error() -> None:
    refused = api_error("SERVICE_FORBIDDEN", "The access to service [baseEntry] is forbidden")
    server = ScriptedKaltura(("baseEntry.list", refused))
    with pytest.raises(ServiceForbiddenError):
        _run(server, collect_entries(EntryQuery()))
    assert len(server.requests) == 1  # the answer, not an outage: never sent again


def test_a_detachs_existence_check_outlasts_an_outage() -> None:
    server = ScriptedKaltura(*[("multirequest", GATEWAY)] * 4, ("multirequest", [[ENTRY_A]]))
    assert list(_run(server, get_entries(["0_a", "0_b"]))) == ["0_a"]
    assert server.done


def test_a_server_no_request_reached_fails_fast() -> None:
    server = ScriptedKaltura(*[("baseEntry.list", REFUSED)] * 3)  # a wrong URL, a server down
    with pytest.raises(TransportError, match="refused"):
        _run(server, collect_entries(EntryQuery()))
    assert server.done  # the client's own 3 attempts, no rounds of patience on top


def test_a_server_that_answered_before_gets_patience_when_it_refuses() -> None:
    steps = [("baseEntry.list", PAGE)] + [("baseEntry.list", REFUSED)] * 5  # restarting
    server = ScriptedKaltura(*steps, ("baseEntry.list", EMPTY))
    assert [e.id for e in _run(server, collect_entries(EntryQuery()))] == ["0_a"]
    assert server.done


def test_patience_rounds_of_one_send_a_call_as_often_as_the_policy_says() -> None:
    once = RetryPolicy(attempts=1, throttled_attempts=1, patience_rounds=1)
    server = ScriptedKaltura(("baseEntry.list", GATEWAY), ("baseEntry.list", PAGE))
    config = Config(service_url="http://127.0.0.1:9", ks="djJ8fixed", retry=once)
    with Client(config, http_transport=server.transport()) as client, pytest.raises(ResponseError):
        client.run(collect_entries(EntryQuery()))
    assert len(server.requests) == 1  # what `kaltura-mm --retries 0` promises


def test_a_server_that_never_gave_an_answer_gets_two_rounds_not_eight() -> None:
    server = ScriptedKaltura(*[("baseEntry.list", GATEWAY)] * 6)  # HTML 504 pages from the start
    with pytest.raises(ResponseError):
        _run(server, collect_entries(EntryQuery()))
    assert server.done  # 2 rounds of 3 attempts: a broken proxy is reported in seconds


def test_a_server_that_worked_gets_every_round() -> None:
    steps = [("baseEntry.list", PAGE)] + [("baseEntry.list", GATEWAY)] * 10
    server = ScriptedKaltura(*steps, ("baseEntry.list", EMPTY))
    assert [e.id for e in _run(server, collect_entries(EntryQuery()))] == ["0_a"]
    assert server.done  # 10 failures in a row: more than 2 rounds of 3, ridden out in the 4th
