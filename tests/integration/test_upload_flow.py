"""Uploads over real HTTP to the sandbox under Client and AsyncClient: content, checks, dedupe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.errors import ConfigError, UploadError
from kaltura_mm.models import (
    CategoryParams,
    DocumentEntry,
    DocumentType,
    EntryStatus,
    MediaEntry,
    MediaType,
    Pager,
    UploadTokenFilter,
    UploadTokenStatus,
)
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import category, upload_token
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from tests.integration.upload_support import (
    KIB,
    MIB,
    Run,
    entries_with_reference,
    media,
    runner,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(120)
SMALL = UploadOptions(chunk_size=256 * KIB, edge_size=64 * KIB, concurrency=4)


@pytest.mark.parametrize(
    "size",
    [1, 256 * KIB, 256 * KIB + 1, 64 * KIB + 1, 3 * MIB + 12345],
    ids=["1-byte", "one-chunk", "chunk+1", "head+1", "3MiB"],
)
def test_served_bytes_equal_the_local_file(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path, size: int
) -> None:
    category = kaltura_sandbox.create_category("Uploads>Checksums")
    path = media(tmp_path, "clip.mp4", size)
    result = run(upload_file(UploadRequest(path=path, category_ids=(category,)), SMALL))
    entry = result.entry
    assert isinstance(entry, MediaEntry) and entry.media_type is MediaType.VIDEO
    assert entry.status in (EntryStatus.IMPORT, EntryStatus.PRECONVERT, EntryStatus.READY)
    assert entry.download_url and sha256_download(entry.download_url) == sha256_file(path)
    assert str(category) in (entry.categories_ids or "").split(",")
    assert result.bytes_sent == size and result.retries == 0
    assert entry.name == "clip" and entry.reference_id == result.reference_id


def test_chunks_follow_the_widget_protocol(kaltura_sandbox: Sandbox, tmp_path: Path) -> None:
    run = runner("sync", kaltura_sandbox)
    path = media(tmp_path, "talk.mov", 2 * MIB)
    kaltura_sandbox.stats.reset()
    result = run(upload_file(UploadRequest(path=path), SMALL))
    calls = kaltura_sandbox.stats.calls
    # 64 KiB head, 2 MiB - 128 KiB of 256 KiB middles (8), 64 KiB tail: 10 parts, each once.
    assert calls[("uploadtoken", "upload")] == result.chunks == 10
    assert calls[("baseentry", "add")] == 1


def test_metadata_and_several_categories(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    first = kaltura_sandbox.create_category("Meta>One")
    second = kaltura_sandbox.create_category("Meta>Two")
    path = media(tmp_path, "song.mp3", 100 * KIB)
    request = UploadRequest(
        path=path,
        category_ids=(first, second),
        name="A Song",
        description="about it",
        tags=("xx", "yy"),  # the server drops one-character tags
        reference_id="my-ref-1",
    )
    result = run(upload_file(request, SMALL))
    entry = result.entry
    assert entry.name == "A Song" and entry.description == "about it"
    assert entry.media_type is MediaType.AUDIO and entry.reference_id == "my-ref-1"
    assert set((entry.tags or "").replace(" ", "").split(",")) == {"xx", "yy"}
    assert set((entry.categories_ids or "").split(",")) == {str(first), str(second)}


def test_documents_when_enabled(run: Run, tmp_path: Path) -> None:
    path = media(tmp_path, "slides.pdf", 50 * KIB)
    with pytest.raises(ConfigError, match="support_documents"):
        run(upload_file(UploadRequest(path=path), SMALL))
    options = UploadOptions(chunk_size=256 * KIB, support_documents=True)
    entry = run(upload_file(UploadRequest(path=path), options)).entry
    assert isinstance(entry, DocumentEntry) and entry.document_type is DocumentType.PDF


@pytest.mark.kaltura_sandbox(index_lag=60)  # the index still lags when the rerun looks
def test_a_rerun_finds_the_entry_instead_of_duplicating(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Dedupe")
    path = media(tmp_path, "once.mp4", 300 * KIB)
    request = UploadRequest(path=path, category_ids=(category,))
    first = run(upload_file(request, SMALL))
    again = run(upload_file(request, SMALL))
    assert again.existing and again.entry.id == first.entry.id and again.bytes_sent == 0
    assert len(entries_with_reference(run, first.reference_id)) == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "nope.mp4", "does not exist"),
        (lambda d: d, "is a directory"),
        (lambda d: media(d, "empty.mp4", 0), "empty"),
        (lambda d: media(d, "data.qqq", 10), "entry_type"),
    ],
    ids=["missing", "directory", "zero-byte", "unknown-type"],
)
def test_bad_input_fails_before_anything_is_created(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path, setup: object, message: str
) -> None:
    path = setup(tmp_path)  # type: ignore[operator]
    kaltura_sandbox.stats.reset()
    with pytest.raises(ConfigError, match=message):
        run(upload_file(UploadRequest(path=path), SMALL))
    assert kaltura_sandbox.stats.http_requests == 0


def test_unknown_category_and_too_large_file_create_nothing(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 10 * KIB)
    kaltura_sandbox.stats.reset()
    with pytest.raises(ConfigError, match="category 987654 does not exist"):
        run(upload_file(UploadRequest(path=path, category_ids=(987654,)), SMALL))
    with pytest.raises(ConfigError, match="more than the server accepts"):
        run(upload_file(UploadRequest(path=path), UploadOptions(max_file_size=1000)))
    assert kaltura_sandbox.stats.calls[("baseentry", "add")] == 0
    assert kaltura_sandbox.stats.calls[("uploadtoken", "add")] == 0


def test_a_user_ks_without_rights_gets_a_clear_error_and_leaves_nothing(
    kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 10 * KIB)
    # A USER session may upload its own entries, not give them to someone else (spec 4.5).
    ks = kaltura_sandbox.ks(user_id="alice", admin=False)
    request = UploadRequest(path=path, owner_user_id="bob")
    run = runner("sync", kaltura_sandbox)
    with pytest.raises(UploadError, match="this session may not create the entry") as caught:
        run(upload_file(request, SMALL), ks=ks, admin_secret=None)
    assert caught.value.state is not None and caught.value.state.token_id is None
    assert entries_with_reference(run, _reference_of(path)) == []
    tokens = run(_single(upload_token.list(UploadTokenFilter(), Pager(page_size=50))))
    assert all(t.status is UploadTokenStatus.DELETED for t in tokens.objects)
    # the marker it made first, and the receipt the server made with no entry id in its name
    assert kaltura_sandbox.stats.calls[("uploadtoken", "delete")] == 2


def _single(call: Any) -> Any:
    result = yield call
    return result


def _reference_of(path: Path) -> str:
    from kaltura_mm.upload.local_file import content_fingerprint
    from kaltura_mm.upload.request import reference_id_for

    return reference_id_for(UploadRequest(path=path), content_fingerprint(path))


def test_many_files_share_the_pool_and_fail_alone(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Many")
    good = [media(tmp_path, f"f{i}.mp3", 40 * KIB + i) for i in range(12)]
    requests = [UploadRequest(path=p, category_ids=(category,)) for p in good]
    requests.insert(3, UploadRequest(path=tmp_path / "gone.mp4", category_ids=(category,)))
    requests.append(UploadRequest(path=good[0], category_ids=(424242,)))
    requests.append(UploadRequest(path=good[1], category_ids=(category,)))  # listed twice
    totals = []
    outcomes = run(
        upload_many(
            requests,
            SMALL,
            max_files_in_flight=5,
            on_progress=lambda p: p.path is None and totals.append(p),
        )
    )
    assert [o.ok for o in outcomes] == [True] * 3 + [False] + [True] * 9 + [False, False]
    assert "does not exist" in str(outcomes[3].error) and "424242" in str(outcomes[-2].error)
    assert "listed twice" in str(outcomes[-1].error)
    for outcome in outcomes:
        if outcome.result is not None:
            url = outcome.result.entry.download_url
            assert url and sha256_download(url) == sha256_file(outcome.request.path)
    assert totals and totals[-1].bytes_done == sum(p.stat().st_size for p in good)
    assert totals[-1].files_done == 12


def test_small_files_cost_about_one_request_each(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Small")
    paths = [media(tmp_path, f"s{i}.mp4", 30 * KIB + i) for i in range(20)]
    requests = [UploadRequest(path=p, category_ids=(category,)) for p in paths]
    kaltura_sandbox.stats.reset()
    outcomes = run(upload_many(requests, SMALL, max_files_in_flight=8))
    # One multiRequest of token lists for all 20 (one per file size: exact, where a list of
    # entries would read the lagging index) with the category check, then one request per file;
    # the last look (the tokens of the file's size) rides inside each file's request; a file's
    # marker goes once its look decided (recover rule 8), carried by a later file's create
    # request; the files in flight when the last one starts send theirs together after a
    # 50 ms group wait (22 requests on a quiet machine; a file's report waits for its marker's
    # deletion, never for another's upload: ``kaltura_mm.upload.unmark``).
    assert kaltura_sandbox.stats.http_requests <= 1 + 20 + 8
    assert kaltura_sandbox.stats.calls[("uploadtoken", "delete")] == 20
    assert kaltura_sandbox.stats.calls[("baseentry", "list")] == 0
    assert kaltura_sandbox.stats.calls[("uploadtoken", "list")] == 20 + 20
    for outcome in outcomes:
        assert outcome.result is not None and outcome.result.chunks == 1
        entry = outcome.result.entry
        assert str(category) in (entry.categories_ids or "").split(",")
        assert entry.download_url and sha256_download(entry.download_url) == sha256_file(
            outcome.request.path
        )
    kaltura_sandbox.stats.reset()  # at once: the lookup does not wait for the index
    again = run(upload_many(requests, SMALL, max_files_in_flight=8))
    assert all(o.result is not None and o.result.existing for o in again)
    # the token lists with the category check, the entries their receipts name: nothing re-sent
    assert kaltura_sandbox.stats.http_requests == 2
    ids = {o.result.entry_id for o in again if o.result}
    assert ids == {o.result.entry_id for o in outcomes if o.result}


@pytest.mark.kaltura_sandbox(index_lag=60)  # category lists do not show the new category yet
def test_a_category_made_a_moment_ago_takes_uploads(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    def made() -> Any:
        return (yield category.add(CategoryParams(name="Fresh")))

    fresh = run(made())
    path = media(tmp_path, "clip.mp4", 20 * KIB)
    result = run(upload_file(UploadRequest(path=path, category_ids=(fresh.id,)), SMALL))
    assert str(fresh.id) in (result.entry.categories_ids or "").split(",")
