"""How many files ``upload_many`` runs at once: one-part files by requests, the rest by files.

A file of one part is one request, so up to ``max_requests_in_flight`` of them run at once
(default ``max_files_in_flight`` x ``options.concurrency``); files of several parts run
``max_files_in_flight`` at a time, as before. Counted where a user can see it: the most
requests the sandbox held open at once, under a latency long enough for requests to overlap.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from tests.integration.upload_support import KIB, Run, media, sha256_download, sha256_file

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(chunk_size=128 * KIB, edge_size=64 * KIB, concurrency=2)


def _files(folder: Path, count: int, category: int, size: int = 10 * KIB) -> list[UploadRequest]:
    """Return ``count`` requests of files of about ``size`` bytes (each a different size)."""
    paths = [media(folder, f"f{size}-{i}.mp4", size + i) for i in range(count)]
    return [UploadRequest(path=p, category_ids=(category,)) for p in paths]


def _peak(run: Run, sandbox: Sandbox, requests: list[UploadRequest], **limits: int) -> int:
    sandbox.faults.latency = 0.3  # each request stays open long enough to overlap the others
    sandbox.stats.reset()
    outcomes = run(upload_many(requests, OPTIONS, **limits))
    assert [o.error for o in outcomes] == [None] * len(requests)
    for outcome in outcomes:
        assert outcome.result is not None
        served = sha256_download(outcome.result.entry.download_url)
        assert served == sha256_file(outcome.request.path)
    return sandbox.stats.peak_requests


def test_one_part_files_run_up_to_the_requests_in_flight(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    requests = _files(tmp_path, 12, kaltura_sandbox.create_category("Many"))
    peak = _peak(run, kaltura_sandbox, requests, max_files_in_flight=2, max_requests_in_flight=8)
    assert 2 < peak <= 8  # not held to two files at a time; never past the budget


def test_the_request_budget_defaults_to_files_times_chunks(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    requests = _files(tmp_path, 8, kaltura_sandbox.create_category("Many"))
    peak = _peak(run, kaltura_sandbox, requests, max_files_in_flight=1)
    assert 1 < peak <= 1 * OPTIONS.concurrency


def test_files_of_several_parts_still_run_by_files(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    large = _files(tmp_path, 3, kaltura_sandbox.create_category("Many"), 600 * KIB)
    peak = _peak(run, kaltura_sandbox, large, max_files_in_flight=1, max_requests_in_flight=8)
    assert peak <= OPTIONS.concurrency  # one file at a time, its chunks two at a time
