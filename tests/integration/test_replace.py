"""Replacing an entry's content, keeping the entry, under both clients against the sandbox."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import ApiError, UploadCancelledError, UploadOptions, UploadRequest
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.request import UploadState
from tests.cli.ground import in_category, open_tokens
from tests.integration.clients import Both, under

SMALL = UploadOptions(chunk_size=100_000, edge_size=50_000, concurrency=2)


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Both:
    return under(request.param, kaltura_sandbox)


def _file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def _ready_entry(both: Both, sb: Sandbox, folder: Path, category: int) -> str:
    path = _file(folder, "talk.mp4", 3_000)
    request = UploadRequest(path=path, category_ids=(category,))
    waiting = UploadOptions(wait_ready=True, ready_poll_interval=0.05)
    result = both(lambda c: c.upload(request, options=waiting))
    return str(result.entry_id)


def test_replace_keeps_the_entry_and_swaps_the_content(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Talks")
    entry_id = _ready_entry(both, kaltura_sandbox, tmp_path, category)
    old = kaltura_sandbox.entry_bytes(entry_id).read_bytes()
    new = _file(tmp_path, "talk-v2.mp4", 350_000)  # several chunks
    result = both(lambda c: c.replace(entry_id, new, SMALL))
    assert result.entry_id == entry_id and result.pending  # converting in a temporary entry
    assert kaltura_sandbox.entry_bytes(entry_id).read_bytes() == old  # old content meanwhile
    waited = both(
        lambda c: c.replace(entry_id, new, UploadOptions(wait_ready=True, ready_poll_interval=0.05))
    )
    # the same file again: its token (by name) is whole and attached, nothing is sent
    assert waited.bytes_sent == 0 and not waited.pending
    assert kaltura_sandbox.entry_bytes(entry_id).read_bytes() == new.read_bytes()
    assert in_category(kaltura_sandbox, category) == [entry_id]  # categories kept
    assert waited.entry.version == result.entry.version  # a video's: the swap leaves it
    assert open_tokens(kaltura_sandbox) == []


def test_a_forbidden_replacement_says_what_to_do_and_leaves_nothing_open(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Talks")
    entry_id = _ready_entry(both, kaltura_sandbox, tmp_path, category)
    kaltura_sandbox.set_entry_replacement(False)
    new = _file(tmp_path, "v2.mp4", 350_000)
    with pytest.raises(ApiError) as refused:
        both(lambda c: c.replace(entry_id, new, SMALL))
    assert refused.value.code == "FEATURE_FORBIDDEN"
    assert "ask Kaltura to enable entry replacement" in str(refused.value)
    assert kaltura_sandbox.stats.calls[("uploadtoken", "upload")] <= 2  # one part, not the file
    assert open_tokens(kaltura_sandbox) == []


def test_another_pending_replacement_is_refused_before_sending(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Talks")
    entry_id = _ready_entry(both, kaltura_sandbox, tmp_path, category)
    kaltura_sandbox.core.settings.transcode_delay = 3600  # the first replacement stays pending
    both(lambda c: c.replace(entry_id, _file(tmp_path, "a.mp4", 2_000)))
    tokens = kaltura_sandbox.stats.calls[("uploadtoken", "add")]
    with pytest.raises(ApiError) as refused:
        both(lambda c: c.replace(entry_id, _file(tmp_path, "b.mp4", 2_000)))
    assert refused.value.code == "ENTRY_REPLACEMENT_ALREADY_EXISTS"
    assert "wait until" in str(refused.value)
    assert kaltura_sandbox.stats.calls[("uploadtoken", "add")] == tokens


def test_an_interrupted_replacement_resumes_with_or_without_its_state(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Talks")
    entry_id = _ready_entry(both, kaltura_sandbox, tmp_path, category)
    new = _file(tmp_path, "v2.mp4", 450_000)
    tokens_of_the_upload = kaltura_sandbox.stats.calls[("uploadtoken", "add")]
    stop = threading.Event()
    saved: list[UploadState] = []

    def keep(state: UploadState) -> None:
        saved.append(state)
        if state.bytes_confirmed:
            stop.set()  # stop once the first part is in

    one_at_a_time = UploadOptions(chunk_size=100_000, edge_size=50_000, concurrency=1)
    with pytest.raises(UploadCancelledError) as cancelled:
        both(lambda c: c.replace(entry_id, new, one_at_a_time, on_state=keep, cancel=stop))
    state: Any = cancelled.value.state
    assert state.token_id and 0 < state.bytes_confirmed < 450_000
    resumed = both(lambda c: c.replace(entry_id, new, SMALL, state=state))
    assert resumed.bytes_resumed >= state.bytes_confirmed
    assert resumed.bytes_sent == 450_000 - resumed.bytes_resumed
    assert resumed.token_id == state.token_id
    assert kaltura_sandbox.stats.calls[("uploadtoken", "add")] == tokens_of_the_upload + 1

    other = _ready_entry(both, kaltura_sandbox, tmp_path, category)
    stop.clear()
    with pytest.raises(UploadCancelledError):
        both(lambda c: c.replace(other, new, one_at_a_time, on_state=keep, cancel=stop))
    lost = both(lambda c: c.replace(other, new, SMALL))  # no state: the token is found by name
    assert lost.bytes_resumed > 0 and lost.bytes_sent < 450_000


def test_a_file_changed_since_its_interrupted_replacement_starts_over(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Talks")
    entry_id = _ready_entry(both, kaltura_sandbox, tmp_path, category)
    path = _file(tmp_path, "v2.mp4", 450_000)
    stop = threading.Event()

    def keep(state: UploadState) -> None:
        if state.bytes_confirmed:
            stop.set()

    one_at_a_time = UploadOptions(chunk_size=100_000, edge_size=50_000, concurrency=1)
    with pytest.raises(UploadCancelledError) as cancelled:
        both(lambda c: c.replace(entry_id, path, one_at_a_time, on_state=keep, cancel=stop))
    state: Any = cancelled.value.state
    path.write_bytes(os.urandom(300_000))  # edited before the next run
    waiting = UploadOptions(chunk_size=100_000, wait_ready=True, ready_poll_interval=0.05)
    done = both(lambda c: c.replace(entry_id, path, waiting, state=state))
    assert done.entry_id == entry_id and not done.pending
    assert kaltura_sandbox.entry_bytes(entry_id).read_bytes() == path.read_bytes()
    assert open_tokens(kaltura_sandbox) == []  # the old, half-sent token is gone
