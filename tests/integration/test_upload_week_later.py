"""A re-run a week later finishes (issue 16): the server resumes no token idle over 7 days.

``UploadTokenService::validateForUpload`` refuses a part for a PARTIAL token whose ``updatedAt``
is older than 604800 s (``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED``). A half-made upload left that
long must not retry its dead token forever: the same entry gets a new token and the file, the
dead token is deleted, and no second entry is ever made. The sandbox's clock is moved 8 days.
"""

from __future__ import annotations

import threading
from pathlib import Path

import attrs
import pytest

from kaltura_mm.errors import UploadCancelledError, UploadTokenNotFoundError
from kaltura_mm.models import UploadTokenStatus
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, upload_token
from kaltura_mm.upload.one import resume_upload, upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.result import UploadProgress
from tests.integration.upload_support import (
    KIB,
    MIB,
    Run,
    entries_with_reference,
    media,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(
    chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=4, backoff_base=0.02, backoff_cap=0.2
)
EIGHT_DAYS = 8 * 86_400


class SandboxKs:
    """A KS signed by the sandbox's own (moved) clock, as a fresh session a week later is."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def current(self) -> str:
        return self.sandbox.ks()

    def renew(self) -> bool:
        return True


def _kept_half_way(run: Run, path: Path) -> UploadState:
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


def _token_status(run: Run, sandbox: Sandbox, token_id: str) -> UploadTokenStatus | None:
    def read():  # type: ignore[no-untyped-def]
        try:
            token = yield upload_token.get(token_id)
        except UploadTokenNotFoundError:
            return None
        return token.status

    status: UploadTokenStatus | None = run(
        read(), ks_provider=SandboxKs(sandbox), admin_secret=None
    )
    return status


def _week_later(run: Run, sandbox: Sandbox, path: Path) -> UploadState:
    state = _kept_half_way(run, path)
    assert _token_status(run, sandbox, state.token_id or "") is UploadTokenStatus.PARTIAL_UPLOAD
    sandbox.clock.advance(EIGHT_DAYS)
    return state


def _one_entry_with_the_file(run: Run, sandbox: Sandbox, entry_id: str, path: Path) -> None:
    entries = entries_with_reference(_fresh(run, sandbox), _reference_of(run, sandbox, entry_id))
    assert [e.id for e in entries] == [entry_id]
    assert sha256_download(entries[0].download_url) == sha256_file(path)


def _fresh(run: Run, sandbox: Sandbox) -> Run:
    def fresh(flow, **overrides):  # type: ignore[no-untyped-def]
        return run(flow, ks_provider=SandboxKs(sandbox), admin_secret=None, **overrides)

    fresh.sandbox = sandbox  # type: ignore[attr-defined]
    return fresh  # type: ignore[return-value]


def _reference_of(run: Run, sandbox: Sandbox, entry_id: str) -> str:
    def read():  # type: ignore[no-untyped-def]
        entry = yield base_entry.get(entry_id)
        return entry.reference_id

    reference: str = _fresh(run, sandbox)(read())
    return reference


def test_a_rerun_a_week_later_fills_the_same_entry_through_a_new_token(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "lecture.mp4", 2 * MIB)
    state = _week_later(run, kaltura_sandbox, path)
    parts_before = kaltura_sandbox.stats.calls[("uploadtoken", "upload")]
    # a new run, no saved state: the lookup finds the entry and its dead token
    result = _fresh(run, kaltura_sandbox)(upload_file(UploadRequest(path=path), OPTIONS))
    assert result.entry.id == state.entry_id
    # the server's clock (from its answers) told the token dead: not one part was sent to it,
    # every part of the file went once into the new token
    assert kaltura_sandbox.stats.calls[("uploadtoken", "upload")] - parts_before == len(
        state.book().chunks
    )
    assert result.token_id != state.token_id
    assert _token_status(run, kaltura_sandbox, state.token_id or "") is None  # deleted
    _one_entry_with_the_file(run, kaltura_sandbox, state.entry_id or "", path)


def test_a_saved_state_resumed_a_week_later_starts_a_new_token(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "lecture.mp4", 2 * MIB)
    state = _week_later(run, kaltura_sandbox, path)
    # the saved state names the dead token: the server refuses it, the upload starts a new one
    result = _fresh(run, kaltura_sandbox)(resume_upload(state, OPTIONS))
    assert result.entry.id == state.entry_id
    assert result.token_id != state.token_id
    assert _token_status(run, kaltura_sandbox, state.token_id or "") is None
    _one_entry_with_the_file(run, kaltura_sandbox, state.entry_id or "", path)
    # and once more: the upload is found done, nothing made
    again = _fresh(run, kaltura_sandbox)(upload_file(UploadRequest(path=path), OPTIONS))
    assert again.existing and again.entry.id == state.entry_id
