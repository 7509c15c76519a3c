"""A session that may not write referenceId (issue 16).

Setting ``referenceId`` needs ``CONTENT_INGEST_REFERENCE_MODIFY``, which the default user-session
role lacks: the server makes the entry with the field dropped (null; only a header says why).

- A plain upload finds what it made by its upload tokens, which the user owns: it goes on, and a
  re-run finds the entry (never a second one).
- An upload that requires the referenceId (``require_reference_id``; sync, which matches files to
  entries by it) is refused at its first create, before a byte of the file is sent, with
  ``ReferenceIdNotWritableError`` naming the permission, and what the create made is deleted; a
  re-run refuses again and leaves nothing. A role with the permission uploads, once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from kaltura_mm.client import Client
from kaltura_mm.errors import ReferenceIdNotWritableError
from kaltura_mm.models import BaseEntryFilter, EntryStatus, Pager, UploadTokenFilter
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, upload_token
from kaltura_mm.sync import read_source
from kaltura_mm.testing import config_for
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from tests.integration.sync_support import Syncer, live
from tests.integration.sync_support import media as sync_media
from tests.integration.upload_support import KIB, MIB, Run, media

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=2)
REQUIRED = attrs.evolve(OPTIONS, require_reference_id=True)
LIVE = tuple(s for s in EntryStatus if s is not EntryStatus.DELETED)


def _as(run: Run, ks: str, flow: Flow[object]) -> object:
    return run(flow, ks=ks, admin_secret=None)


def _everything_of(run: Run, sandbox: Sandbox) -> tuple[list[str], list[str]]:
    """Return the ids of every live entry and open token of the partner, read as admin."""

    def read() -> Flow[tuple[list[str], list[str]]]:
        sandbox.index.settle()
        entries = yield base_entry.list(BaseEntryFilter(status_in=LIVE), Pager(page_size=500))
        tokens = yield upload_token.list(
            UploadTokenFilter(status_in=(0, 1, 2)), Pager(page_size=500)
        )
        return [e.id for e in entries.objects], [t.id for t in tokens.objects]

    got: tuple[list[str], list[str]] = run(read())
    return got


def _bytes_received(sandbox: Sandbox) -> int:
    return int(sandbox.stats.calls[("uploadtoken", "upload")])


def test_a_plain_upload_under_a_user_session_goes_on_and_is_found_again_by_its_tokens(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "lecture.mp4", 1 * MIB)
    ks = kaltura_sandbox.ks(user_id="ann", admin=False)
    first = _as(run, ks, upload_file(UploadRequest(path=path), OPTIONS))
    again = _as(run, ks, upload_file(UploadRequest(path=path), OPTIONS))
    assert first.entry.reference_id is None  # type: ignore[attr-defined]  # dropped
    assert again.existing and again.entry.id == first.entry.id  # type: ignore[attr-defined]
    assert _everything_of(run, kaltura_sandbox) == ([first.entry.id], [])  # type: ignore[attr-defined]


def test_an_upload_requiring_the_reference_id_is_refused_before_any_byte(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "lecture.mp4", 1 * MIB)
    ks = kaltura_sandbox.ks(user_id="ann", admin=False)
    for _ in range(2):  # a re-run refuses the same way, never a duplicate
        with pytest.raises(ReferenceIdNotWritableError) as caught:
            _as(run, ks, upload_file(UploadRequest(path=path), REQUIRED))
        text = str(caught.value)
        assert "CONTENT_INGEST_REFERENCE_MODIFY" in text and "admin" in text
        assert _bytes_received(kaltura_sandbox) == 0  # not one part of the file was sent
        assert _everything_of(run, kaltura_sandbox) == ([], [])


def test_a_batch_under_a_user_session_refuses_every_file_and_leaves_nothing(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    paths = [media(tmp_path, f"clip{n}.mp4", 100 * KIB) for n in range(5)]
    ks = kaltura_sandbox.ks(user_id="ann", admin=False)
    requests = [UploadRequest(path=p) for p in paths]
    outcomes = _as(run, ks, upload_many(requests, REQUIRED, max_files_in_flight=2))
    assert isinstance(outcomes, list)
    assert all(isinstance(o.error, ReferenceIdNotWritableError) for o in outcomes)
    assert _bytes_received(kaltura_sandbox) == 0
    assert _everything_of(run, kaltura_sandbox) == ([], [])


def test_a_user_session_whose_role_may_write_it_uploads_once(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    role = kaltura_sandbox.add_role(
        "uploader", ["BASE_USER_SESSION_PERMISSION", "CONTENT_INGEST_REFERENCE_MODIFY"]
    )
    ks = kaltura_sandbox.ks(user_id="ann", admin=False, privileges=f"setrole:{role}")
    paths = [media(tmp_path, f"clip{n}.mp4", 300 * KIB) for n in range(4)]
    requests = [UploadRequest(path=p) for p in paths]
    first: Any = _as(run, ks, upload_many(requests, REQUIRED, max_files_in_flight=2))
    again: Any = _as(run, ks, upload_many(requests, REQUIRED, max_files_in_flight=2))
    assert all(o.result and o.result.entry.reference_id == o.result.reference_id for o in first)
    assert [o.result.entry.id for o in again] == [o.result.entry.id for o in first]
    assert all(o.result.existing for o in again)
    entries, tokens = _everything_of(run, kaltura_sandbox)
    assert sorted(entries) == sorted(o.result.entry.id for o in first) and tokens == []


def test_a_sync_under_a_user_session_is_refused_each_run_and_makes_nothing(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    kaltura_sandbox.create_category("Courses>Bio")
    syncer = Syncer(kaltura_sandbox, "Courses>Bio")
    syncer.client.close()
    ks = kaltura_sandbox.ks(user_id="ann", admin=False)
    syncer.client = Client(config_for(kaltura_sandbox, admin_secret=None, ks=ks))
    try:
        for name in ("a.mp4", "b.mp4"):
            sync_media(tmp_path / "lectures", name)
        source = read_source(tmp_path / "lectures")
        for _ in range(2):  # the next run plans the same adds: nothing was made
            plan = syncer.plan(source)
            assert plan.summary() == "2 changes: 2 add"
            outcomes = syncer.apply(plan)
            assert [o.status for o in outcomes] == ["failed", "failed"]
            errors = [e for o in outcomes for e in o.errors]
            assert errors and all(isinstance(e, ReferenceIdNotWritableError) for e in errors)
            assert live(kaltura_sandbox) == {}
            assert _bytes_received(kaltura_sandbox) == 0
    finally:
        syncer.close()
