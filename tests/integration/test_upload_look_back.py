"""The last look asks for a small page of the newest tokens and pages back only as far as the
run's earlier listings reach (issue 20): an entry another run made in between is still found."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaltura_mm.client import Client
from kaltura_mm.protocol.calls import MultiRequest
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import upload_token
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from kaltura_mm.upload.seen import LOOK_PAGE
from tests.integration.upload_support import KIB, config, entries_with_reference, media, runner

pytestmark = pytest.mark.timeout(120)
SIZE = 30 * KIB
OPTIONS = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=2)


def _tokens_of_the_size(sandbox: Sandbox, count: int, name: str) -> None:
    """Make ``count`` open tokens of the file's size that carry no upload's names."""
    with Client(config(sandbox)) as client:
        for start in range(0, count, 50):
            batch = MultiRequest()
            for i in range(start, min(count, start + 50)):
                batch.add(upload_token.add(f"{name}-{i}.mp4", SIZE))
            client.multi(batch)


@pytest.mark.kaltura_sandbox(index_lag=0.0)
def test_an_entry_made_behind_more_than_a_page_of_newer_tokens_is_found(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", SIZE)
    request = UploadRequest(path=path)
    # tokens of the size before the run: its lookup lists them all, up to the newest second
    _tokens_of_the_size(kaltura_sandbox, 3, "older")
    kaltura_sandbox.clock.advance(5)
    _tokens_of_the_size(kaltura_sandbox, 3, "old")
    theirs: list[str] = []

    def another_run_first(_: UploadRequest) -> None:  # the lookup is done; the create is not
        kaltura_sandbox.clock.advance(5)
        with Client(config(kaltura_sandbox)) as client:
            theirs.append(client.run(upload_file(request, OPTIONS)).entry_id)
        # more newer tokens than the look's first page holds (a second later: ties keep no order)
        kaltura_sandbox.clock.advance(2)
        _tokens_of_the_size(kaltura_sandbox, LOOK_PAGE + 50, "newer")

    run = runner("sync", kaltura_sandbox)
    (outcome,) = run(upload_many([request], OPTIONS, on_start=another_run_first))
    assert outcome.result is not None, outcome.error
    # the other run's entry is the older complete one: it is the upload, the second is deleted
    assert [outcome.result.entry_id] == theirs
    assert [e.id for e in entries_with_reference(run, outcome.result.reference_id)] == theirs
    assert kaltura_sandbox.stats.calls[("baseentry", "add")] == 2
    assert kaltura_sandbox.stats.calls[("baseentry", "delete")] == 1


@pytest.mark.kaltura_sandbox(index_lag=0.0)
def test_a_run_of_one_size_looks_last_once_a_file(kaltura_sandbox: Sandbox, tmp_path: Path) -> None:
    # files of one size: each last look finds the others' tokens, none under its own names
    paths = [media(tmp_path, f"s{i}.mp4", SIZE) for i in range(30)]
    kaltura_sandbox.stats.reset()
    run = runner("sync", kaltura_sandbox)
    outcomes = run(upload_many(paths, OPTIONS, max_files_in_flight=6))
    assert all(o.ok for o in outcomes)
    calls = kaltura_sandbox.stats.calls
    assert calls[("uploadtoken", "list")] == 1 + 30  # the lookup, then one look a file
    assert calls[("uploadtoken", "delete")] == 30  # each marker, once
    # each marker once decided, carried by a later file's create (the last six in flight: alone)
    assert kaltura_sandbox.stats.http_requests <= 1 + 30 + 6
