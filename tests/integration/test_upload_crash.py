"""A process that dies mid-upload, saved state lost, leaves exactly one entry and no open token.

Each test plays a crash point against the sandbox, then runs the upload again from nothing but
the file (as ``kaltura-mm upload`` does when the crash came before its journal was written):

- the create request ran on the server but its answer never came back (the process died);
- chunks landed in the token after the create, and the process died before saving them;
- a create sent by a dying process ran only after the next run had looked (and found nothing);
- a create that stopped after making the entry, which has no content;
- a process killed with SIGKILL while chunks were in flight;
- a saved state whose token was deleted since.

Judged by what the server holds: the entries carrying the referenceId, the open tokens, and the
bytes served for the entry.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import attrs
import pytest

from kaltura_mm.client import Client
from kaltura_mm.errors import UploadCancelledError, UploadError
from kaltura_mm.models import MediaEntryParams, Pager, UploadTokenFilter, UploadTokenStatus
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, upload_token
from kaltura_mm.upload import local_file
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.one import resume_upload, upload_file
from kaltura_mm.upload.request import (
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
    token_names,
)
from kaltura_mm.upload.result import UploadProgress
from tests.integration.upload_support import (
    KIB,
    MIB,
    RequestCounter,
    Run,
    config,
    entries_with_reference,
    losing_run,
    media,
    runner,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(
    chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=4, backoff_base=0.02, backoff_cap=0.2
)
SIZES = pytest.mark.parametrize("size", [30 * KIB, MIB + 333], ids=["one-part", "chunked"])
MODES = pytest.mark.parametrize("mode", ["sync", "async"])
OPEN = (UploadTokenStatus.PENDING, UploadTokenStatus.PARTIAL_UPLOAD, UploadTokenStatus.FULL_UPLOAD)


def _open_tokens(run: Run) -> list[Any]:
    def listing() -> Any:
        page = yield upload_token.list(UploadTokenFilter(status_in=OPEN), Pager(page_size=500))
        return page

    return list(run(listing()).objects)


def _exactly_one_and_nothing_open(run: Run, result: Any, path: Path) -> None:
    assert [e.id for e in entries_with_reference(run, result.reference_id)] == [result.entry.id]
    assert _open_tokens(run) == []
    assert sha256_download(result.entry.download_url) == sha256_file(path)


def _die_after_create(mode: str, sandbox: Sandbox, request: UploadRequest) -> None:
    """Send the create request, lose its answer, and stop as a killed process would."""
    dying = attrs.evolve(OPTIONS, max_attempts=1)  # no second look, no cleanup: it is gone
    with pytest.raises(UploadError, match="could not create the entry"):
        losing_run(mode, config(sandbox), upload_file(request, dying), RequestCounter())


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
@SIZES
@MODES
def test_a_create_whose_process_died_is_continued_not_remade(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path, size: int
) -> None:
    path = media(tmp_path, "clip.mp4", size)
    request = UploadRequest(path=path)
    _die_after_create(mode, kaltura_sandbox, request)
    made = kaltura_sandbox.stats.calls[("baseentry", "add")]
    run = runner(mode, kaltura_sandbox)
    result = run(upload_file(request, OPTIONS))
    assert kaltura_sandbox.stats.calls[("baseentry", "add")] == made == 1  # nothing remade
    if size > OPTIONS.chunk_size:  # the head the dead process sent is not sent again
        assert result.bytes_resumed == OPTIONS.edge_size
        assert result.bytes_sent == size - OPTIONS.edge_size
    else:  # its one request uploaded the whole file: found complete
        assert result.existing and result.bytes_sent == 0
    _exactly_one_and_nothing_open(run, result, path)


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
@MODES
def test_chunks_that_landed_before_the_crash_are_not_sent_again(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 3 * MIB)
    run = runner(mode, kaltura_sandbox)
    run.clock = None  # real time: progress is reported at intervals of it (requests take some)
    cancel = threading.Event()
    # The real server joins a chunk that waited beyond a gap only when a later request starts,
    # so an acknowledged chunk can still be uncounted when the process dies and, with the saved
    # state lost, nothing can tell the next run it is there. This test is about the next run
    # resuming from what the server reports: ask for every acknowledged chunk to be counted.
    kaltura_sandbox.upload_races.join_pending_at_once = True

    def stop_after_some(progress: UploadProgress) -> None:
        if progress.bytes_done >= MIB:
            cancel.set()

    kept = attrs.evolve(OPTIONS, keep_on_cancel=True, progress_interval=0.001)
    with pytest.raises(UploadCancelledError) as caught:
        run(upload_file(UploadRequest(path=path), kept, on_progress=stop_after_some, cancel=cancel))
    landed = caught.value.uploaded
    assert landed >= MIB
    # The saved state is lost with the process: only the file is left to start from.
    result = run(upload_file(UploadRequest(path=path), OPTIONS))
    assert result.bytes_resumed >= landed and result.token_id == caught.value.token_id
    assert result.bytes_sent + result.bytes_resumed == path.stat().st_size
    _exactly_one_and_nothing_open(run, result, path)


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
@SIZES
@MODES
def test_a_create_landing_after_the_lookup_is_cleaned_up_by_the_last_look(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path, size: int
) -> None:
    # A killed process's create request runs on the server only after the next run looked up
    # the file and found nothing: that run makes its own entry, and must leave one in the end.
    path = media(tmp_path, "clip.mp4", size)
    request = UploadRequest(path=path)
    run = runner(mode, kaltura_sandbox)

    def late_create(_: UploadRequest) -> None:  # the file's turn: its lookup is already done
        late = threading.Thread(target=_die_after_create, args=("sync", kaltura_sandbox, request))
        late.start()
        late.join(30)

    (outcome,) = run(upload_many([request], OPTIONS, on_start=late_create))
    assert kaltura_sandbox.stats.calls[("baseentry", "add")] == 2  # both creates ran
    assert outcome.result is not None, outcome.error
    _exactly_one_and_nothing_open(run, outcome.result, path)


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
@MODES
def test_a_marker_that_cannot_be_deleted_does_not_fail_the_upload_and_a_rerun_deletes_it(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    # The rerun continues what the dead process made; its marker is a stray to delete, but every
    # uploadToken.delete fails (past the client's retries): the upload is still done.
    path = media(tmp_path, "clip.mp4", MIB + 333)
    request = UploadRequest(path=path)
    _die_after_create(mode, kaltura_sandbox, request)
    kaltura_sandbox.faults.inject("uploadtoken", "delete", rate=1.0, kinds=("http503",))
    run = runner(mode, kaltura_sandbox)
    result = run(upload_file(request, OPTIONS))
    assert sha256_download(result.entry.download_url) == sha256_file(path)
    marker = token_names(request, local_file.content_fingerprint(path), result.reference_id).marker
    # only the marker is left, under the name the next lookup finds it by
    assert [t.file_name for t in _open_tokens(run)] == [marker]
    kaltura_sandbox.faults.clear()
    again = run(upload_file(request, OPTIONS))
    assert again.existing and again.entry.id == result.entry.id
    _exactly_one_and_nothing_open(run, again, path)


@pytest.mark.kaltura_sandbox(index_lag=2)  # the entry shows in lists only after the rerun began
@MODES
def test_an_entry_left_without_content_is_given_the_file(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    # The create stopped after baseEntry.add (a server stopping mid-request): the marker token
    # it made first proves a create began, and the entry, with the upload's referenceId and no
    # content, has no receipt naming it. The rerun waits for the index to show it, and reuses
    # it rather than making a second.
    path = media(tmp_path, "clip.mp4", MIB + 5)
    request = UploadRequest(path=path)
    print_ = local_file.content_fingerprint(path)
    reference_id = reference_id_for(request, print_)
    run = runner(mode, kaltura_sandbox)
    run(_add_token(token_names(request, print_, reference_id).marker, print_.size))
    left = run(_add_entry(MediaEntryParams(name="clip", reference_id=reference_id)))
    result = run(upload_file(request, attrs.evolve(OPTIONS, index_wait=30.0)))
    assert result.entry.id == left.id and not result.existing
    _exactly_one_and_nothing_open(run, result, path)


def _add_token(name: str, size: int) -> Any:
    made = yield upload_token.add(name, size)
    return made


def _add_entry(entry: MediaEntryParams) -> Any:
    made = yield base_entry.add(entry)
    return made


CHILD = textwrap.dedent(
    """
    import sys
    from kaltura_mm.client import Client
    from kaltura_mm.upload.one import upload_file
    from kaltura_mm.upload.request import UploadOptions, UploadRequest

    url, partner, secret, path = sys.argv[1:5]
    options = UploadOptions(chunk_size=256 * 1024, edge_size=64 * 1024, concurrency=2)
    with Client(service_url=url, partner_id=int(partner), admin_secret=secret) as client:
        client.run(upload_file(UploadRequest(path=path), options))
    """
)


def _kill_mid_chunk(sandbox: Sandbox, path: Path) -> None:
    args = [sandbox.service_url, str(sandbox.partner_id), sandbox.admin_secret, str(path)]
    child = subprocess.Popen([sys.executable, "-c", CHILD, *args])
    try:
        deadline = time.monotonic() + 60
        while sandbox.stats.calls[("uploadtoken", "upload")] < 4:
            assert child.poll() is None and time.monotonic() < deadline, "never got going"
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
@MODES
def test_a_process_killed_mid_chunk_leaves_one_entry_and_no_open_token(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "lecture.mp4", 4 * MIB)
    kaltura_sandbox.faults.bandwidth = 2 * MIB  # per request: chunks are in flight when killed
    _kill_mid_chunk(kaltura_sandbox, path)
    kaltura_sandbox.faults.clear()
    run = runner(mode, kaltura_sandbox)
    result = run(upload_file(UploadRequest(path=path), OPTIONS))
    assert result.bytes_resumed > 0
    _exactly_one_and_nothing_open(run, result, path)


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
@MODES
def test_a_saved_state_whose_token_is_gone_starts_over_cleanly(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 2 * MIB)
    run = runner(mode, kaltura_sandbox)
    cancel = threading.Event()
    kept = attrs.evolve(OPTIONS, keep_on_cancel=True, progress_interval=0.001)

    def stop(progress: UploadProgress) -> None:
        if progress.bytes_done > 0:
            cancel.set()

    with pytest.raises(UploadCancelledError) as caught:
        run(upload_file(UploadRequest(path=path), kept, on_progress=stop, cancel=cancel))
    state = caught.value.state
    assert isinstance(state, UploadState) and state.token_id
    with Client(config(kaltura_sandbox)) as client:
        client.run(_delete_token(state.token_id))
    result = run(resume_upload(state, OPTIONS))
    assert result.token_id != state.token_id
    _exactly_one_and_nothing_open(run, result, path)


def _delete_token(token_id: str) -> Any:
    yield upload_token.delete(token_id)
