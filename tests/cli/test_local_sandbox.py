"""``--sandbox``: separate invocations of the installed command share one persistent sandbox."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def shell(installed: list[str], tmp_path: Path) -> Iterator[Any]:
    """Run the installed command with a private state dir; stop the sandbox afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env["KALTURA_MM_STATE_DIR"] = str(tmp_path / "state")
    env["KALTURA_MM_CONFIG"] = str(tmp_path / "none.toml")

    def run(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*installed, *argv],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            input=stdin,
        )

    run.state = tmp_path / "state"  # type: ignore[attr-defined]
    yield run
    run("sandbox", "stop")


def test_upload_list_delete_chain_across_invocations(shell: Any, tmp_path: Path) -> None:
    clip = tmp_path / "talk.mp4"
    clip.write_bytes(os.urandom(120_000))
    uploaded = shell("--sandbox", "--json", "upload", str(clip))
    assert uploaded.returncode == 0, uploaded.stderr
    entry_id = json.loads(uploaded.stdout)["entry_id"]
    info = shell.state / "sandbox" / "server.json"
    assert stat.S_IMODE(info.stat().st_mode) == 0o600
    assert entry_id in _listed_soon(shell, entry_id)
    declined = shell("--sandbox", "delete", entry_id, stdin="no\n")
    assert declined.returncode == 1
    assert "About to delete 1 entries" in declined.stderr
    deleted = shell("--sandbox", "--json", "delete", entry_id, stdin="y\n")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout)["status"] == "done"
    assert shell("--sandbox", "get", entry_id).returncode == 5


def _listed_soon(shell: Any, entry_id: str, timeout: float = 20.0) -> str:
    """Return ``list``'s output once it shows ``entry_id``: lists lag writes (the search index),
    so a user's script polls, as it would against the real server."""
    deadline = time.monotonic() + timeout
    while True:
        listed = shell("--sandbox", "--json", "list", "--any-status")
        assert listed.returncode == 0, listed.stderr
        if entry_id in listed.stdout or time.monotonic() > deadline:
            return str(listed.stdout)
        time.sleep(0.25)


def test_data_survives_a_stop(shell: Any, tmp_path: Path) -> None:
    clip = tmp_path / "kept.mp4"
    clip.write_bytes(os.urandom(50_000))
    entry_id = json.loads(shell("--sandbox", "--json", "upload", str(clip)).stdout)["entry_id"]
    assert shell("sandbox", "stop").returncode == 0
    status = json.loads(shell("sandbox", "status", "--json").stdout)
    assert status["running"] is False
    again = shell("--sandbox", "--json", "get", entry_id)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["id"] == entry_id
