"""A permanently blocked upload ends (issue 18 A): its chunks' blocked sends are counted.

The sandbox's rate limiter lets one ``uploadToken.upload`` through in an hour-long window, so
every later chunk is blocked for ever. Before, blocked chunks never counted as failures and such
an upload never ended; now a chunk is sent as often as the retry policy sends a blocked request
(``throttled_attempts``: ``--retries N`` gives N + 1), then the upload stops with an
``UploadError`` that keeps its token, and ``resume_upload`` finishes it once the limiter lets
go. The clients run on a virtual clock (``Client(clock=VirtualTime())``): the backoffs cost no
real time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import AsyncClient, Client
from kaltura_mm.config import RetryPolicy
from kaltura_mm.errors import UploadError
from kaltura_mm.runtime.clock import VirtualTime
from kaltura_mm.runtime.effects import Flow, single
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import upload_token
from kaltura_mm.testing import config_for
from kaltura_mm.upload.one import resume_upload, upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from tests.integration.upload_support import KIB, MIB, media, sha256_download, sha256_file

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=2)


def _run(mode: str, sandbox: Sandbox, clock: VirtualTime, sends: int, flow: Flow[Any]) -> Any:
    policy = RetryPolicy(attempts=sends, throttled_attempts=sends, patience_rounds=1)
    config = config_for(sandbox, retry=policy)
    if mode == "sync":
        with Client(config, clock=clock) as client:
            return client.run(flow)

    async def main() -> Any:
        async with AsyncClient(config, clock=clock) as client:
            return await client.run(flow)

    return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("retries", [0, 3])
def test_a_permanently_blocked_upload_ends_with_its_token_kept(
    mode: str, retries: int, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 2 * MIB + 5)
    kaltura_sandbox.faults.throttle("uploadToken", "upload", limit=1, window=3600)
    clock = VirtualTime()
    with pytest.raises(UploadError) as stopped:
        _run(
            mode,
            kaltura_sandbox,
            clock,
            retries + 1,
            upload_file(UploadRequest(path=path), OPTIONS),
        )
    error = stopped.value
    assert "ACTION_BLOCKED" in str(error) and f"({retries + 1}x)" in str(error)
    blocked = kaltura_sandbox.stats.blocked[("uploadtoken", "upload")]
    # each chunk in flight (at most the concurrency) sent at most retries + 1 times
    assert retries + 1 <= blocked <= OPTIONS.concurrency * (retries + 1)
    assert (clock.slept > 0) == (retries > 0)  # the backoffs ran on the virtual clock
    state = error.state
    assert isinstance(state, UploadState) and state.token_id
    token = _run(mode, kaltura_sandbox, clock, 1, single(upload_token.get(state.token_id)))
    assert token.id == state.token_id  # kept: the upload can go on

    kaltura_sandbox.faults.clear()
    result = _run(mode, kaltura_sandbox, clock, 4, resume_upload(state, OPTIONS))
    assert sha256_download(result.entry.download_url) == sha256_file(path)
