"""A few hundred MiB, at default settings, under both clients: the served bytes are the file's.

The file is generated once (random bytes, so no chunk can pass for another) and deleted after.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.upload.one import upload_file
from kaltura_mm.upload.request import UploadRequest
from tests.integration.upload_support import (
    MIB,
    Run,
    entries_with_reference,
    media,
    runner,
    sha256_download,
    sha256_file,
)

pytestmark = pytest.mark.timeout(60)
SIZE = 300 * MIB + 12345  # not a multiple of anything the plan uses


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """Write the file once for both clients; delete it after."""
    path = media(tmp_path_factory.mktemp("large"), "lecture.mp4", SIZE)
    yield path, sha256_file(path)
    path.unlink()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_large_file_is_served_byte_for_byte(
    mode: str, kaltura_sandbox: Sandbox, big_file: tuple[Path, str]
) -> None:
    path, digest = big_file
    run: Run = runner(mode, kaltura_sandbox)
    result = run(upload_file(UploadRequest(path=path)), max_concurrency=24)
    assert result.bytes_sent == SIZE and result.retries == 0
    assert result.entry.download_url and sha256_download(result.entry.download_url) == digest
    assert [e.id for e in entries_with_reference(run, result.reference_id)] == [result.entry.id]
