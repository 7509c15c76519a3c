"""``--report FILE`` for the batch commands ``detach``, ``delete``, ``move``, ``add`` and
``update``: one JSON line per item (the ``--json`` record), whatever the terminal shows."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.ground import in_category, live_entries

Runner = Callable[..., Any]


@pytest.fixture
def course(sandbox_env: Any) -> dict[str, Any]:
    category = sandbox_env.create_category("Root>Course")
    archive = sandbox_env.create_category("Root>Archive")
    entries = sandbox_env.seed_entries(category, 3, name_prefix="talk")
    return {"id": category, "archive": archive, "entries": entries}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_detach_move_add_and_delete_write_one_line_per_entry(
    cli: Runner, sandbox_env: Any, course: dict[str, Any], tmp_path: Path
) -> None:
    one, two, three = course["entries"]
    report = tmp_path / "report.jsonl"
    steps = [
        ("detach", one, "-c", "Root>Course"),
        ("move", two, "-c", "Root>Course", "--to", "Root>Archive"),
        ("add", one, three, "-c", "Root>Archive"),
        ("delete", three, "nope_1234"),
    ]
    seen = []
    for step in steps:
        result = cli(*step, "--yes", "-q", "--report", str(report))
        assert result.out == ""  # -q: no table; the report still holds every item
        seen.append(sorted((r["entry_id"], r["action"], r["status"]) for r in _lines(report)))
    assert seen == [
        [(one, "detach", "done")],
        [(two, "move", "done")],
        sorted([(one, "add", "done"), (three, "add", "done")]),
        sorted([(three, "delete", "done"), ("nope_1234", "delete", "failed")]),  # made anew
    ]
    (failed,) = [r for r in _lines(report) if r["status"] == "failed"]
    assert failed["error"] == "ENTRY_ID_NOT_FOUND" and failed["message"]
    assert in_category(sandbox_env, course["id"]) == []
    assert in_category(sandbox_env, course["archive"]) == sorted([one, two])
    assert three not in {e["id"] for e in live_entries(sandbox_env)}


def test_a_dry_run_reports_its_verdicts_and_a_bad_path_is_refused_first(
    cli: Runner, sandbox_env: Any, course: dict[str, Any], tmp_path: Path
) -> None:
    one = course["entries"][0]
    bad = tmp_path / "no" / "such" / "report.jsonl"
    refused = cli("detach", one, "-c", "Root>Course", "--yes", "--report", str(bad))
    assert refused.code == 2 and "--report" in refused.err
    assert one in in_category(sandbox_env, course["id"])  # refused before anything was sent
    report = tmp_path / "dry.jsonl"
    dry = cli("detach", one, "-c", "Root>Course", "--dry-run", "--report", str(report))
    assert dry.code == 0, dry.err
    assert [(r["entry_id"], r["status"]) for r in _lines(report)] == [(one, "would_change")]


def test_update_reports_the_json_record_beside_a_table(
    cli: Runner, sandbox_env: Any, course: dict[str, Any], tmp_path: Path
) -> None:
    one, two, _ = course["entries"]
    report = tmp_path / "update.jsonl"
    result = cli("update", one, two, "--name", "Week 1", "--report", str(report))
    assert result.code == 0, result.err
    assert '"Week 1"' in result.out  # the table, as a person reads it
    lines = _lines(report)
    assert [(r["entry_id"], r["status"]) for r in lines] == [(one, "done"), (two, "done")]
    assert lines[0]["changes"]["name"][1] == "Week 1"  # {field: [before, after]}, as --json
    empty = tmp_path / "rows.csv"
    empty.write_text("id,name\n", encoding="utf-8")
    nothing = cli("update", "--from-file", str(empty), "--report", str(report))
    assert nothing.code == 0 and report.read_text(encoding="utf-8") == ""
