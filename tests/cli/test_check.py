"""``kaltura-mm check SOURCE -c CATEGORY``: 0 in step, 1 with one line per difference, 2 on
error; it reads what ``sync --plan`` reads and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.integration.sync_support import media, writes

Runner = Callable[..., Any]


def test_check_says_in_step_then_each_difference_and_writes_nothing(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    folder = tmp_path / "course"
    files = [media(folder, f"clip{i}.mp4") for i in range(3)]
    assert cli("sync", str(folder), "-c", "Course", "--yes", "-q").code == 0
    fine = cli("check", str(folder), "-c", "Course")
    assert (fine.code, fine.out) == (0, ""), fine.err
    assert "in step" in fine.err
    before = writes(sandbox_env)
    media(folder, "new.mp4")
    files[0].write_bytes(b"other content" * 300)
    files[2].unlink()
    differ = cli("check", str(folder), "-c", "Course")
    assert differ.code == 1, differ.err
    lines = differ.out.splitlines()
    assert sorted(line.split()[0] for line in lines) == ["add", "extra", "replace"]
    assert any(line.startswith("add  new.mp4") for line in lines)
    as_json = cli("--json", "check", str(folder), "-c", "Course")
    assert as_json.code == 1
    records = [json.loads(line) for line in as_json.out.splitlines()]
    assert sorted(r["action"] for r in records) == ["add", "extra", "replace"]
    assert all(r["name"] for r in records)
    ignoring = cli("check", str(folder), "-c", "Course", "--ignore-extra")
    assert ignoring.code == 1 and len(ignoring.out.splitlines()) == 2
    assert writes(sandbox_env) == before  # check changed nothing
    pruned = cli("--json", "check", str(folder), "-c", "Course", "--prune", "delete")
    # a pruned extra is shown as what is done to it (its delete), and stays an extra
    [extra] = [r for r in map(json.loads, pruned.out.splitlines()) if r["action"] == "delete"]
    assert extra["actions"] == ["extra", "delete"]


def test_check_exits_2_on_error(cli: Runner, sandbox_env: Any, tmp_path: Path) -> None:
    folder = tmp_path / "course"
    media(folder, "clip.mp4")
    missing = cli("check", str(folder), "-c", "No Such Category")
    assert missing.code == 2 and missing.out == ""
    assert "No Such Category" in missing.err
    no_source = cli("check", str(tmp_path / "nowhere"), "-c", "Course")
    assert no_source.code == 2
    sandbox_env.create_category("Course")
    bad_secret = cli("--admin-secret", "wrong", "check", str(folder), "-c", "Course")
    assert bad_secret.code == 2, bad_secret.err
