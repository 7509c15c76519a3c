"""Uploads against the server's upload-token races (``sb.upload_races``, ``kUploadTokenMgr``).

- Last writer wins on ``uploadedFileSize``: a middle chunk that finishes after the final one
  leaves a FULL_UPLOAD/CLOSED token reporting fewer bytes than the file. The status is the proof
  of completion; the upload must not fail on the size.
- A final request refused with ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE`` leaves its part pending,
  and a later non-final request appends it: a PARTIAL token then holds every byte until a final
  request is sent again. The upload must send it, not loop asking the token.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import attrs
import pytest

from kaltura_mm.client import Client
from kaltura_mm.config import RetryPolicy
from kaltura_mm.errors import ApiError, UploadCancelledError
from kaltura_mm.models import UploadTokenStatus
from kaltura_mm.protocol.calls import FilePart
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import upload_token
from kaltura_mm.upload.one import resume_upload, upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.result import UploadProgress
from tests.integration.upload_support import (
    KIB,
    Run,
    config,
    entries_with_reference,
    media,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(90)
OPTIONS = UploadOptions(
    chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=4, backoff_base=0.02, backoff_cap=0.2
)
# head 64 KiB, four middle chunks of 256 KiB, tail 64 KiB
SIZE = 64 * KIB + 4 * 256 * KIB + 64 * KIB
TAIL = SIZE - 64 * KIB


def _intact_once(run: Run, result: Any, path: Path) -> None:
    assert [e.id for e in entries_with_reference(run, result.reference_id)] == [result.entry.id]
    assert sha256_download(result.entry.download_url) == sha256_file(path)


def test_a_finished_token_reporting_fewer_bytes_than_the_file_is_complete(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", SIZE)
    races = kaltura_sandbox.upload_races
    # The first middle chunk starts at the end of the data, so its own view is always 320 KiB;
    # held, it saves that view after the final chunk closed the file.
    races.delay_chunk_end(1.0, resume_at=64 * KIB)

    def let_the_slow_chunk_save(progress: UploadProgress) -> None:
        # Once the final chunk closed the file, let the held chunk save its smaller view before
        # the upload checks the token (a slower network would do the same).
        if races.holding and _newest_token_status(kaltura_sandbox) in (2, 3):
            deadline = time.monotonic() + 10
            while races.holding and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)

    options = attrs.evolve(OPTIONS, progress_interval=0.001)
    result = run(
        upload_file(UploadRequest(path=path), options, on_progress=let_the_slow_chunk_save)
    )
    token = _token(run, result.token_id)
    assert token.status in (UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED)
    assert (token.uploaded_file_size or 0) < SIZE  # the race happened: the size went down
    _intact_once(run, result, path)


def _newest_token_status(sandbox: Sandbox) -> int:
    row = sandbox.core.store.one("SELECT status FROM upload_tokens ORDER BY rowid DESC LIMIT 1")
    return int(row[0]) if row else -1


def _token(run: Run, token_id: str | None) -> Any:
    def get() -> Any:
        return (yield upload_token.get(token_id or ""))

    return run(get())


def _kept_after_the_head(run: Run, path: Path) -> UploadState:
    """Start an upload, stop it once the head is in, keep entry and token; return its state."""
    cancel = threading.Event()
    kept = attrs.evolve(OPTIONS, keep_on_cancel=True, progress_interval=0.001, concurrency=1)

    def stop(progress: UploadProgress) -> None:
        if progress.bytes_done > 0:
            cancel.set()

    with pytest.raises(UploadCancelledError) as caught:
        run(upload_file(UploadRequest(path=path), kept, on_progress=stop, cancel=cancel))
    state = caught.value.state
    assert isinstance(state, UploadState) and state.token_id and state.entry_id
    return state


def _part(client: Client, state: UploadState, offset: int, length: int, final: bool) -> Any:
    part = FilePart(path=state.request.path, offset=offset, length=length, filename="clip.mp4")
    call = upload_token.upload(
        state.token_id or "", part, resume=True, final_chunk=final, resume_at=offset
    )
    return client.call(call)


@pytest.mark.kaltura_sandbox(final_chunk_wait=0.2)
def test_a_partial_token_holding_every_byte_gets_its_final_request_again(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", SIZE)
    state = _kept_after_the_head(run, path)
    once = config(kaltura_sandbox, retry=RetryPolicy(attempts=1))
    first_middle = (64 * KIB, 256 * KIB)
    with Client(once) as client:
        for offset in range(64 * KIB + 256 * KIB, TAIL, 256 * KIB):
            _part(client, state, offset, 256 * KIB, final=False)  # beyond the gap: pending
        with pytest.raises(ApiError, match="UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"):
            _part(client, state, TAIL, 64 * KIB, final=True)  # the gap is open: its part stays
        _part(client, state, *first_middle, final=False)  # closes the gap
        again = _part(client, state, *first_middle, final=False)  # appends every pending part
    assert again.status is UploadTokenStatus.PARTIAL_UPLOAD
    assert again.uploaded_file_size == SIZE  # every byte, and still PARTIAL
    result = run(resume_upload(state, OPTIONS))
    assert result.entry.id == state.entry_id
    _intact_once(run, result, path)
