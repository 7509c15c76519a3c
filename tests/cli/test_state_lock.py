"""Two runs of the same upload at once (cron): the second waits or stops, naming the first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.cli.ground import live_entries
from tests.cli.test_interrupts import _argv, _wait_for_progress, slow_drop

__all__ = ["slow_drop"]  # the fixture, shared with the interrupt tests


def _records(text: str) -> dict[str, dict[str, Any]]:
    return {json.loads(line)["path"]: json.loads(line) for line in text.splitlines()}


def test_a_second_run_stops_naming_the_first_and_a_waiting_one_reports_the_server(
    installed: list[str], slow_drop: dict[str, Any]
) -> None:
    argv = [*_argv(installed, slow_drop), "--json"]
    env = slow_drop["env"]
    first = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    _wait_for_progress(slow_drop["state"])
    second = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    assert second.returncode == 7, second.stderr
    error = json.loads(second.stderr.splitlines()[-1])
    assert f"process {first.pid}" in error["message"] and "--lock-wait" in error["fix"]
    assert second.stdout == ""
    waiting = subprocess.Popen(
        [*argv, "--lock-wait", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    later_out, later_err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, later_err
    made, later = _records(out), _records(later_out)
    assert {r["status"] for r in made.values()} == {"uploaded"}
    assert {r["status"] for r in later.values()} == {"skipped"}
    assert {p: r["entry_id"] for p, r in later.items()} == {
        p: r["entry_id"] for p, r in made.items()
    }
    on_server = {e["id"] for e in live_entries(slow_drop["sandbox"])}
    assert on_server == {r["entry_id"] for r in made.values()}


def test_a_lock_left_by_a_dead_process_is_taken_over(
    installed: list[str], slow_drop: dict[str, Any]
) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    state: Path = slow_drop["state"]
    state.mkdir(parents=True)
    left = {"pid": int(dead.stdout), "host": "here", "started_at": 0, "command": ["kaltura-mm"]}
    (state / "run.lock").write_text(json.dumps(left))
    slow_drop["sandbox"].faults.latency = 0.0
    run = subprocess.run(
        _argv(installed, slow_drop),
        capture_output=True,
        text=True,
        env=slow_drop["env"],
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert f"took over the lock left by process {int(dead.stdout)}" in run.stderr
