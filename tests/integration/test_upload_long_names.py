"""A long emoji or CJK file name gives token names that fit the server's varchar(256) in UTF-8
bytes (issue 16), so a re-run recognises what the first run made."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from tests.integration.upload_support import KIB, Run, media

pytestmark = pytest.mark.timeout(120)
OPTIONS = UploadOptions(chunk_size=128 * KIB, edge_size=64 * KIB, concurrency=2)


# a local file name is at most 255 bytes; these are 240 and 231, over the receipt's budget
@pytest.mark.parametrize("stem", ["🎬" * 60, "講義録画の記録" * 11])
def test_a_long_name_uploads_once_and_its_tokens_fit_256_bytes(
    run: Run, kaltura_sandbox: Sandbox, tmp_path: Path, stem: str
) -> None:
    path = media(tmp_path, f"{stem}.mp4", 300 * KIB)
    first = run(upload_file(UploadRequest(path=path), OPTIONS))
    again = run(upload_file(UploadRequest(path=path), OPTIONS))
    assert again.existing and again.entry.id == first.entry.id
    assert again.entry.name == stem  # the entry keeps the whole name
    names = [
        str(row[0])
        for row in kaltura_sandbox.core.store.all("SELECT file_name FROM upload_tokens", ())
    ]
    assert names and all(len(name.encode("utf-8")) <= 256 for name in names)
    assert any(name.endswith(f".{first.entry.id}.mp4") for name in names)  # the receipt
