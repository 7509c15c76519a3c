"""Uploads through injected faults end with every file present exactly once and intact.

Also: KS expiry mid-upload, cancel (clean or kept for resume), a file changed during upload.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import attrs
import pytest

from kaltura_mm.config import RetryPolicy, Timeouts
from kaltura_mm.errors import FileChangedError, UploadCancelledError, UploadError
from kaltura_mm.runtime.effects import single
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.one import resume_upload, upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from kaltura_mm.upload.result import UploadProgress
from tests.integration.upload_support import (
    KIB,
    MIB,
    RequestCounter,
    Run,
    config,
    counted_run,
    entries_with_reference,
    losing_run,
    media,
    runner,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(180)
OPTIONS = UploadOptions(
    chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=4, backoff_base=0.02, backoff_cap=0.2
)
FAST_TIMEOUTS = Timeouts(connect=2.0, read=0.4, write=2.0, pool=5.0)


def _intact_once(run: Run, result: Any, path: Path) -> None:
    assert [e.id for e in entries_with_reference(run, result.reference_id)] == [result.entry.id]
    assert sha256_download(result.entry.download_url) == sha256_file(path)


# ACTION_BLOCKED is covered by the throttle test below (the sandbox accepts the
# "action_blocked" fault kind but does not apply it yet).
@pytest.mark.parametrize("kind", ["reset", "http503", "http500", "stall"])
def test_chunk_faults_are_survived(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path, kind: str
) -> None:
    category = kaltura_sandbox.create_category("Faults")
    path = media(tmp_path, "clip.mp4", 2 * MIB + 777)
    kaltura_sandbox.faults.stall_seconds = 1.0
    kaltura_sandbox.faults.inject(service="uploadToken", action="upload", rate=0.3, kinds=(kind,))
    request = UploadRequest(path=path, category_ids=(category,))
    kaltura_sandbox.stats.reset()
    result = run(upload_file(request, OPTIONS), timeouts=FAST_TIMEOUTS)
    requests = kaltura_sandbox.stats.http_requests
    kaltura_sandbox.faults.clear()
    _intact_once(run, result, path)
    # Without faults: category check + lookup + create (carrying the head) + 8 middle parts +
    # tail + verify = 13 requests.
    assert requests > 13


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_chunk_is_attempted_at_most_max_attempts_times(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    # The client would retry a 503 four times; chunks are retried by the upload flow alone.
    path = media(tmp_path, "clip.mp4", MIB)
    kaltura_sandbox.faults.inject(service="uploadToken", action="upload", kinds=("http503",))
    options = attrs.evolve(OPTIONS, concurrency=1, max_attempts=3)
    quick = RetryPolicy(attempts=4, initial_backoff=0.01, max_backoff=0.02, jitter=0.01)
    counter = RequestCounter()
    with pytest.raises(UploadError, match=r"failed \(3x\)") as caught:
        flow = upload_file(UploadRequest(path=path), options)
        counted_run(mode, config(kaltura_sandbox, retry=quick), flow, counter)
    # The head rode in the create request; the first middle chunk then failed three times.
    assert counter.sent["uploadtoken/upload"] == 3
    assert caught.value.state is not None  # kept for resume_upload


def test_throttling_slows_the_pace_instead_of_failing(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 3 * MIB)
    kaltura_sandbox.faults.throttle(service="uploadToken", action="upload", per_second=8)
    result = run(upload_file(UploadRequest(path=path), OPTIONS))
    kaltura_sandbox.faults.clear()
    _intact_once(run, result, path)


@pytest.mark.parametrize("size", [30 * KIB, 1 * MIB], ids=["one-part", "chunked"])
def test_a_category_link_the_limiter_blocked_in_the_create_request_is_added_again(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path, size: int
) -> None:
    # One link per 2 s window: the first upload takes it, so the second's create request has its
    # categoryEntry.add blocked while the items after it ran. Blocked is "not run": add it again.
    category = kaltura_sandbox.create_category("Throttled")
    first, second = (media(tmp_path, f"{n}.mp4", size + n) for n in (1, 2))
    kaltura_sandbox.faults.throttle(service="categoryEntry", action="add", limit=1, window=2.0)
    requests = [UploadRequest(path=p, category_ids=(category,)) for p in (first, second)]
    results = [run(upload_file(request, OPTIONS)) for request in requests]
    assert kaltura_sandbox.stats.blocked[("categoryentry", "add")] >= 1
    kaltura_sandbox.faults.clear()
    for path, result in zip((first, second), results, strict=True):
        _intact_once(run, result, path)
        entry = run(single(base_entry.get(result.entry.id)))
        assert str(category) in (entry.categories_ids or "").split(",")


def test_a_failing_create_is_never_duplicated(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    paths = [media(tmp_path, f"f{i}.mp3", 30 * KIB) for i in range(6)]
    kaltura_sandbox.faults.inject(service="multirequest", rate=0.4, kinds=("reset", "http503"))
    outcomes = run(upload_many([UploadRequest(path=p) for p in paths], OPTIONS, 3))
    kaltura_sandbox.faults.clear()
    assert all(o.ok for o in outcomes), [str(o.error) for o in outcomes]
    for outcome in outcomes:
        assert outcome.result is not None
        _intact_once(run, outcome.result, outcome.request.path)


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
@pytest.mark.parametrize("size", [30 * KIB, 1 * MIB], ids=["one-part", "chunked"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_create_that_ran_but_whose_answer_was_lost_is_not_repeated(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path, size: int
) -> None:
    # The server made the entry and took the first part (for a one-part file: all of it), then
    # the answer was lost. The upload must find that entry, not make a second: by its receipt
    # token (an exact read), never by a list of the lagging search index.
    path = media(tmp_path, "clip.mp4", size)
    counter = RequestCounter()
    flow = upload_file(UploadRequest(path=path), OPTIONS)
    result = losing_run(mode, config(kaltura_sandbox), flow, counter)
    assert counter.sent["multirequest"] >= 1 and counter.sent["uploadtoken/list"] == 2
    assert counter.sent["baseentry/list"] == 0
    _intact_once(runner(mode, kaltura_sandbox), result, path)


class RenewableKs:
    """A KS provider whose first KS the test expires, counting renewals."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.ks = sandbox.ks(expiry=60)
        self.renewals = 0

    def current(self) -> str:
        return self.ks

    def renew(self) -> bool:
        self.renewals += 1
        self.ks = self.sandbox.ks(expiry=3600)
        return True


def test_an_expiring_ks_is_renewed_mid_upload(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 2 * MIB)
    provider = RenewableKs(kaltura_sandbox)

    def expire_once(progress: UploadProgress) -> None:
        if 0 < progress.bytes_done < progress.bytes_total and not provider.renewals:
            kaltura_sandbox.clock.advance(120)  # the server now sees the first KS expired

    options = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, progress_interval=0.001)
    flow = upload_file(UploadRequest(path=path), options, on_progress=expire_once)
    result = run(flow, ks_provider=provider, admin_secret=None)
    assert provider.renewals >= 1
    _intact_once(run, result, path)


def _cancel_after_first_ack(event: threading.Event) -> Any:
    def watch(progress: UploadProgress) -> None:
        if progress.bytes_done > 0:
            event.set()

    return watch


def test_cancel_deletes_what_was_made(run: Run, kaltura_sandbox: Sandbox, tmp_path: Path) -> None:
    path = media(tmp_path, "clip.mp4", 3 * MIB)
    cancel = threading.Event()
    options = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, progress_interval=0.001)
    flow = upload_file(
        UploadRequest(path=path),
        options,
        on_progress=_cancel_after_first_ack(cancel),
        cancel=cancel,
    )
    with pytest.raises(UploadCancelledError, match="deleted") as caught:
        run(flow)
    state = caught.value.state
    assert state is not None and entries_with_reference(run, state.reference_id) == []


def test_cancel_can_keep_the_upload_for_resume(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 3 * MIB)
    cancel = threading.Event()
    options = UploadOptions(
        chunk_size=256 * KIB, edge_size=64 * KIB, progress_interval=0.001, keep_on_cancel=True
    )
    flow = upload_file(
        UploadRequest(path=path),
        options,
        on_progress=_cancel_after_first_ack(cancel),
        cancel=cancel,
    )
    with pytest.raises(UploadCancelledError, match="kept") as caught:
        run(flow)
    state = caught.value.state
    assert state is not None and state.token_id and state.confirmed_offsets
    result = run(resume_upload(state, options))
    assert result.bytes_resumed >= state.bytes_confirmed
    assert result.bytes_sent + result.bytes_resumed >= path.stat().st_size
    _intact_once(run, result, path)


def test_a_file_modified_during_upload_is_aborted_and_cleaned_up(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 3 * MIB)

    def modify(progress: UploadProgress) -> None:
        if progress.bytes_done > 0:
            with open(path, "ab") as handle:
                handle.write(b"more")

    options = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, progress_interval=0.001)
    with pytest.raises(FileChangedError, match="changed during the upload") as caught:
        run(upload_file(UploadRequest(path=path), options, on_progress=modify))
    state = caught.value.state
    assert state is not None and entries_with_reference(run, state.reference_id) == []


def test_resuming_a_changed_file_is_refused(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 1 * MIB)
    cancel = threading.Event()
    options = UploadOptions(
        chunk_size=256 * KIB, edge_size=64 * KIB, progress_interval=0.001, keep_on_cancel=True
    )
    flow = upload_file(
        UploadRequest(path=path),
        options,
        on_progress=_cancel_after_first_ack(cancel),
        cancel=cancel,
    )
    with pytest.raises(UploadCancelledError) as caught:
        run(flow)
    path.write_bytes(b"x" * (1 * MIB))
    with pytest.raises(FileChangedError, match="changed since the upload was saved"):
        run(resume_upload(caught.value.state, options))  # type: ignore[arg-type]
