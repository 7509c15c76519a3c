"""``kaltura-mm demo``, the README's first command: the installed command, start to end."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest


def test_demo_runs_the_main_job_and_says_what_happened(
    installed: list[str], tmp_path: Path
) -> None:
    env = {**os.environ, "KALTURA_MM_STATE_DIR": str(tmp_path)}
    done = subprocess.run([*installed, "demo"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for command in (
        "$ kaltura-mm upload",
        "$ kaltura-mm list",
        "$ kaltura-mm detach",
        "$ kaltura-mm delete",
    ):
        assert command in out
    assert "What happened" in out
    assert "Traceback" not in done.stderr
    # The commands it shows can be pasted into a shell: "Demo>Lectures" unquoted is a redirect.
    shown = [line[2:] for line in out.splitlines() if line.startswith("$ kaltura-mm ")]
    assert shown
    assert all(line == shlex.join(shlex.split(line)) for line in shown), shown


@pytest.mark.parametrize("files", [2, 4])
def test_demo_json_summary_is_consistent(files: int, installed: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "KALTURA_MM_STATE_DIR": str(tmp_path)}
    done = subprocess.run(
        [*installed, "--json", "demo", "--files", str(files)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.strip().splitlines()
    summary = json.loads(line)
    assert len(summary["uploaded"]) == files
    assert summary["detached"] not in summary["remaining"]
    assert summary["deleted"] not in summary["remaining"]
    assert sorted(summary["remaining"]) == sorted(summary["uploaded"][2:])
    assert summary["seconds"] < 30
