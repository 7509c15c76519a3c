"""``both``: one test body run under the sync and the async client against the sandbox."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from kaltura_mm import AsyncClient, Client
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.testing import config_for

Both = Callable[[Callable[[Any], Any]], Any]


async def _resolved(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    if isinstance(value, AsyncIterator):
        return [item async for item in value]
    return value


def under(mode: str, sandbox: Sandbox, **overrides: Any) -> Both:
    """Return ``run(use)``: ``use(client)`` under the ``mode`` client, its value resolved."""
    config = config_for(sandbox, **overrides)

    def run(use: Callable[[Any], Any]) -> Any:
        if mode == "sync":
            with Client(config) as client:
                value = use(client)
                return list(value) if isinstance(value, Iterator) else value

        async def main() -> Any:
            async with AsyncClient(config) as client:
                return await _resolved(use(client))

        return asyncio.run(main())

    return run
