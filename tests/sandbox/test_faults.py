"""Faults on demand: HTTP errors, resets, stalls, ACTION_BLOCKED, throttling, latency, bandwidth,
short KS lifetimes, and determinism with a seed."""

from __future__ import annotations

import time

import httpx
import pytest

from kaltura_mm.sandbox import Sandbox
from tests.sandbox.helpers import Api, is_error


def test_http_errors_only_where_injected(sb: Sandbox, api: Api) -> None:
    sb.faults.inject(service="baseEntry", action="list", rate=1.0, kinds=("http503",))
    response = api.http.post("/service/baseentry/action/list", json={"ks": api.ks, "format": 1})
    assert response.status_code == 503
    assert api.call("baseEntry", "count") == 0
    sb.faults.clear()
    assert api.call("baseEntry", "list")["totalCount"] == 0


def test_reset_mid_body(sb: Sandbox, api: Api) -> None:
    sb.faults.inject(service="uploadtoken", action="upload", kinds=("reset",))
    token = api.call("uploadToken", "add")
    with pytest.raises(httpx.TransportError):
        api.upload(token["id"], b"x" * 2_000_000)
    sb.faults.clear()
    assert api.call("uploadToken", "get", uploadTokenId=token["id"])["status"] == 0


def test_stall_past_the_client_timeout(sb: Sandbox, api: Api) -> None:
    sb.faults.inject(service="baseentry", action="count", kinds=("stall",))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            sb.service_url + "/api_v3/service/baseentry/action/count",
            json={"ks": api.ks, "format": 1},
            timeout=0.3,
        )


def test_action_blocked_and_throttle(sb: Sandbox, api: Api) -> None:
    sb.faults.inject(service="baseentry", action="get", kinds=("action_blocked",))
    blocked = api.call("baseEntry", "get", entryId="0_x")
    assert is_error(blocked, "ACTION_BLOCKED")
    sb.faults.clear()
    sb.faults.throttle(service="baseentry", action="count", per_second=3)
    results = [api.call("baseEntry", "count") for _ in range(5)]
    assert results[:3] == [0, 0, 0]
    assert all(is_error(r, "ACTION_BLOCKED") for r in results[3:])
    time.sleep(1.05)
    assert api.call("baseEntry", "count") == 0


def test_lost_response_runs_the_call_but_never_answers(sb: Sandbox, api: Api) -> None:
    sb.faults.inject(service="baseentry", action="add", kinds=("lost_response",))
    entry = {"objectType": "KalturaMediaEntry", "name": "made-but-unanswered", "mediaType": 1}
    with pytest.raises(httpx.TransportError):
        api.call("baseEntry", "add", entry=entry)
    sb.faults.clear()
    sb.index.settle()  # lists lag writes: wait for the index before checking
    listed = api.call(
        "baseEntry", "list", filter={"nameEqual": "made-but-unanswered", "statusIn": "7"}
    )
    assert listed["totalCount"] == 1


def test_small_answers_are_not_paced_as_whole_blocks(sb: Sandbox, api: Api) -> None:
    sb.faults.bandwidth = 100_000  # a 1 MiB block would take 10 s; a count answer is a few bytes
    started = time.monotonic()
    assert api.call("baseEntry", "count") == 0
    assert time.monotonic() - started < 2


def test_latency_and_bandwidth(sb: Sandbox, api: Api) -> None:
    sb.faults.latency = 0.2
    started = time.monotonic()
    api.call("baseEntry", "count")
    assert time.monotonic() - started >= 0.2
    sb.faults.latency = 0
    sb.faults.bandwidth = 1_000_000
    token = api.call("uploadToken", "add")
    started = time.monotonic()
    api.upload(token["id"], b"y" * 500_000)
    assert time.monotonic() - started >= 0.45


def test_short_ks_lifetime_from_session_start(sb: Sandbox) -> None:
    sb.faults.ks_lifetime = 5
    anonymous = Api(sb, None)
    ks = anonymous.call(
        "session", "start", secret=sb.admin_secret, partnerId=sb.partner_id, type=2, expiry=86400
    )
    api = Api(sb, ks)
    assert api.call("baseEntry", "count") == 0
    sb.clock.advance(6)
    expired = api.call("baseEntry", "count")
    assert is_error(expired, "INVALID_KS") and expired["args"]["KSID"] == "EXPIRED"


def _pattern(seed: int) -> list[int]:
    with Sandbox(seed=seed) as sb:
        sb.faults.inject(service="baseentry", action="count", rate=0.5, kinds=("http500",))
        with httpx.Client(base_url=sb.service_url) as http:
            return [
                http.post(
                    "/api_v3/service/baseentry/action/count", json={"ks": sb.ks(), "format": 1}
                ).status_code
                for _ in range(20)
            ]


def test_faults_are_deterministic_with_a_seed() -> None:
    first = _pattern(7)
    assert first == _pattern(7)
    assert 200 in first and 500 in first


def test_bad_fault_settings_are_refused(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kinds"):
        sb.faults.inject(kinds=("explode",))
    with pytest.raises(ValueError, match="rate"):
        sb.faults.inject(rate=2)
