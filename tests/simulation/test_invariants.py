"""Each invariant catches what it is for, and names the ids, the scenario and the seed."""

from __future__ import annotations

from simulation.invariants import Checker
from simulation.reference.upload import SourceFile
from tests.simulation.support import Bench

DATA = b"lecture bytes" * 40


def _uploaded(bench: Bench, data: bytes, name: str = "a") -> str:
    token = bench.token()["id"]
    bench.chunk(token, data, resume=False, final=True)
    entry = bench.entry(name)["id"]
    resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token}
    bench.call("baseentry", "updateContent", entryId=entry, resource=resource)
    return entry


def _check_uploads(bench: Bench, reported: dict[str, str]) -> Checker:
    checker = Checker("upload_many", 5)
    source = SourceFile("a.mp4", DATA, 128)
    checker.uploads(bench.model.truth(), [source], reported, made_after=0)
    return checker


def test_one_ready_identical_entry_reported_passes() -> None:
    bench = Bench()
    entry = _uploaded(bench, DATA)
    assert _check_uploads(bench, {"a.mp4": entry}).violations == []


def test_two_entries_for_one_file_are_a_duplicate() -> None:
    bench = Bench()
    first, second = _uploaded(bench, DATA), _uploaded(bench, DATA, "b")
    found = _check_uploads(bench, {"a.mp4": first}).violations
    assert [(v.invariant, v.ids) for v in found] == [
        ("no_duplicate", tuple(sorted([first, second])))
    ]


def test_a_stray_entry_without_content_is_a_duplicate_left_behind() -> None:
    bench = Bench()
    entry = _uploaded(bench, DATA)
    stray = bench.entry("stray")["id"]
    found = _check_uploads(bench, {"a.mp4": entry}).violations
    assert [(v.invariant, v.ids) for v in found] == [("no_duplicate", (stray,))]


def test_bytes_that_differ_are_no_ready_identical_entry() -> None:
    bench = Bench()
    entry = _uploaded(bench, DATA[:-1] + b"X")
    invariants = {v.invariant for v in _check_uploads(bench, {"a.mp4": entry}).violations}
    assert invariants == {"no_duplicate", "ready_identical", "reported_truth"}


def test_an_entry_not_yet_ready_fails_ready_identical() -> None:
    bench = Bench(transcode_delay=(600.0, 600.0))
    entry = _uploaded(bench, DATA)
    found = _check_uploads(bench, {"a.mp4": entry}).violations
    assert [v.invariant for v in found] == ["ready_identical"]


def test_reporting_another_entry_than_the_one_holding_the_file_is_caught() -> None:
    bench = Bench()
    _uploaded(bench, DATA)
    found = _check_uploads(bench, {"a.mp4": "0_elsewhere"}).violations
    assert [(v.invariant, v.ids) for v in found] == [("reported_truth", ("0_elsewhere",))]


def test_an_open_token_is_named() -> None:
    bench = Bench()
    _uploaded(bench, DATA)  # its token is CLOSED
    partial = bench.token()["id"]
    bench.chunk(partial, DATA[:10], resume=False, final=False)
    checker = Checker("upload_one", 9)
    checker.no_open_token(bench.model.truth())
    assert [(v.invariant, v.ids) for v in checker.violations] == [("no_open_token", (partial,))]


def test_a_walk_must_list_each_lasting_entry_once_and_nothing_foreign() -> None:
    checker = Checker("list_all", 3)
    checker.listed_once(["a", "b", "b", "x"], lived={"a", "b", "c"}, belonged={"a", "b", "c"})
    found = {(v.invariant, v.detail.split(" ", 1)[1], v.ids) for v in checker.violations}
    assert found == {
        ("listed_once", "entries listed more than once", ("b",)),
        ("listed_once", "entries that lived throughout missed", ("c",)),
        ("listed_once", "listed never were in it", ("x",)),
    }


def test_a_violation_says_where_and_which() -> None:
    checker = Checker("list_all", 42)
    checker.listed_once([], lived={"0_abc"}, belonged={"0_abc"})
    assert str(checker.violations[0]) == (
        "list_all seed 42: listed_once: 1 entries that lived throughout missed [0_abc]"
    )


def test_a_batch_that_left_an_entry_elsewhere_is_caught() -> None:
    bench = Bench()
    source, target = bench.category("A"), bench.category("B")
    entry = bench.model.seed_entry(101, "e", b"", source, 1)
    checker = Checker("batches", 1)
    checker.expected_state(bench.model.truth(), {entry: frozenset({target})})
    assert [(v.invariant, v.ids) for v in checker.violations] == [("reported_truth", (entry,))]
