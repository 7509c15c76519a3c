"""The suite's verdict logic and its outputs (table, JSON round trip, docs page)."""

from __future__ import annotations

from pathlib import Path

from reliability import report
from reliability.harness import Verdict


def _verdict(passed: bool) -> Verdict:
    verdict = Verdict("demo", "Demo | scenario", tried="3 things", survived="all 3")
    verdict.check("first", True, "fine")
    verdict.check("second", passed, "" if passed else "broke")
    verdict.figures = {"files": 3}
    return verdict


def test_a_verdict_passes_only_with_checks_all_passing_and_no_error() -> None:
    assert _verdict(True).passed
    assert not _verdict(False).passed
    assert not Verdict("empty", "Empty").passed  # no check is not a pass
    errored = _verdict(True)
    errored.error = "RuntimeError: boom"
    assert not errored.passed


def test_json_round_trip_and_markdown(tmp_path: Path) -> None:
    verdicts = [_verdict(True), _verdict(False)]
    doc = report.document(verdicts, smoke=True, seed=7)
    report.write_json(tmp_path / "run.json", doc)
    again, read = report.read_json(tmp_path / "run.json")
    assert [v.as_json() for v in read] == [v.as_json() for v in verdicts]
    assert again["passed"] is False and again["mode"] == "smoke"
    page = report.markdown(again, read, "Intro text.")
    assert page.startswith("# Reliability and security")
    assert report.COMMAND in page and "Intro text." in page
    assert "| Demo \\| scenario | yes | 2/2 | 3 things | all 3 |" in page and "**NO**" in page
    assert "| files | 3 |" in page


def test_table_has_one_row_per_scenario() -> None:
    text = report.table([_verdict(True), _verdict(False)])
    lines = text.splitlines()
    assert len(lines) == 4 and "NO" in lines[3] and "yes" in lines[2]
