"""SIGINT and SIGKILL in the middle of a batch upload, then a re-run: resumed, no duplicates."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

FILE_SIZE = 700_000
CHUNK = "100kB"


@pytest.fixture
def slow_drop(kaltura_sandbox: Any, tmp_path: Path) -> dict[str, Any]:
    """A sandbox answering every request 0.1 s late, a category, 3 files and a command env."""
    kaltura_sandbox.create_category("Root>Drop")
    kaltura_sandbox.faults.latency = 0.1
    folder = tmp_path / "media"
    folder.mkdir()
    for i in range(3):
        (folder / f"part{i}.mp4").write_bytes(os.urandom(FILE_SIZE + i))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(
        KALTURA_SERVICE_URL=kaltura_sandbox.service_url,
        KALTURA_PARTNER_ID=str(kaltura_sandbox.partner_id),
        KALTURA_ADMIN_SECRET=kaltura_sandbox.admin_secret,
        KALTURA_MM_STATE_DIR=str(tmp_path / "state"),
        KALTURA_MM_CONFIG=str(tmp_path / "none.toml"),
    )
    return {"sandbox": kaltura_sandbox, "folder": folder, "env": env, "state": tmp_path / "state"}


def _argv(installed: list[str], drop: dict[str, Any]) -> list[str]:
    return [
        *installed,
        "upload",
        str(drop["folder"]),
        "-c",
        "Root>Drop",
        "--chunk-size",
        CHUNK,
        "--concurrency",
        "1",
    ]


def journal_rows(state: Path) -> list[dict[str, Any]]:
    """Return the file records of the state database (none before it exists)."""
    if not (state / "state.db").exists():
        return []
    try:
        with contextlib.closing(sqlite3.connect(state / "state.db", timeout=5)) as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM files")]
    except sqlite3.OperationalError:  # the schema is being made
        return []


def _wait_for_progress(state: Path, timeout: float = 30.0) -> None:
    """Return once the journal shows a file part-way uploaded."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(f["status"] == "uploading" and f["bytes_done"] > 0 for f in journal_rows(state)):
            return
        time.sleep(0.05)
    raise AssertionError("the upload never got going")


def _finish_and_check(installed: list[str], drop: dict[str, Any]) -> list[dict[str, Any]]:
    drop["sandbox"].faults.latency = 0.0
    rerun = subprocess.run(
        [*_argv(installed, drop), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=drop["env"],
    )
    assert rerun.returncode == 0, rerun.stderr
    records = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert len(records) == 3
    drop["sandbox"].index.settle()  # lists lag writes: wait for the index before checking
    listed = subprocess.run(
        [*installed, "--json", "list", "-c", "Root>Drop", "--any-status", "--all"],
        capture_output=True,
        text=True,
        timeout=60,
        env=drop["env"],
    )
    entries = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted(e["id"] for e in entries) == sorted(r["entry_id"] for r in records)
    for record in records:
        served = drop["sandbox"].entry_bytes(record["entry_id"]).read_bytes()
        assert served == Path(record["path"]).read_bytes()
    return records


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_saves_state_and_a_rerun_resumes(
    presses: int, installed: list[str], slow_drop: dict[str, Any]
) -> None:
    process = subprocess.Popen(
        [*_argv(installed, slow_drop), "--report", str(slow_drop["state"] / "first.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=slow_drop["env"],
    )
    _wait_for_progress(slow_drop["state"])
    process.send_signal(signal.SIGINT)
    if presses == 2:
        time.sleep(0.05)
        process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    expected = "stopping now" if presses == 2 else "run the same command again"
    assert expected in err
    assert "Traceback" not in err
    if presses == 1:  # one file in flight (--concurrency 1): it stops, the others never start
        report = json.loads((slow_drop["state"] / "first.json").read_text())
        statuses = [r["status"] for r in report]
        assert statuses == ["cancelled", "not_started", "not_started"]
        kept = report[0]["entry_id"]  # the message says the entry is kept: it is named
        assert kept and slow_drop["sandbox"].core.store.one(
            "SELECT 1 FROM entries WHERE id = ?", (kept,)
        )
    records = _finish_and_check(installed, slow_drop)
    assert "resumed" in {r["status"] for r in records}


def test_sigkill_then_rerun_makes_no_duplicate(
    installed: list[str], slow_drop: dict[str, Any]
) -> None:
    process = subprocess.Popen(
        _argv(installed, slow_drop),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=slow_drop["env"],
    )
    _wait_for_progress(slow_drop["state"])
    process.kill()
    process.wait(timeout=10)
    records = _finish_and_check(installed, slow_drop)
    assert {r["status"] for r in records} <= {"uploaded", "resumed", "skipped", "existing"}


def test_the_resume_hint_pasted_into_a_shell_resumes_into_the_same_category(
    installed: list[str], slow_drop: dict[str, Any], tmp_path: Path
) -> None:
    sandbox = slow_drop["sandbox"]
    target = sandbox.create_category("University>Archive 2023>Spring")
    argv = _argv(installed, slow_drop)
    argv[argv.index("Root>Drop")] = "University>Archive 2023>Spring"
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=slow_drop["env"]
    )
    _wait_for_progress(slow_drop["state"])
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    lines = err.splitlines()
    hint = lines[lines.index(next(x for x in lines if "to resume" in x)) + 1].strip()
    assert hint.startswith("kaltura-mm ")
    sandbox.faults.latency = 0.0
    shell_env = {**slow_drop["env"], "PATH": f"{Path(installed[0]).parent}:/usr/bin:/bin"}
    work = tmp_path / "cwd"
    work.mkdir()
    pasted = subprocess.run(
        ["/bin/sh", "-c", hint + " --json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=shell_env,
        cwd=work,
    )
    assert pasted.returncode == 0, pasted.stderr
    assert list(work.iterdir()) == []  # no stray files made by an unquoted `>`
    records = [json.loads(line) for line in pasted.stdout.splitlines()]
    assert {r["category_ids"] for r in records} == {str(target)}
    assert len(records) == 3
