"""What a replacement became, read from ``replacementStatus``, against the sandbox (issue 16).

Approval where the account requires it (``FEATURE_ENTRY_REPLACEMENT_APPROVAL``,
``media.approveReplace``), a conversion that fails (cancelled, the cause named, the old content
kept, the file sent again next time), a stale replacement cancelled before a new one, and a
bounded wait that says what it waited for.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from kaltura_mm import (
    ReplacementFailedError,
    ReplacementTimeoutError,
    UploadCancelledError,
    UploadOptions,
)
from kaltura_mm.enums import ReplacementStatus
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sync import read_source
from kaltura_mm.upload.request import UploadState
from tests.cli.ground import open_tokens
from tests.integration.clients import Both, under
from tests.integration.sync_support import Syncer
from tests.integration.sync_support import media as sync_media

SMALL = UploadOptions(chunk_size=100_000, edge_size=50_000, concurrency=2)
WAIT = UploadOptions(
    chunk_size=100_000, edge_size=50_000, wait_ready=True, ready_poll_interval=0.05
)

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Both:
    return under(request.param, kaltura_sandbox)


def _file(folder: Path, name: str, size: int) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def _ready_entry(both: Both, folder: Path) -> str:
    path = _file(folder, "talk.mp4", 3_000)
    waiting = UploadOptions(wait_ready=True, ready_poll_interval=0.05)
    return str(both(lambda c: c.upload(path, options=waiting)).entry_id)


def _content(sandbox: Sandbox, entry_id: str) -> bytes:
    return sandbox.entry_bytes(entry_id).read_bytes()


def _entry(both: Both, entry_id: str) -> object:
    return both(lambda c: c.entry(entry_id))


def test_with_approval_required_the_result_awaits_approval_and_approve_swaps_it(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    entry_id = _ready_entry(both, tmp_path)
    old = _content(kaltura_sandbox, entry_id)
    kaltura_sandbox.set_replacement_approval(True)
    new = _file(tmp_path, "v2.mp4", 250_000)
    waiting = both(lambda c: c.replace(entry_id, new, WAIT))  # nothing moves: not waited for
    assert waiting.status == "awaiting_approval" and waiting.pending
    assert _content(kaltura_sandbox, entry_id) == old
    done = both(lambda c: c.replace(entry_id, new, WAIT, approve=True))
    assert done.status == "replaced" and done.bytes_sent == 0  # the same file: nothing sent
    assert _content(kaltura_sandbox, entry_id) == new.read_bytes()
    assert kaltura_sandbox.stats.calls[("media", "approvereplace")] == 1
    assert open_tokens(kaltura_sandbox) == []


def test_approve_is_harmless_where_no_approval_is_required(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    entry_id = _ready_entry(both, tmp_path)
    new = _file(tmp_path, "v2.mp4", 120_000)
    done = both(lambda c: c.replace(entry_id, new, WAIT, approve=True))
    assert done.status == "replaced"
    assert _content(kaltura_sandbox, entry_id) == new.read_bytes()
    assert kaltura_sandbox.stats.calls[("media", "approvereplace")] == 0


def test_a_failed_conversion_is_cancelled_named_and_the_file_sent_again_next_time(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    entry_id = _ready_entry(both, tmp_path)
    old = _content(kaltura_sandbox, entry_id)
    kaltura_sandbox.faults.fail_conversions = True
    new = _file(tmp_path, "v2.mp4", 250_000)
    with pytest.raises(ReplacementFailedError) as failed:
        both(lambda c: c.replace(entry_id, new, WAIT))
    assert "ERROR_CONVERTING" in failed.value.cause or "FAILED" in failed.value.cause
    assert "cancelled" in str(failed.value) and "old content" in str(failed.value)
    entry = _entry(both, entry_id)
    assert entry.replacement_status in (None, 0)  # type: ignore[attr-defined]
    assert not entry.replacing_entry_id  # type: ignore[attr-defined]
    assert _content(kaltura_sandbox, entry_id) == old
    kaltura_sandbox.faults.fail_conversions = False
    again = both(lambda c: c.replace(entry_id, new, WAIT))
    assert again.status == "replaced" and again.bytes_sent == 250_000
    assert _content(kaltura_sandbox, entry_id) == new.read_bytes()
    assert open_tokens(kaltura_sandbox) == []


def test_a_stale_failed_replacement_is_cancelled_before_a_new_one(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    entry_id = _ready_entry(both, tmp_path)
    kaltura_sandbox.faults.fail_conversions = True
    first = both(lambda c: c.replace(entry_id, _file(tmp_path, "a.mp4", 2_000)))
    assert first.status == "pending"  # not waited for: it fails later
    kaltura_sandbox.clock.advance(5)
    stuck = _entry(both, entry_id)
    assert stuck.replacement_status == ReplacementStatus.FAILED  # type: ignore[attr-defined]
    kaltura_sandbox.faults.fail_conversions = False
    new = _file(tmp_path, "b.mp4", 2_000)
    done = both(lambda c: c.replace(entry_id, new, WAIT))
    assert done.status == "replaced" and done.stale_cancelled
    assert _content(kaltura_sandbox, entry_id) == new.read_bytes()


def test_the_wait_is_bounded_and_says_what_it_waited_for(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    entry_id = _ready_entry(both, tmp_path)
    kaltura_sandbox.core.settings.transcode_delay = 3600  # never converts within the test
    short = UploadOptions(wait_ready=True, ready_timeout=0.3, ready_poll_interval=0.05)
    with pytest.raises(ReplacementTimeoutError) as gave_up:
        both(lambda c: c.replace(entry_id, _file(tmp_path, "v2.mp4", 2_000), short))
    text = str(gave_up.value)
    temp = _entry(both, entry_id).replacing_entry_id  # type: ignore[attr-defined]
    assert "APPROVED_BUT_NOT_READY" in text and temp and temp in text
    assert "after 0.3 s" in text


def test_a_sync_replacement_awaiting_approval_says_how_to_approve_it(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    kaltura_sandbox.create_category("Courses>Bio")
    syncer = Syncer(kaltura_sandbox, "Courses>Bio")
    try:
        folder = tmp_path / "lectures"
        talk = sync_media(folder, "talk.mp4", 3_000)
        syncer.apply(syncer.plan(read_source(folder)))
        kaltura_sandbox.clock.advance(5)
        kaltura_sandbox.set_replacement_approval(True)
        talk.write_bytes(os.urandom(4_000))
        (outcome,) = syncer.apply(syncer.plan(read_source(folder)))
        assert outcome.status == "done" and outcome.note and "--approve" in outcome.note
    finally:
        syncer.close()


def test_a_replacement_resumed_a_week_later_is_sent_again_into_a_new_one(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    both = under("sync", kaltura_sandbox)
    entry_id = _ready_entry(both, tmp_path)
    new = _file(tmp_path, "v2.mp4", 450_000)
    stop = threading.Event()

    def keep(state: UploadState) -> None:
        if state.bytes_confirmed:
            stop.set()  # stop once the first part is in

    one_at_a_time = UploadOptions(chunk_size=100_000, edge_size=50_000, concurrency=1)
    with pytest.raises(UploadCancelledError) as cancelled:
        both(lambda c: c.replace(entry_id, new, one_at_a_time, on_state=keep, cancel=stop))
    state = cancelled.value.state
    kaltura_sandbox.clock.advance(8 * 86_400)  # the token is dead now
    later = under("sync", kaltura_sandbox, admin_secret=None, ks=kaltura_sandbox.ks())
    done = later(lambda c: c.replace(entry_id, new, WAIT, state=state))
    assert done.status == "replaced" and done.token_id != state.token_id  # type: ignore[union-attr]
    assert _content(kaltura_sandbox, entry_id) == new.read_bytes()
    assert open_tokens(kaltura_sandbox) == []
