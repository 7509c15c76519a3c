"""What a folder holds besides media: skipped with the reason, never a failed run; odd names."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.ground import live_entries

Runner = Callable[..., Any]


@pytest.fixture
def drop(sandbox_env: Any) -> Any:
    sandbox_env.create_category("Root>Drop")
    return sandbox_env


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "lectures"
    (folder / "drafts").mkdir(parents=True)
    for name in ("week1.mp4", "week2.mp3", "drafts/take2.mp4"):
        (folder / name).write_bytes(os.urandom(5_000))
    (folder / "notes.txt").write_text("remember the projector")
    (folder / ".DS_Store").write_bytes(b"\0" * 10)
    os.mkfifo(folder / "stream.mp4")
    (folder / "gone.mp4").symlink_to(tmp_path / "nowhere.mp4")
    return folder


def test_what_is_not_media_is_skipped_with_a_reason_and_the_run_succeeds(
    cli: Runner, drop: Any, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    result = cli("--json", "upload", str(folder), "-c", "Root>Drop")
    assert result.code == 0, result.err
    uploaded = {Path(r["path"]).name for r in result.json_lines()}
    assert uploaded == {"week1.mp4", "week2.mp3", "take2.mp4"}
    notices = {Path(n["path"]).name: n["message"] for n in map(json.loads, result.err.splitlines())}
    assert set(notices) == {"notes.txt", "stream.mp4", "gone.mp4"}
    assert "not a media file" in notices["notes.txt"] and "--documents" in notices["notes.txt"]
    assert "FIFO" in notices["stream.mp4"]
    assert "symbolic link to nothing" in notices["gone.mp4"]


def test_include_and_exclude_choose_among_the_files_found(
    cli: Runner, drop: Any, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    result = cli("--json", "upload", str(folder), "-c", "Root>Drop",
                 "--include", "*.mp4", "--exclude", "drafts/*")  # fmt: skip
    assert result.code == 0, result.err
    assert [Path(r["path"]).name for r in result.json_lines()] == ["week1.mp4"]
    # left out by the globs without a word; what the globs take and cannot upload is noted
    noted = {Path(json.loads(n)["path"]).name for n in result.err.splitlines()}
    assert noted == {"stream.mp4", "gone.mp4"}


def test_control_characters_in_file_names_never_reach_the_terminal(
    cli: Runner, drop: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "talk\x1b[2J\x07.mp4").write_bytes(os.urandom(5_000))  # Kaltura refuses the name
    (folder / "csi\x9b2J.mp4").write_bytes(os.urandom(5_000))  # a C1 control: a valid name
    (folder / "bell\x07.txt").write_text("x")
    table = cli("upload", str(folder), "-c", "Root>Drop")
    assert table.code == 0, table.err
    for text in (table.out, table.err):
        assert not any(c in text for c in "\x1b\x07\x9b")
    assert "csi\\x9b2J.mp4" in table.out and "uploaded" in table.out
    assert "talk\\e[2J\\x07.mp4: its name holds control characters" in table.err
    assert "bell\\x07.txt" in table.err
    (entry,) = live_entries(drop)
    assert entry["name"] == "csi\x9b2J"  # the entry keeps its real name
    named = cli("upload", str(folder / "talk\x1b[2J\x07.mp4"), "-c", "Root>Drop")
    assert named.code == 2
    assert "\x1b" not in named.err and "rename the file" in named.err
