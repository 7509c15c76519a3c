"""The question before ``sync``/``detach``/``delete``/``move`` is one line per change, and
``-q`` prints each failure (one line on stderr) and nothing else."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.sync_support import media

Runner = Callable[..., Any]


def test_the_confirmation_shows_one_line_per_change(
    cli: Runner, sandbox_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    course = sandbox_env.create_category("Course")
    ids = sandbox_env.seed_entries(course, 2, name_prefix="talk")
    media(tmp_path / "src", "a.mp4")
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    declined = cli("sync", str(tmp_path / "src"), "-c", "Course")
    assert declined.code == 1 and "nothing was changed" in declined.err
    assert "\\n" not in declined.err
    assert "About to change Course:\n  add" in declined.err
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    kept = cli("delete", *ids)
    assert "\\n" not in kept.err
    assert f"About to delete 2 entries:\n  {ids[0]}  talk 1\n  {ids[1]}  talk 2" in kept.err


def test_quiet_prints_the_failures_and_nothing_else(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Handouts")
    media(tmp_path, "talk.mp4")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 8)
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,name\ntalk.mp4,Talk\nnotes.pdf,Notes\n")
    synced = cli("sync", str(manifest), "-c", "Handouts", "--yes", "-q")
    assert synced.code == 3
    assert synced.out == ""
    (line,) = synced.err.splitlines()  # the one failure, and nothing about the one done
    assert line.startswith("kaltura-mm: failed: notes.pdf: ") and "--documents" in line
    missing = cli("delete", "0_nothere", "--yes", "-q")
    assert missing.code == 5
    (gone,) = missing.err.splitlines()
    assert gone.startswith("kaltura-mm: failed: 0_nothere: ")
    fine = cli("sync", str(manifest), "-c", "Handouts", "--yes", "-q", "--documents")
    assert (fine.code, fine.out, fine.err) == (0, "", "")
