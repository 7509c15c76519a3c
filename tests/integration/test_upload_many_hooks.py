"""What ``kaltura-mm upload`` needs from ``upload_many``: saved states, per-file start and end.

The command hands every file to one ``upload_many`` batch (so small files are batched): a file
with a saved partial state must resume from it, the journal must hear each file start and end as
it happens, and after Ctrl-C no file may start. Run under both clients against the sandbox.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kaltura_mm.errors import UploadCancelledError
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.result import UploadOutcome
from tests.integration.upload_support import (
    KIB,
    Run,
    entries_with_reference,
    media,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(chunk_size=128 * KIB, edge_size=64 * KIB, concurrency=2)


def _partial(run: Run, request: UploadRequest) -> UploadState:
    """Upload ``request`` until the server confirmed a chunk, then cancel; return the state."""
    stop = threading.Event()

    def on_state(state: UploadState) -> None:
        if state.bytes_confirmed > 0:
            stop.set()

    options = UploadOptions(
        chunk_size=128 * KIB, edge_size=64 * KIB, concurrency=1, keep_on_cancel=True
    )
    with pytest.raises(UploadCancelledError) as cancelled:
        run(upload_file(request, options, on_state=on_state, cancel=stop))
    state = cancelled.value.state
    assert isinstance(state, UploadState) and 0 < state.bytes_confirmed < state.fingerprint.size
    return state


def test_a_saved_state_resumes_beside_fresh_files(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Hooks")
    big = UploadRequest(path=media(tmp_path, "big.mp4", 900 * KIB), category_ids=(category,))
    saved = _partial(run, big)
    fresh = [
        UploadRequest(path=media(tmp_path, f"s{i}.mp4", 20 * KIB + i), category_ids=(category,))
        for i in range(3)
    ]
    events: list[tuple[str, str]] = []
    ended: list[UploadOutcome] = []

    def on_outcome(outcome: UploadOutcome) -> None:
        events.append(("end", outcome.request.path.name))
        ended.append(outcome)

    outcomes = run(
        upload_many(
            [big, *fresh],
            OPTIONS,
            max_files_in_flight=2,
            states=[saved, None, None, None],
            on_start=lambda r: events.append(("start", r.path.name)),
            on_outcome=on_outcome,
        )
    )
    assert all(o.ok for o in outcomes), [str(o.error) for o in outcomes]
    resumed = outcomes[0].result
    assert resumed is not None and resumed.entry_id == saved.entry_id
    assert resumed.bytes_resumed == saved.bytes_confirmed
    assert resumed.bytes_sent == big.path.stat().st_size - saved.bytes_confirmed
    for name in ("big.mp4", "s0.mp4", "s1.mp4", "s2.mp4"):
        assert events.index(("start", name)) < events.index(("end", name))
    assert sorted(o.request.path.name for o in ended) == ["big.mp4", "s0.mp4", "s1.mp4", "s2.mp4"]
    for outcome in outcomes:
        assert outcome.result is not None
        url = outcome.result.entry.download_url
        assert url and sha256_download(url) == sha256_file(outcome.request.path)
    assert len(entries_with_reference(run, saved.reference_id)) == 1


def test_nothing_starts_once_cancelled(run: Run, kaltura_sandbox: Sandbox, tmp_path: Path) -> None:
    category = kaltura_sandbox.create_category("Hooks")
    requests = [
        UploadRequest(path=media(tmp_path, f"c{i}.mp4", 20 * KIB + i), category_ids=(category,))
        for i in range(3)
    ]
    stop = threading.Event()
    stop.set()
    started: list[UploadRequest] = []
    ended: list[UploadOutcome] = []
    flow = upload_many(
        requests, OPTIONS, cancel=stop, on_start=started.append, on_outcome=ended.append
    )
    outcomes = run(flow)
    assert started == []
    assert len(ended) == 3
    for outcome in outcomes:
        assert isinstance(outcome.error, UploadCancelledError)
        assert "not started" in str(outcome.error)
    assert kaltura_sandbox.stats.calls[("baseentry", "add")] == 0
    assert kaltura_sandbox.stats.calls[("uploadtoken", "add")] == 0


def test_categories_read_by_the_caller_are_not_read_again(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Checked")
    files = [
        UploadRequest(path=media(tmp_path, f"c{i}.mp4", 20 * KIB + i), category_ids=(category,))
        for i in range(2)
    ]
    kaltura_sandbox.stats.reset()
    outcomes = run(upload_many(files, OPTIONS, categories_checked=True))
    assert all(o.ok for o in outcomes)
    assert kaltura_sandbox.stats.calls[("category", "get")] == 0
    unchecked = UploadRequest(path=media(tmp_path, "u.mp4", 30 * KIB), category_ids=(category,))
    run(upload_many([unchecked], OPTIONS))
    assert kaltura_sandbox.stats.calls[("category", "get")] == 1  # the default reads them
