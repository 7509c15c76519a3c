"""The chunks in flight are the ones asked for: ``UploadOptions.concurrency`` under the client's
default ``max_concurrency``; an explicit lower client limit wins, and the client says so.

Counted at the HTTP transport: the most ``uploadToken.upload`` requests open at once.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config
from kaltura_mm.flows.upload import upload_file
from kaltura_mm.protocol.upload_request import UploadOptions, UploadRequest
from kaltura_mm.sandbox import Sandbox
from tests.integration.upload_support import KIB, media, sha256_download, sha256_file

pytestmark = pytest.mark.timeout(60)
# 64 KiB head and tail around 12 middle chunks of 256 KiB: two full rounds of 6.
OPTIONS = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=6)
SIZE = 12 * 256 * KIB + 128 * KIB


class _Peak:
    """Counts chunk requests open at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.peak = 0

    def enter(self, request: httpx.Request) -> bool:
        if b"/uploadtoken/action/upload" not in request.url.raw_path:
            return False
        with self.lock:
            self.open += 1
            self.peak = max(self.peak, self.open)
        return True

    def leave(self) -> None:
        with self.lock:
            self.open -= 1


class _CountingTransport(httpx.HTTPTransport):
    def __init__(self, peak: _Peak) -> None:
        super().__init__()
        self.peak = peak

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        counted = self.peak.enter(request)
        try:
            response = super().handle_request(request)
            response.read()
            return response
        finally:
            if counted:
                self.peak.leave()


class _AsyncCountingTransport(httpx.AsyncHTTPTransport):
    def __init__(self, peak: _Peak) -> None:
        super().__init__()
        self.peak = peak

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        counted = self.peak.enter(request)
        try:
            response = await super().handle_async_request(request)
            await response.aread()
            return response
        finally:
            if counted:
                self.peak.leave()


def _upload(mode: str, config: Config, path: Path) -> tuple[Any, int]:
    peak = _Peak()
    flow = upload_file(UploadRequest(path=path), OPTIONS)
    if mode == "sync":
        with Client(config, http_transport=_CountingTransport(peak)) as client:
            return client.run(flow), peak.peak

    async def main() -> Any:
        async with AsyncClient(config, http_transport=_AsyncCountingTransport(peak)) as client:
            return await client.run(flow)

    return asyncio.run(main()), peak.peak


def _config(sandbox: Sandbox, **overrides: Any) -> Config:
    return Config(
        service_url=sandbox.service_url,
        partner_id=sandbox.partner_id,
        admin_secret=sandbox.admin_secret,
        **overrides,
    )


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_default_client_runs_every_chunk_the_upload_asks_for(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    kaltura_sandbox.faults.latency = 0.1  # each request stays open long enough to overlap
    path = media(tmp_path, "clip.mp4", SIZE)
    result, peak = _upload(mode, _config(kaltura_sandbox), path)
    assert peak == OPTIONS.concurrency
    assert sha256_download(result.entry.download_url) == sha256_file(path)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_lower_client_limit_wins_and_is_logged(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kaltura_sandbox.faults.latency = 0.1
    path = media(tmp_path, "clip.mp4", SIZE)
    with caplog.at_level(logging.INFO, logger="kaltura_mm.client"):
        result, peak = _upload(mode, _config(kaltura_sandbox, max_concurrency=2), path)
    assert peak == 2
    assert "max_concurrency=2" in caplog.text
    assert sha256_download(result.entry.download_url) == sha256_file(path)
