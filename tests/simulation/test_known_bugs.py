"""``--known-bugs`` is strict: a listed seed must fail exactly as listed, or the run fails."""

from __future__ import annotations

import re

import pytest

from simulation.__main__ import main
from simulation.known_bugs import KNOWN_BUGS, KnownBug, _seeds, judge

BUG = KnownBug(
    name="short-page",
    issue="issue 10 B",
    at_fault="flows/listing.py",
    evidence=(r"^listed_once: \d+ entries that lived throughout missed",),
    seeds=_seeds(list_all="3 8"),
    needs_event="list.short_page",
)
MISSED = "listed_once: 12 entries that lived throughout missed"
SHORT = {"list.short_page": 1}


def _judge(seed: int, violations: list[str], events: dict[str, int] = SHORT) -> str:
    return judge("list_all", seed, violations, events, (BUG,)).status


def test_a_listed_seed_failing_with_its_bug_is_known() -> None:
    assert _judge(3, [MISSED]) == "known"


def test_a_listed_seed_that_passes_fails_as_fixed() -> None:
    verdict = judge("list_all", 3, [], SHORT, (BUG,))
    assert verdict.status == "fixed" and "remove seed 3 from short-page" in verdict.detail


def test_a_listed_seed_failing_otherwise_fails() -> None:
    assert _judge(3, [MISSED, "no_duplicate: 2 live entries for a.mp4"]) == "failed"
    assert _judge(3, ["no_duplicate: 2 live entries for a.mp4"]) == "failed"


def test_a_listed_seed_whose_cause_is_gone_fails_as_fixed() -> None:
    assert _judge(3, [MISSED], events={}) == "fixed"  # missed, but no short page: another bug


def test_an_unlisted_seed_fails_as_always() -> None:
    assert _judge(4, [MISSED]) == "failed"
    assert _judge(4, []) == "passed"


STALE = KnownBug(
    name="stale-size-on-complete-token",
    issue="issue 10 B",
    at_fault="kaltura_mm/upload/plan.py",
    evidence=(r"UploadError: the server holds \d+ of \d+ bytes \(token status [23]\)",),
    seeds=_seeds(upload_one="24"),
)


def test_consequences_of_a_stopped_upload_ride_with_its_bug() -> None:
    violations = [
        "reported_truth: no entry reported for a.mp4",
        "flow_failed: a.mp4: UploadError: the server holds 5 of 9 bytes (token status 3): "
        "resume the upload",
    ]
    assert judge("upload_one", 24, violations, {}, (STALE,)).status == "known"
    assert STALE.shown_by(violations[1]) and not STALE.shown_by(violations[0])
    # a consequence alone is not the bug: it no longer shows
    assert judge("upload_one", 24, violations[:1], {}, (STALE,)).status == "fixed"


def test_every_known_bug_names_its_issue_and_the_client_file_at_fault() -> None:
    for bug in KNOWN_BUGS:
        assert re.match(r"issue \d+", bug.issue) and re.search(r"kaltura_mm/\S+\.py", bug.at_fault)
        assert bug.seeds and all(seeds for seeds in bug.seeds.values())


@pytest.mark.parametrize("flag", [[], ["--known-bugs"]])
def test_a_listed_seed_that_passes_fails_the_run_only_with_the_flag(
    flag: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # list_all seed 3 ended its walk on a short page until that was fixed; listed, it fails
    monkeypatch.setattr("simulation.known_bugs.KNOWN_BUGS", (BUG,))
    assert main(["--seeds", "1", "--first", "3", "--scenario", "list_all", *flag]) == (
        1 if flag else 0
    )
    out = capsys.readouterr().out
    assert ("FIXED: passes now: remove seed 3 from short-page" in out) == bool(flag)
    assert ("known bugs: 0 runs failed as listed (), 1 listed runs fixed" in out) == bool(flag)
