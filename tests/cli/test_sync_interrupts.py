"""Ctrl-C during ``sync``: the half-sent upload is kept (entry and token), reported
``cancelled``, and the re-run sends only what the server does not have yet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import live_entries, open_tokens
from tests.cli.test_sync import _wait_for_a_confirmed_chunk

Runner = Callable[..., Any]
SIZE, CHUNK = 1_200_000, 100_000  # 12 chunks


def _chunks_sent(sb: Any) -> int:
    return int(sb.stats.calls[("uploadtoken", "upload")])


def _interrupted(sandbox_env: Any, installed: list[str], folder: Path) -> tuple[str, str]:
    sandbox_env.faults.latency = 0.05  # slow enough to stop half way
    state = Path(os.environ["KALTURA_MM_STATE_DIR"])
    argv = [
        *installed,
        "--json",
        "sync",
        str(folder),
        "-c",
        "Course",
        "--yes",
        "--chunk-size",
        "100kB",
    ]
    running = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_a_confirmed_chunk(state / "state.db", running)
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=60)
    sandbox_env.faults.latency = 0
    assert running.returncode == 130, err
    return out, err


def test_ctrl_c_keeps_the_half_sent_upload_and_the_rerun_resumes_it(
    cli: Runner, sandbox_env: Any, installed: list[str], tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "talk.mp4").write_bytes(os.urandom(SIZE))
    out, err = _interrupted(sandbox_env, installed, folder)
    (line,) = [json.loads(x) for x in out.splitlines() if x.strip()]
    assert (line["action"], line["status"]) == ("add", "cancelled"), line
    (half,) = live_entries(sandbox_env)  # kept, as the message says
    assert line["entry_id"] == half["id"]
    assert "Run the same command again to finish" in err
    sent = _chunks_sent(sandbox_env)
    again = cli("--json", "sync", str(folder), "-c", "Course", "--yes", "--chunk-size", "100kB")
    assert again.code == 0, again.err
    (done,) = again.json_lines()
    assert (done["status"], done["entry_id"]) == ("done", half["id"])  # the same entry
    resent = _chunks_sent(sandbox_env) - sent
    assert resent < SIZE // CHUNK, f"the re-run sent {resent} chunks: the whole file again"
    assert open_tokens(sandbox_env) == []


def test_a_file_edited_after_ctrl_c_is_sent_again_and_the_half_sent_one_removed(
    cli: Runner, sandbox_env: Any, installed: list[str], tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    folder = tmp_path / "course"
    folder.mkdir()
    clip = folder / "talk.mp4"
    clip.write_bytes(os.urandom(SIZE))
    _interrupted(sandbox_env, installed, folder)
    (half,) = live_entries(sandbox_env)
    edited = os.urandom(700_000)
    clip.write_bytes(edited)
    again = cli("--json", "sync", str(folder), "-c", "Course", "--yes", "--chunk-size", "100kB")
    assert again.code == 0, again.err + again.out
    assert "changed since its upload stopped" in again.err
    (done,) = again.json_lines()
    assert done["status"] == "done" and done["entry_id"] != half["id"]
    (entry,) = [e for e in live_entries(sandbox_env) if e["display_in_search"] != -1]
    assert entry["id"] == done["entry_id"]  # the half-sent entry is gone
    assert sandbox_env.entry_bytes(entry["id"]).read_bytes() == edited
    assert open_tokens(sandbox_env) == []
