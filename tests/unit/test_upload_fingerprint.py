"""A file's fingerprint reads what the file holds, however small or large; the values stay the
ones saved states were written with (a state saved by an earlier version still resumes)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from kaltura_mm.upload import local_file
from kaltura_mm.upload.identity import SAMPLE_BYTES

SIZES = [1, 1000, 256 * 1024, SAMPLE_BYTES, SAMPLE_BYTES + 1, 3 * SAMPLE_BYTES + 7]


@pytest.mark.parametrize("size", SIZES)
def test_the_sample_is_the_size_the_first_and_the_last_mib(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    path = tmp_path / "clip.mp4"
    path.write_bytes(data)
    head, tail = data[:SAMPLE_BYTES], data[-SAMPLE_BYTES:]
    expected = hashlib.sha256(str(size).encode() + head + tail).hexdigest()
    print_ = local_file.content_fingerprint(path)
    assert print_.sample_sha256 == expected
    assert print_.content_sha256 == hashlib.sha256(data).hexdigest()
    assert print_.size == size


def test_a_small_file_changed_in_place_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"a" * 5000)
    before = local_file.fingerprint(path)
    with open(path, "r+b") as handle:  # same size, one byte in the middle
        handle.seek(2500)
        handle.write(b"b")
    os.utime(path, ns=(before.mtime_ns, before.mtime_ns))  # and the same mtime
    assert local_file.full_check(path, before) == ("sample_sha256",)
