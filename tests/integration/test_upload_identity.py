"""What identifies a file (issue 11): never two different files merged, nothing across users.

- Two different ``lecture.mp4`` in two folders with the same size, mtime, first and last MiB
  are two uploads: each gets its own entry holding its own bytes, and neither is deleted; a third
  such file is uploaded too, not reported as an existing one.
- A user never gets another user's entry for the same file (``MediaManager.upload(name=...)``).
- A saved partial upload whose file was only touched (same content, new mtime) resumes; one
  whose content changed is refused.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

import attrs
import pytest

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config
from kaltura_mm.errors import FileChangedError, UploadCancelledError
from kaltura_mm.manager import AsyncMediaManager, ManagerSettings, MediaManager
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.many import upload_many
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


def _lookalikes(root: Path, count: int) -> list[Path]:
    """Write ``count`` different lecture.mp4, one per folder: same size, mtime, first and last
    MiB, different bytes in the middle."""
    edge = os.urandom(MIB)
    paths = []
    for n in range(count):
        folder = root / f"course{n}"
        folder.mkdir()
        path = folder / "lecture.mp4"
        path.write_bytes(edge + os.urandom(512 * KIB) + edge)
        os.utime(path, ns=(1_700_000_000 * 10**9, 1_700_000_000 * 10**9))
        paths.append(path)
    return paths


def test_two_files_alike_but_for_the_middle_are_two_uploads(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Lectures")
    first, second, third = _lookalikes(tmp_path, 3)
    requests = [UploadRequest(path=p, category_ids=(category,)) for p in (first, second)]
    outcomes = run(upload_many(requests, OPTIONS))
    results = [o.result for o in outcomes]
    assert all(r is not None and not r.existing for r in results), [str(o.error) for o in outcomes]
    assert results[0] and results[1] and results[0].entry.id != results[1].entry.id
    assert results[0].reference_id != results[1].reference_id
    later = run(upload_file(UploadRequest(path=third, category_ids=(category,)), OPTIONS))
    assert not later.existing and later.entry.id not in {r.entry.id for r in results if r}
    for path, result in zip((first, second, third), (*results, later), strict=True):
        assert result is not None
        assert [e.id for e in entries_with_reference(run, result.reference_id)] == [result.entry.id]
        assert sha256_download(result.entry.download_url) == sha256_file(path)


def test_the_same_file_in_two_folders_is_one_entry(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = media(tmp_path / "a", "talk.mp4", MIB + 17)
    copy = tmp_path / "b" / "talk.mp4"
    copy.write_bytes(one.read_bytes())
    outcomes = run(upload_many([one, copy], OPTIONS))
    first, again = (o.result for o in outcomes)
    assert first is not None and again is not None, [str(o.error) for o in outcomes]
    assert again.existing and again.entry.id == first.entry.id and again.bytes_sent == 0


class _Widget:
    def __init__(self, mode: str, sb: Sandbox, user: str) -> None:
        ks = sb.ks(user_id=user, admin=False, privileges="list:*")
        self.mode, self.sb = mode, sb
        self.settings = ManagerSettings(context_id=sb.create_category(f"Site>{user}"), ks=ks)

    def upload(self, path: Path, **fields: Any) -> Any:
        config = Config(service_url=self.sb.service_url, partner_id=self.sb.partner_id)
        if self.mode == "sync":
            with Client(config) as client:
                return MediaManager(client, self.settings).upload(path, **fields)

        async def main() -> Any:
            async with AsyncClient(config) as client:
                return await AsyncMediaManager(client, self.settings).upload(path, **fields)

        return asyncio.run(main())


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_user_never_gets_another_users_entry_for_the_same_file(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 40 * KIB)
    alice, bob = _Widget(mode, kaltura_sandbox, "alice"), _Widget(mode, kaltura_sandbox, "bob")
    bob.settings = attrs.evolve(bob.settings, context_id=alice.settings.context_id)
    hers = alice.upload(path)
    his = bob.upload(path, name="Bob's copy")
    assert not his.existing and his.entry.id != hers.entry.id
    assert (his.entry.user_id, his.entry.name) == ("bob", "Bob's copy")
    again = alice.upload(path)
    assert again.existing and again.entry.id == hers.entry.id


def _kept_half_way(run: Run, path: Path) -> UploadState:
    cancel = threading.Event()
    kept = attrs.evolve(OPTIONS, keep_on_cancel=True, progress_interval=0.001, concurrency=1)

    def stop(progress: UploadProgress) -> None:
        if progress.bytes_done > 0:
            cancel.set()

    with pytest.raises(UploadCancelledError) as caught:
        run(upload_file(UploadRequest(path=path), kept, on_progress=stop, cancel=cancel))
    state = caught.value.state
    assert isinstance(state, UploadState) and state.token_id
    return state


def test_a_saved_upload_of_a_touched_file_resumes(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 2 * MIB)
    state = _kept_half_way(run, path)
    os.utime(path, ns=(1_600_000_000 * 10**9, 1_600_000_000 * 10**9))  # touched, same bytes
    result = run(resume_upload(state, OPTIONS))
    assert result.entry.id == state.entry_id and result.bytes_resumed > 0
    assert sha256_download(result.entry.download_url) == sha256_file(path)


def test_a_saved_upload_of_an_edited_file_is_refused(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    path = media(tmp_path, "clip.mp4", 3 * MIB)
    state = _kept_half_way(run, path)
    data = bytearray(path.read_bytes())
    data[MIB + 100] ^= 0xFF  # the middle only: size and first and last MiB unchanged
    path.write_bytes(bytes(data))
    with pytest.raises(FileChangedError, match="content"):
        run(resume_upload(state, OPTIONS))
