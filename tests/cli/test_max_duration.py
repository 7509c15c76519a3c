"""``--max-duration``: a run stops cleanly when its time is up (exit 8), and the same command
again finishes the job without a second entry."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import in_category, live_entries

Runner = Callable[..., Any]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    for i in range(3):
        (folder / f"part{i}.mp4").write_bytes(os.urandom(700_000 + i))
    return folder


def test_an_upload_stops_at_its_max_duration_and_resumes(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    drop = sandbox_env.create_category("Root>Drop")
    sandbox_env.faults.latency = 0.1  # 21 chunks one at a time: well over a second
    folder = _folder(tmp_path)
    argv = ("upload", str(folder), "-c", "Root>Drop", "--chunk-size", "100kB", "--concurrency", "1")
    stopped = cli("--json", *argv, "--max-duration", "1")
    assert stopped.code == 8, stopped.err
    statuses = [r["status"] for r in stopped.json_lines()]
    assert "uploaded" not in statuses or len(statuses) == 3
    assert set(statuses) & {"cancelled", "not_started"}
    sandbox_env.faults.latency = 0
    again = cli("--json", *argv)
    assert again.code == 0, again.err
    assert len(in_category(sandbox_env, drop)) == 3
    assert len(live_entries(sandbox_env)) == 3  # resumed, never made twice


def test_a_sync_stops_at_its_max_duration_and_resumes(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Course")
    sandbox_env.faults.latency = 0.1
    folder = _folder(tmp_path)
    argv = ("sync", str(folder), "-c", "Course", "--yes", "--chunk-size", "100kB")
    stopped = cli(*argv, "--concurrency", "1", "--max-duration", "1")
    assert stopped.code == 8, stopped.err
    assert "--max-duration" in stopped.err
    sandbox_env.faults.latency = 0
    again = cli(*argv, "-q")
    assert again.code == 0, again.err
    assert len(in_category(sandbox_env, course)) == 3
    assert len(live_entries(sandbox_env)) == 3


def test_retry_failed_uploads_only_what_failed_last_time(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    drop = sandbox_env.create_category("Root>Drop")
    folder = tmp_path / "media"
    folder.mkdir()
    (folder / "a.mp4").write_bytes(os.urandom(50_000))
    sandbox_env.faults.fail_conversions = True  # the upload lands, its conversion fails
    failed = cli("--json", "upload", str(folder), "-c", "Root>Drop", "--wait-ready")
    assert failed.code != 0
    assert [r["status"] for r in failed.json_lines()] == ["failed"]
    sandbox_env.faults.fail_conversions = False
    (folder / "b.mp4").write_bytes(os.urandom(60_000))  # new since: not a failure to retry
    retried = cli("--json", "upload", str(folder), "-c", "Root>Drop", "--retry-failed")
    assert retried.code == 0, retried.err
    (line,) = retried.json_lines()
    assert line["path"].endswith("a.mp4") and line["status"] in ("uploaded", "resumed")
    assert len(in_category(sandbox_env, drop)) == 1  # b.mp4 left for a plain run
    nothing = cli("upload", str(folder), "-c", "Root>Drop", "--retry-failed")
    assert nothing.code == 0 and "0 files failed last time" in nothing.err


def test_a_replace_stops_at_its_max_duration_and_resumes(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    first = tmp_path / "talk.mp4"
    first.write_bytes(os.urandom(40_000))
    made = cli("--json", "upload", str(first), "--wait-ready")
    assert made.code == 0, made.err
    entry_id = str(made.json_lines()[0]["entry_id"])
    new = tmp_path / "v2.mp4"
    new.write_bytes(os.urandom(1_000_000))
    sandbox_env.faults.latency = 0.1  # 10 chunks one at a time: over a second
    argv = ("replace", entry_id, str(new), "--chunk-size", "100kB", "--concurrency", "1")
    stopped = cli("--json", *argv, "--max-duration", "1")
    assert stopped.code == 8, stopped.err
    assert [r["status"] for r in stopped.json_lines()] == ["cancelled"]
    assert "--max-duration" in stopped.err and f"replace {entry_id}" in stopped.err
    sandbox_env.faults.latency = 0
    again = cli("--json", *argv, "--wait-ready")
    assert again.code == 0, again.err
    (line,) = again.json_lines()
    assert line["status"] == "replaced" and line["bytes_resumed"] > 0  # resumed, not re-sent
    assert sandbox_env.entry_bytes(entry_id).read_bytes() == new.read_bytes()
    assert [e["id"] for e in live_entries(sandbox_env) if e["id"] == entry_id] == [entry_id]
