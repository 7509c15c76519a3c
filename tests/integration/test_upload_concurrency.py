"""The chunks in flight are the ones asked for: ``UploadOptions.concurrency`` under the client's
default ``max_concurrency``; an explicit lower client limit wins, and the client says so.

Counted at the HTTP transport: the most ``uploadToken.upload`` requests open at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.config import Config
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from tests.integration.upload_support import (
    KIB,
    RequestCounter,
    counted_run,
    media,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(60)
# 64 KiB head and tail around 12 middle chunks of 256 KiB: two full rounds of 6.
OPTIONS = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=6)
SIZE = 12 * 256 * KIB + 128 * KIB


def _upload(mode: str, config: Config, path: Path) -> tuple[Any, int]:
    counter = RequestCounter()
    result = counted_run(mode, config, upload_file(UploadRequest(path=path), OPTIONS), counter)
    return result, counter.peak["uploadtoken/upload"]


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
