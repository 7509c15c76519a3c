"""``sync --retry-failed`` and ``apply --retry-failed``: only the items whose last apply failed,
never a second entry for one of them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import in_category, live_entries

Runner = Callable[..., Any]


def _file(folder: Path, name: str, size: int = 300_000) -> Path:
    path = folder / name
    path.write_bytes(os.urandom(size))
    return path


def _media(tmp_path: Path) -> Path:
    """Return a folder holding one file, a.mp4."""
    folder = tmp_path / "media"
    folder.mkdir()
    _file(folder, "a.mp4")
    return folder


def _by_path(result: Any) -> dict[str, str]:
    return {Path(r["path"]).name: r["status"] for r in result.json_lines() if r.get("path")}


def test_sync_retry_failed_applies_only_what_failed(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Course")
    folder = _media(tmp_path)
    assert cli("sync", str(folder), "-c", "Course", "--yes", "-q").code == 0
    _file(folder, "b.mp4")
    _file(folder, "c.mp4")
    sandbox_env.faults.inject("uploadToken", "upload", kinds=("http500",))
    # the first chunk rides with the request that makes the entry; the next ones are refused
    failed = cli(
        "--json", "--retries", "0", "sync", str(folder), "-c", "Course", "--yes",
        "--chunk-size", "100kB",
    )  # fmt: skip
    assert failed.code != 0
    assert _by_path(failed) == {"b.mp4": "failed", "c.mp4": "failed"}
    sandbox_env.faults.clear()
    _file(folder, "d.mp4")  # new since: a plain run adds it, a retry leaves it alone
    retried = cli("--json", "sync", str(folder), "-c", "Course", "--yes", "--retry-failed")
    assert retried.code == 0, retried.err
    assert _by_path(retried) == {"b.mp4": "done", "c.mp4": "done"}
    assert "2 items failed last time; 1 other change left alone" in retried.err
    assert len(in_category(sandbox_env, course)) == 3
    assert len(live_entries(sandbox_env)) == 3  # each retried file made one entry, not two
    again = cli("sync", str(folder), "-c", "Course", "--yes", "--retry-failed")
    assert again.code == 0 and "0 items failed last time" in again.err
    plain = cli("--json", "sync", str(folder), "-c", "Course", "--yes")
    assert _by_path(plain) == {"d.mp4": "done"}
    assert len(live_entries(sandbox_env)) == 4


def test_apply_retry_failed_applies_only_the_plan_items_that_failed(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Course")
    (stray,) = sandbox_env.seed_entries(course, 1, name_prefix="stray")
    folder = _media(tmp_path)
    plan = tmp_path / "plan.json"
    argv = ("sync", str(folder), "-c", "Course", "--prune", "detach", "--max-delete", "1")
    assert cli(*argv, "--plan-out", str(plan)).code == 0
    sandbox_env.faults.inject("uploadToken", "upload", kinds=("http500",))
    report = tmp_path / "first.jsonl"
    failed = cli(
        "--json", "--retries", "0", "apply", str(plan), "--max-delete", "1",
        "--chunk-size", "100kB",
        "--report", str(report),
    )  # fmt: skip
    assert failed.code == 3, failed.err  # the detach landed, the add failed
    statuses = sorted(json.loads(line)["status"] for line in report.read_text().splitlines())
    assert statuses == ["done", "failed"]
    sandbox_env.faults.clear()
    retried = cli("--json", "apply", str(plan), "--max-delete", "1", "--retry-failed")
    assert retried.code == 0, retried.err
    (line,) = retried.json_lines()  # the detach is not applied (nor checked) again
    assert (Path(line["path"]).name, line["status"]) == ("a.mp4", "done")
    assert "1 other change left alone" in retried.err
    assert stray not in in_category(sandbox_env, course)
    assert len(in_category(sandbox_env, course)) == 1
    assert len([e for e in live_entries(sandbox_env) if e["id"] != stray]) == 1
