"""What one file's upload costs on the wire, counted at the sandbox, beside the widget's flow.

The widget (the official upload page) sends ``baseEntry.add``, ``uploadToken.add``,
``baseEntry.updateContent`` and ``categoryEntry.add`` in one multiRequest, then the file's parts:
no lookup, no recovery. kaltura-mm adds what exact recovery needs (the lookup by the upload's
token names, the marker token and its deletion, the checks and the last look), each riding a
request the upload sends anyway; one-part and eight-part files, API calls and HTTP requests each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kaltura_mm.models import MediaEntryParams, MediaType, UploadedFileTokenResource
from kaltura_mm.protocol.calls import FilePart, MultiRequest
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, category_entry, upload_token
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.plan import plan_chunks
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from tests.integration.upload_support import KIB, media, runner

pytestmark = pytest.mark.timeout(120)
# Two in parallel, so the middle is not evened out: a 64 KiB head, six 256 KiB middles, a tail.
OPTIONS = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=2)
SIZES = {1: 30 * KIB, 8: 2 * 64 * KIB + 6 * 256 * KIB}


def _widget(path: Path, category_id: int, parts: int) -> Flow[None]:
    """The widget's upload: its four calls in one multiRequest, then each part in turn."""
    batch = MultiRequest()
    entry = batch.add(base_entry.add(MediaEntryParams(name=path.stem, media_type=MediaType.VIDEO)))
    size = path.stat().st_size
    token = batch.add(upload_token.add(path.name, size))
    batch.add(base_entry.update_content(entry.id, UploadedFileTokenResource(token=token.id)))
    batch.add(category_entry.add(entry.id, category_id))
    answer = yield batch
    token_id = answer[token].id or ""
    for chunk in plan_chunks(size, 256 * KIB, 64 * KIB) if parts > 1 else plan_chunks(size):
        part = FilePart(path=path, offset=chunk.offset, length=chunk.length, filename=path.name)
        yield upload_token.upload(
            token_id,
            part,
            resume=chunk.offset > 0,
            final_chunk=chunk.offset + chunk.length == size,
            resume_at=chunk.offset,
        )


@pytest.mark.parametrize(
    ("parts", "calls", "requests", "widget_calls", "widget_requests"),
    # kaltura-mm: the lookup with the category check (1 request, 2 calls); the create request
    # (marker, entry, receipt, first part, attach, link: 6 calls), for one part with the check
    # (baseEntry.get) and the last look in it too; for eight parts the seven other parts, then
    # the check (entry, links: the tail showed the token finished) and the last look in one
    # request. The marker goes once the look decided (recover rule 8), in a request of its own.
    # The widget: 4 calls in 1 request, then a request per part.
    [(1, 11, 3, 5, 2), (8, 19, 11, 12, 9)],
    ids=["one-part", "eight-part"],
)
def test_requests_per_file_beside_the_widget(
    kaltura_sandbox: Sandbox,
    tmp_path: Path,
    parts: int,
    calls: int,
    requests: int,
    widget_calls: int,
    widget_requests: int,
) -> None:
    run = runner("sync", kaltura_sandbox)
    category = kaltura_sandbox.create_category("Counted")
    ours, theirs = (media(tmp_path, f"{name}.mp4", SIZES[parts]) for name in ("ours", "widget"))
    stats = kaltura_sandbox.stats
    stats.reset()
    result = run(upload_file(UploadRequest(path=ours, category_ids=(category,)), OPTIONS))
    assert result.chunks == parts and result.retries == 0
    assert (sum(stats.calls.values()), stats.http_requests) == (calls, requests), stats.calls
    assert max(stats.calls.values()) == max(parts, 2)  # no call sent twice: uploads, token adds
    assert stats.calls[("uploadtoken", "delete")] == 1  # the marker, once
    stats.reset()
    run(_widget(theirs, category, parts))
    widget = (sum(stats.calls.values()), stats.http_requests)
    assert widget == (widget_calls, widget_requests)
