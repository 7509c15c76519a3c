"""Progress of ``sync``/``apply`` counted in items: a bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kaltura_mm.commands.item_progress import ItemProgress
from tests.integration.sync_support import media

Runner = Callable[..., Any]


def test_a_sync_off_a_terminal_ends_with_a_line_of_its_items(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        media(tmp_path / "src", name)
    done = cli("sync", str(tmp_path / "src"), "-c", "Course", "--yes")
    assert done.code == 0, done.err
    assert "sync: 3/3 items" in done.err
    quiet = cli("sync", str(tmp_path / "src"), "-c", "Course", "--yes", "-q")
    assert "items" not in quiet.err


def test_plain_lines_come_every_interval_and_name_the_failures() -> None:
    stream = io.StringIO()
    with ItemProgress(stream, "sync", 3, tty=False, interval=0) as shown:
        shown.item_ended(True)
        shown.item_ended(False)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("sync: 1/3 items")
    assert lines[1].startswith("sync: 2/3 items (1 failed or stopped)")


def test_a_terminal_gets_a_bar_counting_items() -> None:
    stream = io.StringIO()
    with ItemProgress(stream, "sync", 2, tty=True) as shown:
        shown.item_ended(True)
        shown.item_ended(True)
    assert "2/2" in stream.getvalue()


def test_a_replace_off_a_terminal_shows_its_bytes(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Talks")
    made = cli("--json", "upload", str(media(tmp_path, "talk.mp4")), "-c", "Talks")
    entry_id = made.json_lines()[0]["entry_id"]
    new = media(tmp_path, "talk-v2.mp4", 250_000)
    replaced = cli("replace", entry_id, str(new), "--chunk-size", "100kB", "--wait-ready")
    assert replaced.code == 0, replaced.err
    assert f"talk-v2.mp4 -> {entry_id}" in replaced.err
    assert "1/1 files" in replaced.err and "250.0 kB/250.0 kB" in replaced.err
    quiet = cli("replace", entry_id, str(media(tmp_path, "v3.mp4", 120_000)), "-q")
    assert quiet.code == 0 and "files" not in quiet.err
