"""``detach`` and ``delete`` through ``main``: dry run, the prompt, --yes, --where, --from-file."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Runner = Callable[..., Any]


@pytest.fixture
def course(sandbox_env: Any) -> dict[str, Any]:
    category = sandbox_env.create_category("Root>Course")
    return {"id": category, "entries": sandbox_env.seed_entries(category, 4, name_prefix="talk")}


@pytest.fixture
def listed(cli: Runner, sandbox_env: Any) -> Callable[[int], set[str]]:
    """Return the ids listed in a category, once the search index caught up with the writes."""

    def ids(category: int) -> set[str]:
        sandbox_env.index.settle()
        return {r["id"] for r in cli("--json", "list", "-c", str(category)).json_lines()}

    return ids


def test_dry_run_changes_nothing(
    cli: Runner, course: dict[str, Any], listed: Callable[[int], set[str]]
) -> None:
    first = course["entries"][0]
    result = cli("--json", "detach", first, "--category", "Root>Course", "--dry-run")
    assert result.code == 0, result.err
    (record,) = result.json_lines()
    assert record["status"] == "would_change" and record["entry_id"] == first
    assert record["name"].startswith("talk")
    assert listed(course["id"]) == set(course["entries"])


def test_prompt_declined_keeps_entries_and_accepted_detaches(
    cli: Runner,
    course: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    listed: Callable[[int], set[str]],
) -> None:
    first = course["entries"][0]
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    declined = cli("detach", first, "-c", str(course["id"]))
    assert declined.code == 1
    assert "About to detach 1 entries" in declined.err
    assert first in listed(course["id"])
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    accepted = cli("--json", "detach", first, "-c", str(course["id"]))
    assert accepted.code == 0, accepted.err
    assert accepted.json_lines()[0]["status"] == "done"
    assert first not in listed(course["id"])
    again = cli("--json", "detach", first, "-c", str(course["id"]), "--yes")
    assert again.code == 0
    assert again.json_lines()[0]["status"] == "already_done"


def test_delete_from_file_with_a_missing_id_is_partial(
    cli: Runner, course: dict[str, Any], tmp_path: Path, listed: Callable[[int], set[str]]
) -> None:
    ids = course["entries"][:2]
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join([*ids, "0_notthere"]) + "\n")
    result = cli("--json", "delete", "--from-file", str(listing), "--yes")
    assert result.code == 3, result.err
    statuses = {r["entry_id"]: r["status"] for r in result.json_lines()}
    assert statuses == {ids[0]: "done", ids[1]: "done", "0_notthere": "failed"}
    assert listed(course["id"]) == set(course["entries"][2:])
    assert cli("get", ids[0]).code == 5


def test_delete_where_needs_a_filter_and_deletes_the_matches(
    cli: Runner, course: dict[str, Any], sandbox_env: Any, listed: Callable[[int], set[str]]
) -> None:
    other = sandbox_env.create_category("Root>Other")
    kept = sandbox_env.seed_entries(other, 2, name_prefix="keep")
    refused = cli("delete", "--where", "--yes")
    assert refused.code == 2
    assert "at least one filter" in refused.err
    preview = cli("--json", "delete", "--where", "-c", "Root>Course", "--dry-run")
    assert {r["entry_id"] for r in preview.json_lines()} == set(course["entries"])
    done = cli("--json", "delete", "--where", "-c", "Root>Course", "--yes")
    assert done.code == 0, done.err
    assert len(done.json_lines()) == 4
    assert listed(course["id"]) == set()
    assert listed(other) == set(kept)


def test_detach_needs_a_category_and_ids(cli: Runner, course: dict[str, Any]) -> None:
    no_category = cli("detach", course["entries"][0], "--yes")
    assert no_category.code == 2 and "--category" in no_category.err
    nothing = cli("delete", "--yes")
    assert nothing.code == 2 and "--from-file" in nothing.err


def test_move_adds_to_the_target_then_detaches(
    cli: Runner, course: dict[str, Any], sandbox_env: Any, listed: Callable[[int], set[str]]
) -> None:
    target = sandbox_env.create_category("Root>Next")
    moving = course["entries"][:2]
    preview = cli("--json", "move", *moving, "-c", "Root>Course", "--to", "Root>Next", "--dry-run")
    assert {r["status"] for r in preview.json_lines()} == {"would_change"}
    result = cli("--json", "move", *moving, "-c", "Root>Course", "--to", str(target), "--yes")
    assert result.code == 0, result.err
    # each result names where the entry is now, and where it came from
    assert {r["category_id"] for r in result.json_lines()} == {target}
    assert {r["from_category_id"] for r in result.json_lines()} == {course["id"]}
    assert listed(target) == set(moving)
    assert listed(course["id"]) == set(course["entries"][2:])


def test_rerunning_a_finished_delete_is_already_done(
    cli: Runner,
    course: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    listed: Callable[[int], set[str]],
) -> None:
    gone, kept = course["entries"][:2], course["entries"][2:]
    first = cli("--json", "delete", *gone, "--yes")
    assert first.code == 0, first.err
    assert [r["status"] for r in first.json_lines()] == ["done", "done"]
    again = cli("--json", "delete", *gone, "--yes")
    assert again.code == 0, again.err
    assert [r["status"] for r in again.json_lines()] == ["already_done", "already_done"]
    typo = cli("--json", "delete", gone[0], "0_typo1234", "--yes")
    assert typo.code == 3  # the id this machine never deleted is still an error
    statuses = {r["entry_id"]: r["status"] for r in typo.json_lines()}
    assert statuses == {gone[0]: "already_done", "0_typo1234": "failed"}
    monkeypatch.setenv("KALTURA_MM_STATE_DIR", str(tmp_path / "other-machine"))
    assert cli("delete", gone[0], "--yes").code == 5
    assert listed(course["id"]) == set(kept)


def test_missing_ok_accepts_any_missing_id_like_rm_f(
    cli: Runner,
    course: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    listed: Callable[[int], set[str]],
) -> None:
    target = course["entries"][0]
    result = cli("--json", "delete", target, "0_nothere1", "--yes", "--missing-ok")
    assert result.code == 0, result.err
    statuses = {r["entry_id"]: r["status"] for r in result.json_lines()}
    assert statuses == {target: "done", "0_nothere1": "already_done"}
    monkeypatch.setenv("KALTURA_MM_STATE_DIR", str(tmp_path / "fresh-state"))
    again = cli("--json", "delete", target, "--yes", "--missing-ok")
    assert again.code == 0, again.err
    assert again.json_lines()[0]["status"] == "already_done"
    assert listed(course["id"]) == set(course["entries"][1:])


def test_from_file_takes_lists_own_csv_and_jsonl_and_stdin(
    cli: Runner, course: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported = tmp_path / "old.csv"
    exported.write_text(cli("list", "-c", str(course["id"]), "--format", "csv").out)
    assert exported.read_text().startswith("id,")
    preview = cli("--json", "delete", "--from-file", str(exported), "--dry-run")
    assert preview.code == 0, preview.err
    assert {r["entry_id"] for r in preview.json_lines()} == set(course["entries"])
    jsonl = cli("--json", "list", "-c", str(course["id"])).out
    monkeypatch.setattr("sys.stdin", io.StringIO(jsonl))
    done = cli("--json", "detach", "--from-file", "-", "-c", str(course["id"]), "--yes")
    assert done.code == 0, done.err
    assert {r["entry_id"]: r["status"] for r in done.json_lines()} == dict.fromkeys(
        course["entries"], "done"
    )
    asked = cli("delete", "--from-file", "-")  # stdin holds the ids: no room for the question
    assert asked.code == 2 and "--yes" in asked.err


def test_a_dry_run_reads_the_server_and_exits_as_the_real_run_would(
    cli: Runner, course: dict[str, Any], sandbox_env: Any
) -> None:
    present = course["entries"][0]
    missing = cli("--json", "delete", "0_nothere1", "--dry-run")
    assert missing.code == 5
    (record,) = missing.json_lines()
    assert (record["status"], record["error"]) == ("failed", "ENTRY_ID_NOT_FOUND")
    mixed = cli("--json", "delete", present, "0_nothere1", "--dry-run")
    assert mixed.code == cli("--json", "delete", present, "0_nothere1", "--yes").code == 3
    other = sandbox_env.create_category("Root>Other")
    outside = sandbox_env.seed_entries(other, 1)[0]
    detach = cli("--json", "detach", outside, course["entries"][1], "-c", "Root>Course",
                 "--dry-run")  # fmt: skip
    assert detach.code == 0, detach.err
    verdicts = {r["entry_id"]: r["status"] for r in detach.json_lines()}
    assert verdicts == {outside: "already_done", course["entries"][1]: "would_change"}


def test_where_acts_on_entries_of_every_status(
    cli: Runner, course: dict[str, Any], sandbox_env: Any
) -> None:
    pending = sandbox_env.seed_entries(course["id"], 1, ready=False, name_prefix="pending")[0]
    preview = cli("--json", "delete", "--where", "-c", "Root>Course", "--dry-run")
    assert {r["entry_id"] for r in preview.json_lines()} == {*course["entries"], pending}
    done = cli("--json", "delete", "--where", "-c", "Root>Course", "--yes")
    assert done.code == 0, done.err
    assert {r["entry_id"] for r in done.json_lines()} == {*course["entries"], pending}
    assert cli("get", pending).code == 5


def test_detach_delete_and_move_take_format_and_q_prints_no_table(
    cli: Runner, course: dict[str, Any]
) -> None:
    first, second = course["entries"][:2]
    as_csv = cli("detach", first, "-c", "Root>Course", "--yes", "--format", "csv")
    assert as_csv.code == 0, as_csv.err
    assert as_csv.out.splitlines()[0] == (
        "entry_id,action,category_id,status,name,error,message,from_category_id"
    )
    quiet = cli("delete", second, "--yes", "-q")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")


@pytest.mark.parametrize("retries", [0, 2])
def test_retries_is_how_often_a_blocked_detach_is_sent(
    cli: Runner, course: dict[str, Any], sandbox_env: Any, retries: int
) -> None:
    # It was sent 10 times whatever --retries said: the batch engine counted on its own.
    sandbox_env.faults.throttle("categoryEntry", "delete", limit=1, window=3600)
    spent = cli("detach", course["entries"][1], "-c", "Root>Course", "-y")  # the window's one
    assert spent.code == 0, spent.err
    sandbox_env.stats.reset()
    first = course["entries"][0]
    result = cli("--retries", str(retries), "--json", "detach", first, "-c", "Root>Course", "-y")
    assert result.code != 0
    (record,) = result.json_lines()
    assert record["status"] == "failed" and "ACTION_BLOCKED" in json.dumps(record)
    assert sandbox_env.stats.calls[("categoryentry", "delete")] == retries + 1
