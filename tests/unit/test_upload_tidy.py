"""Clean-up deletes of an upload: retried like any idempotent call, and never its end.

Against ``ScriptedKaltura``: the server refuses the connection more often than the client's own
retries allow; the delete still goes through, and one that never can is reported, not raised.
"""

from __future__ import annotations

from typing import Any

import httpx

from kaltura_mm.client import Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.errors import TransportError
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.testing import ScriptedKaltura, api_error
from kaltura_mm.upload.recover import Action, Decision
from kaltura_mm.upload.request import UploadOptions
from kaltura_mm.upload.tidy import delete_strays, delete_token

RETRY = RetryPolicy(attempts=3, initial_backoff=0.0, max_backoff=0.0, jitter=0.0)
OPTIONS = UploadOptions(max_attempts=4, backoff_base=0.001, backoff_cap=0.001)
REFUSED = TransportError("connection refused", may_have_reached_server=False)
GONE = api_error("UPLOAD_TOKEN_NOT_FOUND", "Upload token id [0_m] not found")
# What the server answers a delete with: a JSON null.
DONE = httpx.Response(200, content=b"null", headers={"Content-Type": "application/json"})


def _run(server: ScriptedKaltura, flow: Flow[Any]) -> Any:
    config = Config(service_url="http://127.0.0.1:9", ks="djJ8fixed", retry=RETRY)
    with Client(config, http_transport=server.transport()) as client:
        return client.run(flow)


def test_a_delete_outlasts_more_failures_than_the_clients_own_retries() -> None:
    server = ScriptedKaltura(*[("uploadToken.delete", REFUSED)] * 7, ("uploadToken.delete", DONE))
    _run(server, delete_token("0_m", OPTIONS))
    assert server.done  # the eighth attempt deleted it


def test_a_token_already_gone_counts_as_deleted() -> None:
    server = ScriptedKaltura(("uploadToken.delete", REFUSED), ("uploadToken.delete", GONE))
    _run(server, delete_token("0_m", OPTIONS))
    assert server.done


def test_strays_that_cannot_be_deleted_are_reported_and_keep_what_finds_them() -> None:
    decision = Decision(Action.EXISTING, stray_entries=("0_old",), stray_tokens=("0_r", "0_m"))
    server = ScriptedKaltura(*[("baseEntry.delete", REFUSED)] * 12)
    assert _run(server, delete_strays(decision, OPTIONS)) is False
    # the entry's receipt is what lets the next lookup find the entry: it was not deleted
    assert server.done and all(b"uploadTokenId" not in body for body in server.bodies)


def test_strays_go_entries_first_then_every_token() -> None:
    decision = Decision(Action.EXISTING, stray_entries=("0_old",), stray_tokens=("0_r", "0_m"))
    server = ScriptedKaltura(
        ("baseEntry.delete", DONE),
        ("uploadToken.delete", REFUSED),
        ("uploadToken.delete", DONE),
        ("uploadToken.delete", GONE),
    )
    assert _run(server, delete_strays(decision, OPTIONS)) is True
    assert server.done
