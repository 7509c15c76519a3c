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


def _counting_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []

    def counted(path: Path, *args: object, **kwargs: object) -> object:
        opened.append(str(path))
        return open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(local_file, "open", counted, raising=False)
    return opened


def test_a_small_file_is_read_once_for_its_sample_and_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = os.urandom(20_000)
    path = tmp_path / "slide.png"
    path.write_bytes(data)
    opened = _counting_opens(monkeypatch)
    first = local_file.content_fingerprint(path)  # planning the upload
    again = local_file.content_fingerprint(path)  # running it
    assert first == again
    assert first.content_sha256 == hashlib.sha256(data).hexdigest()
    assert opened == [str(path)]


def test_new_bytes_under_the_same_stat_are_read_by_the_full_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"a" * 5000)
    before = local_file.content_fingerprint(path)
    with open(path, "r+b") as handle:
        handle.seek(2500)
        handle.write(b"b")
    os.utime(path, ns=(before.mtime_ns, before.mtime_ns))  # same size, same mtime
    assert local_file.full_check(path, before) == ("sample_sha256",)
    after = local_file.content_fingerprint(path)  # the remembered hashes were the old bytes'
    assert after.sample_sha256 != before.sample_sha256
    assert after.content_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
