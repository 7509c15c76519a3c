"""Run a browse flow under ``Client`` or ``AsyncClient`` against the sandbox, the same way.

Every browse integration test takes the ``runner`` fixture, parametrized over both clients, so
each behaviour is proven under threads and under asyncio.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config
from kaltura_mm.runtime.clock import TimeSource
from kaltura_mm.runtime.effects import Emit, Flow, Stream
from kaltura_mm.sandbox import Sandbox
from tests.integration.simulated_time import SandboxTime


class Runner:
    """Runs flows with a sync or an async client configured for one sandbox."""

    def __init__(self, mode: str, config: Config, clock: TimeSource | None = None) -> None:
        self.mode = mode
        self.config = config
        self.clock = clock  # None: real time; a test of waits sets simulated time

    def run(self, flow: Flow[Any]) -> Any:
        """Run ``flow`` to its result."""
        if self.mode == "sync":
            with Client(self.config, clock=self.clock) as client:
                return client.run(flow)
        return asyncio.run(self._arun(flow))

    async def _arun(self, flow: Flow[Any]) -> Any:
        async with AsyncClient(self.config, clock=self.clock) as client:
            return await client.run(flow)

    def iterate(
        self, flow: Stream[Any], each: Callable[[Any], None] = lambda item: None
    ) -> list[Any]:
        """Collect what ``flow`` emits, calling ``each`` on every item as it arrives."""
        if self.mode == "sync":
            with Client(self.config, clock=self.clock) as client:
                items = []
                for item in client.iterate(flow):
                    each(item)
                    items.append(item)
                return items
        return asyncio.run(self._aiterate(flow, each))

    async def _aiterate(self, flow: Stream[Any], each: Callable[[Any], None]) -> list[Any]:
        async with AsyncClient(self.config, clock=self.clock) as client:
            items = []
            async for item in client.iterate(flow):
                each(item)
                items.append(item)
            return items


def admin_config(sb: Sandbox, **overrides: Any) -> Config:
    """Return a config holding the sandbox partner's admin secret."""
    return Config(
        service_url=sb.service_url,
        partner_id=sb.partner_id,
        admin_secret=sb.admin_secret,
        **overrides,
    )


@pytest.fixture(name="runner", params=["sync", "async"])
def runner_fixture(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Runner:
    """Return a runner for the sandbox under each client, on simulated time."""
    return Runner(request.param, admin_config(kaltura_sandbox), SandboxTime(kaltura_sandbox))


def _emits_two() -> Stream[int]:
    yield Emit(1)
    yield Emit(2)


def _answers() -> Flow[str]:
    return "done"
    yield  # a flow


def test_runner_streams_and_returns_under_both_clients(runner: Runner) -> None:
    assert runner.iterate(_emits_two()) == [1, 2]
    assert runner.run(_answers()) == "done"
    with pytest.raises(TypeError, match="iterate"):
        runner.run(_emits_two())  # type: ignore[arg-type]
