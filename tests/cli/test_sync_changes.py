"""``sync`` when things move under it: a file edited while it uploads is sent again from its new
content on the next run (the half-sent upload of the old content removed); an index that lags
behind is waited out, as ``list --all`` waits it out."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.ground import live_entries, open_tokens
from tests.cli.test_sync import _wait_for_a_confirmed_chunk
from tests.integration.sync_support import media

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
    third = cli("--json", "sync", str(folder), "-c", "Course", "--plan", "--show-keep")
    assert [r["action"] for r in third.json_lines()] == ["keep"]


@pytest.mark.kaltura_sandbox(index_lag=5)
def test_sync_waits_out_the_index_when_it_lags(
    cli: Runner, sandbox_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Alice's USER session lists only her own entries. One of them was just given to Bob: for
    # the index's 5 s of lag it still counts it as hers, and the re-read drops it, so the
    # listing must wait for the index to catch up (as `list --all` does), not give up at once.
    course = sandbox_env.create_category("Course")
    ids = sandbox_env.seed_entries(course, 3, name_prefix="talk")
    with sandbox_env.core.store.tx() as conn:
        conn.execute("UPDATE entries SET user_id = 'alice'")
    sandbox_env.index.settle()
    with sandbox_env.core.store.tx() as conn:
        conn.execute("UPDATE entries SET user_id = 'bob' WHERE id = ?", (ids[2],))
    ks = cli("ks", "generate", "--type", "user", "--user", "alice", "-q")
    monkeypatch.setenv("KALTURA_KS", ks.out.strip())
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    media(tmp_path / "src", "a.mp4")
    began = time.monotonic()
    planned = cli("--json", "sync", str(tmp_path / "src"), "-c", "Course", "--plan", "--show-keep")
    assert planned.code == 0, planned.err
    assert time.monotonic() - began >= 2  # it paused for the index
    extras = sorted(r["entry_id"] for r in planned.json_lines() if r["action"] == "extra")
    assert extras == sorted(ids[:2])
