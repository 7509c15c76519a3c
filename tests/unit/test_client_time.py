"""Clients take a clock and a random source (issue 18 A): ``Client(clock=..., random=...)``.

On ``VirtualTime`` a run's backoffs pass at once and are counted on the clock; the same seed
gives the same pauses; the defaults are the real clock and a fresh ``Random``.
"""

from __future__ import annotations

import asyncio
import time
from random import Random
from typing import Any

import pytest

from kaltura_mm import AsyncClient, Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.runtime.clock import SystemTime, VirtualTime
from kaltura_mm.runtime.effects import Flow, single
from kaltura_mm.services import base_entry
from kaltura_mm.testing import ScriptedKaltura, api_error

BLOCKED = api_error("ACTION_BLOCKED", "Action is blocked")
ENTRY = {"id": "0_a", "name": "a", "objectType": "KalturaMediaEntry"}
SLOW = RetryPolicy(attempts=4, throttled_attempts=4, initial_backoff=20.0, max_backoff=60.0)


def _run(mode: str, server: ScriptedKaltura, flow: Flow[Any], **chosen: Any) -> Any:
    config = Config(service_url="http://127.0.0.1:9", ks="djJ8fixed", retry=SLOW)
    if mode == "sync":
        with Client(config, http_transport=server.transport(), **chosen) as client:
            return client.run(flow)

    async def main() -> Any:
        async with AsyncClient(config, http_transport=server.async_transport(), **chosen) as c:
            return await c.run(flow)

    return asyncio.run(main())


def _blocked_twice() -> ScriptedKaltura:
    return ScriptedKaltura(
        ("baseEntry.get", BLOCKED), ("baseEntry.get", BLOCKED), ("baseEntry.get", ENTRY)
    )


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_backoffs_pass_on_a_virtual_clock_in_no_real_time(mode: str) -> None:
    clock = VirtualTime(start=1_000.0)
    started = time.monotonic()
    entry = _run(mode, _blocked_twice(), single(base_entry.get("0_a")), clock=clock)
    assert entry.id == "0_a"
    assert 60.0 <= clock.slept <= 61.0  # 20 s then 40 s, plus at most 0.5 s of jitter each
    assert clock.now() == 1_000.0 + clock.slept
    assert time.monotonic() - started < 5.0  # not the minute it stands for


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_same_seed_gives_the_same_pauses(mode: str) -> None:
    slept = []
    for seed in (7, 7, 8):
        clock = VirtualTime()
        _run(
            mode, _blocked_twice(), single(base_entry.get("0_a")), clock=clock, random=Random(seed)
        )
        slept.append(clock.slept)
    assert slept[0] == slept[1] != slept[2]


def test_the_defaults_are_the_real_ones() -> None:
    client = Client(service_url="http://127.0.0.1:9", ks="djJ8fixed")
    assert isinstance(client._clock, SystemTime) and isinstance(client._random, Random)
    assert abs(client._clock.now() - time.monotonic()) < 1.0
