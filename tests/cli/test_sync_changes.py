"""``sync`` when the files move under it: a file edited while it uploads is sent again from its
new content on the next run, and the half-sent upload of the old content is removed."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import live_entries, open_tokens
from tests.cli.test_sync import _wait_for_a_confirmed_chunk

Runner = Callable[..., Any]


def test_a_file_edited_while_it_uploads_is_sent_again_from_its_new_content(
    cli: Runner, sandbox_env: Any, installed: list[str], tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    folder = tmp_path / "course"
    folder.mkdir()
    clip = folder / "talk.mp4"
    clip.write_bytes(os.urandom(1_200_000))
    sandbox_env.faults.latency = 0.05  # slow enough to edit the file half way
    state = Path(os.environ["KALTURA_MM_STATE_DIR"])
    argv = [*installed, "sync", str(folder), "-c", "Course", "--yes", "--chunk-size", "100kB"]
    running = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_a_confirmed_chunk(state / "state.db", running)
    edited = os.urandom(900_000)
    clip.write_bytes(edited)
    out, err = running.communicate(timeout=120)
    assert running.returncode != 0 and "changed" in out + err, (out, err)
    sandbox_env.faults.latency = 0
    again = cli("--json", "sync", str(folder), "-c", "Course", "--yes", "--chunk-size", "100kB")
    assert again.code == 0, again.err
    (line,) = again.json_lines()
    assert (line["action"], line["status"]) == ("add", "done")
    (entry,) = [e for e in live_entries(sandbox_env) if e["display_in_search"] != -1]
    assert entry["id"] == line["entry_id"]
    assert sandbox_env.entry_bytes(entry["id"]).read_bytes() == edited
    assert open_tokens(sandbox_env) == []
    assert [e["id"] for e in live_entries(sandbox_env)] == [entry["id"]]  # the half-sent is gone
    third = cli("--json", "sync", str(folder), "-c", "Course", "--plan")
    assert [r["action"] for r in third.json_lines()] == ["keep"]
