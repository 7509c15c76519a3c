"""A process killed with SIGKILL mid-upload resumes from its saved state.

The child process uploads with ``on_state=store.save``; the test kills it once the store shows a
few confirmed chunks, then resumes in this process and counts the chunk requests the server got:
no chunk the saved state lists as confirmed is sent again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.store import UploadStateStore
from kaltura_mm.upload.one import resume_upload
from tests.integration.upload_support import (
    MIB,
    entries_with_reference,
    media,
    runner,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(120)

CHILD = textwrap.dedent(
    """
    import sys
    from kaltura_mm.client import Client
    from kaltura_mm.upload.one import upload_file
    from kaltura_mm.upload.request import UploadOptions, UploadRequest
    from kaltura_mm.store import UploadStateStore

    url, partner, secret, path, states = sys.argv[1:6]
    options = UploadOptions(chunk_size=256 * 1024, edge_size=64 * 1024, concurrency=2)
    store = UploadStateStore(states)
    with Client(service_url=url, partner_id=int(partner), admin_secret=secret) as client:
        client.run(upload_file(UploadRequest(path=path), options, on_state=store.save))
    """
)


def _wait_for_confirmed(
    store: UploadStateStore, wanted: int, child: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.poll() is None, "the child finished before it could be killed"
        states = store.pending()
        if states and len(states[0].confirmed_offsets) >= wanted:
            return
        time.sleep(0.02)
    raise AssertionError("the child never confirmed enough chunks")


def _wait_until_quiet(sandbox: Sandbox) -> None:
    last, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 0.5:
        seen = sandbox.stats.calls[("uploadtoken", "upload")]
        if seen != last:
            last, quiet_since = seen, time.monotonic()
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_killed_upload_resumes_without_resending_confirmed_chunks(
    kaltura_sandbox: Sandbox, tmp_path: Path, mode: str
) -> None:
    path = media(tmp_path, "lecture.mp4", 4 * MIB)
    states = tmp_path / "states"
    store = UploadStateStore(states)
    kaltura_sandbox.faults.bandwidth = 2 * MIB  # bytes per second per request: ~2 s of upload
    args = [kaltura_sandbox.service_url, str(kaltura_sandbox.partner_id)]
    args += [kaltura_sandbox.admin_secret, str(path), str(states)]
    child = subprocess.Popen([sys.executable, "-c", CHILD, *args])
    try:
        _wait_for_confirmed(store, 4, child)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    _wait_until_quiet(kaltura_sandbox)  # requests the child had already sent finish server-side
    kaltura_sandbox.faults.clear()
    (state,) = store.pending()
    plan = state.book().chunks
    kaltura_sandbox.stats.reset()
    run = runner(mode, kaltura_sandbox)
    result = run(resume_upload(state, on_state=store.save))
    sent = kaltura_sandbox.stats.calls[("uploadtoken", "upload")]
    assert sent <= len(plan) - len(state.confirmed_offsets)
    assert result.bytes_resumed >= state.bytes_confirmed > 0
    assert store.pending() == []  # the final state is marked complete
    assert [e.id for e in entries_with_reference(run, state.reference_id)] == [result.entry.id]
    assert result.entry.download_url
    assert sha256_download(result.entry.download_url) == sha256_file(path)
