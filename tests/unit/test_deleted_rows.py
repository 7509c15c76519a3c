"""A list returns entries deleted after the index took them, as rows with status DELETED.

(``KalturaBaseEntryFilter::prepareEntriesCriteriaFilter`` calls
``entryPeer::allowDeletedInCriteriaFilter``.) No consumer takes such a row for a live entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kaltura_mm.flows.listing import EntryQuery, live_rows
from kaltura_mm.models import (
    Category,
    EntryStatus,
    ListPage,
    MediaEntry,
    MediaType,
    UploadToken,
)
from kaltura_mm.protocol.calls import Call
from kaltura_mm.sync.server import read_server
from kaltura_mm.testing import answering, drive
from kaltura_mm.upload.job import Hooks, Job, Meter
from kaltura_mm.upload.lookup import wait_for_index
from kaltura_mm.upload.media_types import kind_of
from kaltura_mm.upload.recover import LookupFindings
from kaltura_mm.upload.request import (
    FileFingerprint,
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
)

GONE = MediaEntry(id="0_gone", reference_id="ref-a", status=EntryStatus.DELETED, created_at=1)
LIVE = MediaEntry(id="0_live", reference_id="ref-b", status=EntryStatus.READY, created_at=2)


def test_a_page_shows_no_deleted_row_unless_asked_for() -> None:
    page = ListPage(objects=(GONE, LIVE), total_count=2)
    assert live_rows(page) == [LIVE]
    assert live_rows(page, EntryQuery()) == [LIVE]
    assert live_rows(page, EntryQuery(statuses=(EntryStatus.DELETED,))) == [GONE, LIVE]


def test_the_sync_does_not_take_a_deleted_row_for_an_entry_of_the_source() -> None:
    def server(call: Call[Any]) -> Any:
        query = call.params.get("filter")
        if call.label == "baseEntry.list" and query.reference_id_in:
            return ListPage(objects=(GONE, LIVE), total_count=2)
        return ListPage(objects=(), total_count=0)  # the tree, the category's listing, links

    top = Category(id=5, parent_id=0, name="Bio", full_name="Bio", full_ids="5")
    view = drive(read_server(top, ["ref-a", "ref-b"]), answering(server)).result
    assert set(view.entries) == {"0_live"}
    assert set(view.by_reference()) == {"ref-b"}


def test_an_upload_waiting_for_the_index_does_not_take_a_deleted_row(tmp_path: Path) -> None:
    print_ = FileFingerprint(size=10, mtime_ns=1, sample_sha256="cd" * 32, content_sha256="ef" * 32)
    request = UploadRequest(path=tmp_path / "talk.mp4", entry_type=MediaType.VIDEO)
    state = UploadState(
        request=request,
        fingerprint=print_,
        reference_id=reference_id_for(request, print_),
        chunk_size=100_000,
    )
    meter = Meter(total=10, interval=1.0, started=0.0, path=request.path)
    options = UploadOptions(index_wait=5.0)
    kind = kind_of("talk.mp4", support_documents=False, override=None)
    job = Job(request, options, kind, state, Hooks(), meter)
    marker = UploadToken(id="1_marker", user_id="")
    deleted = MediaEntry(
        id="0_gone", reference_id=state.reference_id, user_id="", status=EntryStatus.DELETED
    )

    def server(call: Call[Any]) -> Any:
        assert call.label == "baseEntry.list"
        return ListPage(objects=(deleted,), total_count=1)

    found = drive(wait_for_index(job, LookupFindings(markers=(marker,))), answering(server)).result
    assert found.waited and found.entries == ()
