"""Every CSV kaltura-mm writes keeps a formula a formula's text: a cell a spreadsheet would run
(``=HYPERLINK(...)``, a leading ``+ - @``, tab, CR) gets a leading ``'``, and reads back exactly."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kaltura_mm.tables import csv_cell, plain_cell, safe_cell
from tests.cli.ground import live_entries
from tests.integration.sync_support import media

Runner = Callable[..., Any]
EVIL = '=HYPERLINK("http://attacker.example/x","click")'


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_list_sync_and_upload_reports_escape_formulas(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Course")
    (entry,) = sandbox_env.seed_entries(category, 1)
    edit = cli("update", entry, "--name", EVIL, "--description", "@SUM(1+1)", "-q")
    assert edit.code == 0, edit.err
    listed = cli("list", "-c", "Course", "--format", "csv")
    (row,) = _rows(listed.out)
    assert (row["name"], row["description"]) == ("'" + EVIL, "'@SUM(1+1)")
    exported = tmp_path / "export.csv"
    exported.write_text(listed.out)
    again = cli("--json", "update", "--from-file", str(exported))  # an export fed back
    assert again.code == 0, again.err
    assert [r["status"] for r in again.json_lines()] == ["already_done"]
    assert live_entries(sandbox_env)[0]["name"] == EVIL
    media(tmp_path / "src", "-1+2.mp4")
    report = tmp_path / "report.csv"
    uploaded = cli("upload", str(tmp_path / "src"), "--report", str(report), "-q")
    assert uploaded.code == 0, uploaded.err
    (reported,) = _rows(report.read_text())
    assert reported["name"] == "'-1+2"
    manifest = tmp_path / "m.csv"
    with manifest.open("w", newline="") as out:
        csv.writer(out).writerows([("path", "name"), ("src/-1+2.mp4", "+" + EVIL)])
    synced = cli("sync", str(manifest), "-c", "Course", "--yes", "--format", "csv")
    assert synced.code == 0, synced.err
    names = [r["name"] for r in _rows(synced.out)]
    assert names == ["'+" + EVIL]


def test_the_escape_reads_back_exactly() -> None:
    for value in ("=1", "'=1", "''=1", "plain", "'quoted", "\tx", "\rx", "-", "", "a=b"):
        assert plain_cell(safe_cell(value)) == value
    assert [csv_cell(v) for v in (None, -1, "-1", "@x")] == ["", -1, "'-1", "'@x"]
