"""One folder walker and one manifest reader, for upload and sync alike."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kaltura_mm.commands.sources import collect, read_manifest
from kaltura_mm.errors import ConfigError
from kaltura_mm.sync.source import scan_directory
from kaltura_mm.upload.folder import EMPTY, NAME_REFUSED, Selection, walk_folder


def _folder(root: Path) -> Path:
    (root / "a" / ".hidden").mkdir(parents=True)
    (root / "a" / "talk.mp4").write_bytes(b"x" * 10)
    (root / "a" / ".hidden" / "secret.mp4").write_bytes(b"x")
    (root / "b.mp3").write_bytes(b"x" * 5)
    (root / "empty.mp4").write_bytes(b"")
    (root / "notes.txt").write_text("not media")
    (root / "bell\x07.mp4").write_bytes(b"x")
    os.mkfifo(root / "stream.mp4")
    return root


def test_the_walker_takes_media_and_says_why_it_skips_the_rest(tmp_path: Path) -> None:
    walk = walk_folder(_folder(tmp_path))
    assert [relative for _, relative in walk.files] == ["a/talk.mp4", "b.mp3"]
    reasons = {s.path.name: s.reason for s in walk.skipped}
    assert reasons["empty.mp4"] == EMPTY
    assert reasons["bell\x07.mp4"] == NAME_REFUSED
    assert "FIFO" in reasons["stream.mp4"]
    assert "not a media file" in reasons["notes.txt"]
    assert "secret.mp4" not in reasons  # hidden: left out without a word
    only_a = walk_folder(tmp_path, Selection(include=("a/*",)))
    assert [relative for _, relative in only_a.files] == ["a/talk.mp4"]


def test_upload_and_sync_take_the_same_files_of_a_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    uploaded = [item.path for item in collect([str(folder)]).items]
    synced = scan_directory(folder)
    assert uploaded == [item.path.resolve() for item in synced.items]
    assert [i.relative for i in synced.held] == ["empty.mp4"]  # its entry is left as it is


def test_an_upload_manifest_is_read_by_the_sync_reader_with_upload_columns(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").write_bytes(b"x")
    (tmp_path / "e.mp4").write_bytes(b"")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(
        '{"path": "a.mp4", "name": "A", "category": "Root>X", "referenceId": "r-1"}\n'
        '{"path": "e.mp4", "name": "", "category": "", "referenceId": "r-2"}\n'
    )
    skipped: list = []
    (item,) = read_manifest(manifest, skipped)
    assert (item.path, item.name, item.category, item.reference_id) == (
        (tmp_path / "a.mp4").resolve(), "A", "Root>X", "r-1",
    )  # fmt: skip
    assert item.description is None  # absent: the command's flag applies
    assert [s.reason for s in skipped] == [EMPTY]
    manifest.write_text('{"path": "a.mp4", "adminTags": "x"}\n')
    with pytest.raises(ConfigError, match="unknown columns adminTags"):
        read_manifest(manifest)  # a column upload does not set is refused, never ignored
