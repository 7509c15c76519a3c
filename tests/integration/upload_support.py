"""Helpers for the upload integration tests: run a flow under either client, make media, check.

Test media are random bytes with a real extension, written under pytest's tmp_path.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.models import BaseEntryFilter, EntryStatus, Pager
from kaltura_mm.runtime.clock import TimeSource
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry
from tests.integration.simulated_time import SandboxTime

KIB = 1024
MIB = 1024 * 1024


def config(sandbox: Sandbox, **overrides: Any) -> Config:
    """Return a client config for the sandbox with quick retries."""
    values: dict[str, Any] = {
        "service_url": sandbox.service_url,
        "partner_id": sandbox.partner_id,
        "admin_secret": sandbox.admin_secret,
        "retry": RetryPolicy(attempts=2, initial_backoff=0.01, max_backoff=0.05, jitter=0.01),
        "max_concurrency": 4,
    }
    return Config(**(values | overrides))


class Runner:
    """``run(flow, **config_overrides)`` under the sync or the async client, against a sandbox."""

    def __init__(self, mode: str, sandbox: Sandbox) -> None:
        """Run flows under the ``mode`` ("sync"/"async") client against ``sandbox``."""
        self.mode = mode
        self.sandbox = sandbox
        self.clock: TimeSource | None = SandboxTime(sandbox)  # None: real time

    def __call__(self, flow: Flow[Any], ks_provider: Any = None, **overrides: Any) -> Any:
        """Run ``flow`` to its result."""
        settings = config(self.sandbox, **overrides)
        if self.mode == "sync":
            with Client(settings, ks_provider=ks_provider, clock=self.clock) as client:
                return client.run(flow)

        async def main() -> Any:
            async with AsyncClient(settings, ks_provider=ks_provider, clock=self.clock) as client:
                return await client.run(flow)

        return asyncio.run(main())


Run = Runner


def runner(mode: str, sandbox: Sandbox) -> Run:
    """Return ``run(flow, **config_overrides)`` under the sync or the async client."""
    return Runner(mode, sandbox)


def media(folder: Path, name: str, size: int) -> Path:
    """Write ``size`` random bytes to ``folder/name`` and return the path."""
    path = folder / name
    with open(path, "wb") as handle:
        left = size
        while left:
            block = os.urandom(min(left, 4 * MIB))
            handle.write(block)
            left -= len(block)
    return path


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(4 * MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_download(url: str) -> str:
    """Return the hex sha256 of the bytes served at ``url`` (redirects followed, streamed)."""
    digest = hashlib.sha256()
    with httpx.stream("GET", url, follow_redirects=True, timeout=60) as response:
        response.raise_for_status()
        for block in response.iter_bytes():
            digest.update(block)
    return digest.hexdigest()


def entries_with_reference(run: Run, reference_id: str) -> list[Any]:
    """Return every non-deleted entry carrying ``reference_id``, whatever its status.

    Lists lag writes (the search index): a check of what the server holds waits for it first,
    as a test against the real server polls until its writes show.
    """
    run.sandbox.index.settle()
    wanted = BaseEntryFilter(
        reference_id_equal=reference_id,
        status_in=tuple(s for s in EntryStatus if s is not EntryStatus.DELETED),
    )
    page = run(_single(base_entry.list(wanted, Pager(page_size=50))))
    return list(page.objects)


def _single(call: Any) -> Flow[Any]:
    result = yield call
    return result


class RequestCounter:
    """Counts requests by API path at the HTTP transport, and the most open at once per path."""

    def __init__(self) -> None:
        """Start with nothing counted."""
        self.lock = threading.Lock()
        self.sent: Counter[str] = Counter()
        self.open: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()

    def enter(self, request: httpx.Request) -> str:
        """Count ``request`` as sent and open; return its key (``service/action``)."""
        path = request.url.path.split("/service/", 1)[-1].lower()
        key = path.replace("/action/", "/")
        with self.lock:
            self.sent[key] += 1
            self.open[key] += 1
            self.peak[key] = max(self.peak[key], self.open[key])
        return key

    def leave(self, key: str) -> None:
        """Count the request ``key`` as answered."""
        with self.lock:
            self.open[key] -= 1


class CountingTransport(httpx.HTTPTransport):
    """The sync httpx transport, counted by a ``RequestCounter``."""

    def __init__(self, counter: RequestCounter) -> None:
        """Count into ``counter``."""
        super().__init__()
        self.counter = counter

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, counting it open until its body is read."""
        key = self.counter.enter(request)
        try:
            response = super().handle_request(request)
            response.read()
            return response
        finally:
            self.counter.leave(key)


class AsyncCountingTransport(httpx.AsyncHTTPTransport):
    """The async httpx transport, counted by a ``RequestCounter``."""

    def __init__(self, counter: RequestCounter) -> None:
        """Count into ``counter``."""
        super().__init__()
        self.counter = counter

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, counting it open until its body is read."""
        key = self.counter.enter(request)
        try:
            response = await super().handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.counter.leave(key)


def counted_run(mode: str, config: Config, flow: Flow[Any], counter: RequestCounter) -> Any:
    """Run ``flow`` under the sync or async client, counting its requests into ``counter``."""
    if mode == "sync":
        with Client(config, http_transport=CountingTransport(counter)) as client:
            return client.run(flow)

    async def main() -> Any:
        transport = AsyncCountingTransport(counter)
        async with AsyncClient(config, http_transport=transport) as client:
            return await client.run(flow)

    return asyncio.run(main())


class AnswerLosingTransport(CountingTransport):
    """Delivers the first ``lose`` multiRequests, then drops their answers (outcome unknown)."""

    def __init__(self, counter: RequestCounter, lose: int = 1) -> None:
        """Lose the answers of the first ``lose`` multiRequests."""
        super().__init__(counter)
        self.lose = lose

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; for a multiRequest still to lose, raise once the server answered."""
        response = super().handle_request(request)
        if self.lose and request.url.path.endswith("/service/multirequest"):
            self.lose -= 1
            raise httpx.ReadError("connection lost after the server answered", request=request)
        return response


class AsyncAnswerLosingTransport(AsyncCountingTransport):
    """The async ``AnswerLosingTransport``."""

    def __init__(self, counter: RequestCounter, lose: int = 1) -> None:
        """Lose the answers of the first ``lose`` multiRequests."""
        super().__init__(counter)
        self.lose = lose

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; for a multiRequest still to lose, raise once the server answered."""
        response = await super().handle_async_request(request)
        if self.lose and request.url.path.endswith("/service/multirequest"):
            self.lose -= 1
            raise httpx.ReadError("connection lost after the server answered", request=request)
        return response


def losing_run(mode: str, config: Config, flow: Flow[Any], counter: RequestCounter) -> Any:
    """Run ``flow`` with the first multiRequest's answer lost after the server ran it."""
    if mode == "sync":
        with Client(config, http_transport=AnswerLosingTransport(counter)) as client:
            return client.run(flow)

    async def main() -> Any:
        transport = AsyncAnswerLosingTransport(counter)
        async with AsyncClient(config, http_transport=transport) as client:
            return await client.run(flow)

    return asyncio.run(main())
