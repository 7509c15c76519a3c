"""``sync`` and ``apply`` through ``main`` against the realistic sandbox."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.ground import live_entries
from tests.integration.sync_support import linked, media, writes

Runner = Callable[..., Any]


def _names(sb: Any) -> list[str]:
    return sorted(str(e["name"]) for e in live_entries(sb) if e["display_in_search"] != -1)


@pytest.mark.kaltura_sandbox(index_lag=60)
def test_a_folder_kept_in_step_from_cron(cli: Runner, sandbox_env: Any, tmp_path: Path) -> None:
    sandbox_env.create_category("Lectures")
    folder = tmp_path / "lectures"
    for name in ("intro.mp4", "week1/lab.mp4", "week1/talk.mp4"):
        media(folder, name)
    first = cli("--json", "sync", str(folder), "-c", "Lectures", "--yes")
    assert first.code == 0, first.err
    lines = first.json_lines()
    assert [(r["action"], r["status"]) for r in lines] == [("add", "done")] * 3
    assert _names(sandbox_env) == ["intro", "lab", "talk"]
    # A minute of index lag: the second run still knows every entry (read by id) and sends nothing.
    before = writes(sandbox_env)
    again = cli("--json", "sync", str(folder), "-c", "Lectures", "--yes")
    assert (again.code, again.out) == (0, "")
    assert json.loads(again.err.splitlines()[-1])["message"] == "Lectures: 0 changes: 3 keep"
    assert writes(sandbox_env) == before
    media(folder, "intro.mp4", 4_000)  # edited
    (folder / "week1" / "talk.mp4").unlink()  # gone from the folder
    third = cli("--json", "sync", str(folder), "-c", "Lectures", "--yes", "--prune", "delete")
    assert third.code == 0, third.err
    assert sorted((r["action"], r["status"]) for r in third.json_lines()) == [
        ("delete", "done"),
        ("replace", "done"),
    ]
    assert _names(sandbox_env) == ["intro", "lab"]


def test_the_plan_shows_each_action_and_changes_nothing(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course>Week 1")
    course = sandbox_env.create_category("Course")
    (stray,) = sandbox_env.seed_entries(course, 1, name_prefix="stray")
    media(tmp_path, "a.mp4")
    media(tmp_path, "b.mp4")
    manifest = tmp_path / "course.csv"
    manifest.write_text("path,name,tags,referenceId\na.mp4,Intro,bio,ref-a\nb.mp4,Lab,,ref-b\n")
    assert cli("sync", str(manifest), "-c", "Course", "--yes", "-q").code == 0
    manifest.write_text(
        "path,name,tags,category,referenceId\n"
        "a.mp4,Intro,BIO,,ref-a\n"  # the same tags as the server keeps them: no update
        "b.mp4,Lab 1,,Course>Week 1,ref-b\n"
    )
    before = writes(sandbox_env)
    plan = cli("--json", "sync", str(manifest), "-c", "Course", "--plan", "--show-keep")
    assert plan.code == 0, plan.err
    by_ref = {r["reference_id"]: r for r in plan.json_lines()}
    assert by_ref["ref-a"]["actions"] == ["keep"]
    assert by_ref["ref-b"]["actions"] == ["update", "attach", "detach"]
    assert by_ref["ref-b"]["changes"] == {"name": ["Lab", "Lab 1"]}
    assert (by_ref["ref-b"]["attach"], by_ref["ref-b"]["detach"]) == (["Course>Week 1"], ["Course"])
    extra = next(r for r in plan.json_lines() if r["entry_id"] == stray)
    assert extra["actions"] == ["extra"]
    assert writes(sandbox_env) == before
    table = cli("sync", str(manifest), "-c", "Course", "--plan")
    assert 'name: "Lab" -> "Lab 1"; +Course>Week 1; -Course' in table.out
    assert "2 changes" not in table.err and "1 change: 1 update, 1 attach, 1 detach" in table.err
    # by default only what changes: the kept entry and the extra are counted, not listed
    assert "Intro" not in table.out and stray not in table.out
    assert "--show-keep" in table.err
    changes_only = cli("--json", "sync", str(manifest), "-c", "Course", "--plan").json_lines()
    assert [r["reference_id"] for r in changes_only] == ["ref-b"]


def test_the_plan_shows_categories_to_create_and_deletes_once(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Course")
    (stray,) = sandbox_env.seed_entries(course, 1, name_prefix="stray")
    media(tmp_path, "a.mp4")
    manifest = tmp_path / "course.csv"
    manifest.write_text("path,name,category\na.mp4,Intro,Course>New\n")
    plan = cli(
        "sync",
        str(manifest),
        "-c",
        "Course",
        "--plan",
        "--create-categories",
        "--prune",
        "delete",
        "--max-delete",
        "100%",
    )
    assert plan.code == 0, plan.err
    rows = [line.split()[0] for line in plan.out.splitlines()[2:]]
    assert rows[0] == "create_category" and "Course>New" in plan.out.splitlines()[2]
    assert "delete" in rows and "extra" not in rows  # a pruned extra is shown as its delete
    assert "1 delete" in plan.err and "extra" not in plan.err
    assert stray in plan.out


def _a_saved_plan(cli: Runner, sandbox_env: Any, tmp_path: Path) -> tuple[Path, Path]:
    """One file named by a manifest into a new category "Course", its plan saved, not applied."""
    sandbox_env.create_category("Course")
    media(tmp_path, "a.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,name\na.mp4,First\n")
    saved = tmp_path / "plan.json"
    assert cli("sync", str(manifest), "-c", "Course", "--plan-out", str(saved)).code == 0
    return manifest, saved


def test_a_saved_plan_is_applied_exactly_or_refused_when_the_server_moved(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    manifest, saved = _a_saved_plan(cli, sandbox_env, tmp_path)
    assert _names(sandbox_env) == []  # saving a plan changes nothing
    applied = cli("--json", "apply", str(saved))
    assert applied.code == 0, applied.err
    (line,) = applied.json_lines()
    entry_id = line["entry_id"]
    manifest.write_text("path,name\na.mp4,Second\n")
    assert cli("sync", str(manifest), "-c", "Course", "--plan-out", str(saved)).code == 0
    assert cli("update", entry_id, "--name", "By hand", "-q").code == 0
    refused = cli("apply", str(saved))
    assert refused.code == 2
    assert f"entry {entry_id}: name is now 'By hand' (the plan saw 'First')" in refused.err
    assert _names(sandbox_env) == ["By hand"]
    document = json.loads(saved.read_text())
    document["target"]["partner_id"] = 999
    saved.write_text(json.dumps(document))
    elsewhere = cli("apply", str(saved))
    assert elsewhere.code == 2 and "partner 999" in elsewhere.err


def test_declining_or_a_missing_category_changes_nothing(
    cli: Runner, sandbox_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    media(tmp_path / "src", "a.mp4")
    missing = cli("sync", str(tmp_path / "src"), "-c", "Nowhere>Yet")
    assert missing.code == 5 and "Nowhere>Yet" in missing.err
    monkeypatch.setattr("sys.stdin", open(os.devnull))  # noqa: SIM115 - closed by pytest
    declined = cli("sync", str(tmp_path / "src"), "-c", "Nowhere>Yet", "--create-categories")
    assert declined.code == 1 and "nothing was changed" in declined.err
    assert _names(sandbox_env) == []


@pytest.mark.kaltura_sandbox(index_lag=600)
def test_ci_recipe_makes_its_own_category_on_a_fresh_account(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    media(tmp_path / "media", "smoke.mp4")
    uploaded = tmp_path / "uploaded.jsonl"
    made = cli("upload", str(tmp_path / "media"), "-c", "CI>Smoke", "--create-categories", "--json")
    assert made.code == 0, made.err
    uploaded.write_text(made.out)
    (entry,) = [e["id"] for e in live_entries(sandbox_env)]
    assert linked(sandbox_env, entry) == {"CI>Smoke"}
    again = cli("--json", "upload", str(tmp_path / "media"), "-c", "CI>Smoke")  # no index wait
    assert again.code == 0, again.err
    assert [r["status"] for r in again.json_lines()] == ["skipped"]
    assert cli("delete", "--from-file", str(uploaded), "--yes", "-q").code == 0
    assert live_entries(sandbox_env) == []


def test_an_interrupted_sync_resumes_where_it_stopped(
    cli: Runner, sandbox_env: Any, installed: list[str], tmp_path: Path
) -> None:
    sandbox_env.create_category("Big")
    folder = tmp_path / "big"
    for i in range(3):
        media(folder, f"clip{i}.mp4", 1_200_000)
    sandbox_env.faults.latency = 0.05  # slow enough to stop half way
    state = Path(os.environ["KALTURA_MM_STATE_DIR"])
    argv = [*installed, "sync", str(folder), "-c", "Big", "--yes", "--chunk-size", "100kB"]
    running = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_a_confirmed_chunk(state / "state.db", running)
    running.send_signal(signal.SIGINT)
    out, err = running.communicate(timeout=60)
    assert running.returncode == 130, err
    assert "Run the same command again to finish" in err
    assert "cancelled" in out  # the files not finished, each on its line
    sandbox_env.faults.latency = 0
    again = cli("--json", "sync", str(folder), "-c", "Big", "--yes", "--chunk-size", "100kB")
    assert again.code == 0, again.err
    entries = live_entries(sandbox_env)
    assert sorted(e["name"] for e in entries) == ["clip0", "clip1", "clip2"]  # none twice
    assert any(r["status"] == "done" for r in again.json_lines())
    plan = cli("--json", "sync", str(folder), "-c", "Big", "--plan", "--show-keep").json_lines()
    assert [r["action"] for r in plan] == ["keep"] * 3


def _wait_for_a_confirmed_chunk(database: Path, running: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert running.poll() is None, running.communicate()
        if database.exists():
            try:
                with sqlite3.connect(database) as db:
                    rows = db.execute("SELECT bytes_confirmed FROM uploads").fetchall()
            except sqlite3.Error:
                rows = []
            if any(r[0] > 0 for r in rows):
                return
        time.sleep(0.05)
    raise AssertionError("the sync never confirmed a chunk")


@pytest.mark.kaltura_sandbox(index_lag=600)
def test_a_plan_for_a_category_yet_to_be_made_applies_once(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    media(tmp_path / "src", "a.mp4")
    media(tmp_path / "src", "b.mp4")
    saved = tmp_path / "plan.json"
    planned = cli(
        "sync", str(tmp_path / "src"), "-c", "New>Course", "--create-categories",
        "--plan-out", str(saved),
    )  # fmt: skip
    assert planned.code == 0, planned.err
    first = cli("--json", "apply", str(saved))
    assert [r["status"] for r in first.json_lines()] == ["done", "done"]
    before = writes(sandbox_env)
    again = cli("--json", "apply", str(saved))  # the index shows none of it for ten minutes
    assert (again.code, again.out) == (0, "")
    assert writes(sandbox_env) == before
    assert _names(sandbox_env) == ["a", "b"]


@pytest.mark.kaltura_sandbox(index_lag=600)
def test_a_category_made_a_moment_ago_is_found_by_the_plan(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    assert cli("categories", "create", "Course>Week 2", "-q").code == 0
    media(tmp_path, "a.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,category\na.mp4,Course>Week 2\n")
    synced = cli("--json", "sync", str(manifest), "-c", "Course", "--yes")
    assert synced.code == 0, synced.err
    (line,) = synced.json_lines()
    assert linked(sandbox_env, line["entry_id"]) == {"Course>Week 2"}


def test_switching_from_upload_to_sync_takes_the_entries_over(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Talks")
    folder = tmp_path / "talks"
    media(folder, "a.mp4")
    media(folder, "b.mp4")
    uploaded = cli("--json", "upload", str(folder), "-c", "Talks")
    assert uploaded.code == 0, uploaded.err
    ids = sorted(r["entry_id"] for r in uploaded.json_lines())
    sandbox_env.index.settle()  # an upload made last week: the index shows it
    plan = cli("--json", "sync", str(folder), "-c", "Talks", "--plan", "--show-keep")
    lines = plan.json_lines()
    assert [r["actions"] for r in lines] == [["update"], ["update"]]  # no add, no extra
    assert sorted(r["entry_id"] for r in lines) == ids
    assert "taken over" in lines[0]["note"]
    assert cli("sync", str(folder), "-c", "Talks", "--yes", "-q").code == 0
    assert sorted(e["id"] for e in live_entries(sandbox_env)) == ids  # not uploaded again
    again = cli("--json", "sync", str(folder), "-c", "Talks", "--plan", "--show-keep")
    assert [r["action"] for r in again.json_lines()] == ["keep", "keep"]
    assert all(r["note"] is None for r in again.json_lines())  # content recorded: compared


def test_documents_are_synced_with_documents_on(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Handouts")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 8)
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,name\nnotes.pdf,Notes\n")
    refused = cli("--json", "sync", str(manifest), "-c", "Handouts", "--yes")
    assert refused.code != 0
    assert "--documents" in refused.json_lines()[0]["message"]
    synced = cli("--json", "sync", str(manifest), "-c", "Handouts", "--yes", "--documents")
    assert synced.code == 0, synced.err
    (entry,) = live_entries(sandbox_env)
    assert (entry["name"], entry["type"]) == ("Notes", 10)  # a document entry


def test_a_plan_edited_to_reach_outside_its_category_is_refused(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Course")
    other = sandbox_env.create_category("Other")
    (mine,) = sandbox_env.seed_entries(course, 1, name_prefix="mine")
    (theirs, spare) = sandbox_env.seed_entries(other, 2, name_prefix="theirs")
    sandbox_env.index.settle()
    media(tmp_path / "src", "a.mp4")
    saved = tmp_path / "plan.json"
    planned = cli(
        "sync", str(tmp_path / "src"), "-c", "Course", "--prune", "delete",
        "--plan-out", str(saved),
    )  # fmt: skip
    assert planned.code == 0, planned.err
    document = json.loads(saved.read_text())
    extra = next(i for i in document["items"] if i["entry_id"] == mine)
    edited = [
        {**extra, "entry_id": theirs, "actions": ["extra", "delete"]},
        {
            **extra,
            "entry_id": spare,
            "actions": ["update", "attach", "detach"],
            "before": {"name": "theirs 2"},
            "after": {"name": "Hijacked"},
            "attach": [{"full_name": "Course", "id": course}],
            "detach": [{"full_name": "Other", "id": other}],
        },
    ]
    document["items"] = [*document["items"], *edited]
    saved.write_text(json.dumps(document))
    before = writes(sandbox_env)
    refused = cli("apply", str(saved), "--max-delete", "100%")
    assert refused.code == 2, refused.err
    assert f"item 3 (entry {theirs}): entry {theirs} is not in 'Course'" in refused.err
    assert f"item 4 (entry {spare}): detach from 'Other' ({other})" in refused.err
    assert "nothing was changed" in refused.err
    assert writes(sandbox_env) == before
    assert len(live_entries(sandbox_env)) == 3
    document["items"] = document["items"][:2]
    document["scope"] = {"full_name": "Course", "id": other}  # another category's id
    saved.write_text(json.dumps(document))
    moved = cli("apply", str(saved), "--max-delete", "100%")
    assert moved.code == 2 and f"category {other} is 'Other' on the server" in moved.err
    assert writes(sandbox_env) == before


@pytest.mark.kaltura_sandbox(index_lag=600)
def test_a_plan_acting_in_a_category_made_a_moment_ago_stays_inside(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Course")
    (_, moved) = sandbox_env.seed_entries(course, 2, name_prefix="talk")
    assert cli("categories", "create", "Course>New", "-q").code == 0  # not listed for 10 min
    assert cli("move", moved, "-c", "Course", "--to", "Course>New", "--yes", "-q").code == 0
    media(tmp_path / "src", "a.mp4")
    saved = tmp_path / "plan.json"
    planned = cli(
        "sync", str(tmp_path / "src"), "-c", "Course", "--prune", "delete",
        "--plan-out", str(saved),
    )  # fmt: skip
    assert planned.code == 0, planned.err
    applied = cli("--json", "apply", str(saved), "--max-delete", "100%")
    assert applied.code == 0, applied.err
    assert sorted(r["action"] for r in applied.json_lines()) == ["add", "delete", "delete"]
    assert _names(sandbox_env) == ["a"]  # the one in Course>New too: it is inside


def test_a_plan_refused_for_a_changed_local_file_does_not_blame_the_server(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    _, saved = _a_saved_plan(cli, sandbox_env, tmp_path)
    media(tmp_path, "a.mp4", 120_000)  # the file is edited before the plan is applied
    refused = cli("apply", str(saved))
    assert refused.code == 2
    assert "a.mp4: the file changed since the plan" in refused.err
    assert "no longer fits the local files" in refused.err
    assert "server" not in refused.err.split("make a new plan")[0]


def test_report_writes_one_json_line_per_item_for_sync_and_apply(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    media(tmp_path, "a.mp4")
    media(tmp_path, "b.mp4", 90_000)
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,name\na.mp4,First\nb.mp4,Second\n")
    report = tmp_path / "out" / "report.jsonl"
    refused = cli("sync", str(manifest), "-c", "Course", "--yes", "--report", str(report))
    assert refused.code == 2 and "--report" in refused.err  # its folder does not exist
    assert writes(sandbox_env) == 0  # refused before anything was sent
    report = tmp_path / "report.jsonl"
    done = cli("sync", str(manifest), "-c", "Course", "--yes", "-q", "--report", str(report))
    assert done.code == 0, done.err
    assert done.out == ""  # -q: no table, and the report still has every item
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert sorted(r["name"] for r in lines) == ["First", "Second"]
    assert {r["status"] for r in lines} == {"done"} and all(r["entry_id"] for r in lines)
    manifest.write_text("path,name\na.mp4,Renamed\nb.mp4,Second\n")
    saved = tmp_path / "plan.json"
    assert cli("sync", str(manifest), "-c", "Course", "--plan-out", str(saved)).code == 0
    applied = cli("apply", str(saved), "--report", str(report))
    assert applied.code == 0, applied.err
    (line,) = [json.loads(line) for line in report.read_text().splitlines()]  # made anew
    assert (line["path"], line["action"], line["status"]) == ("a.mp4", "update", "done")
    in_step = cli("sync", str(manifest), "-c", "Course", "--yes", "--report", str(report))
    assert in_step.code == 0 and report.read_text() == ""  # nothing applied: an empty report
