"""Content truth that lives on the server (issue 17 item 2).

An entry a sync made keeps what it was made from in its referenceId, so a plan with an empty
state folder (another machine) knows whether its content matches the file, and content another
tool put in since shows as a conflict that ``--on-conflict`` resolves.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kaltura_mm import Client, UploadOptions
from kaltura_mm.testing import config_for
from tests.cli.ground import live_entries
from tests.integration.sync_support import media, writes

Runner = Callable[..., Any]
SETTLED = UploadOptions(wait_ready=True, ready_poll_interval=0.05)


def _entries(sb: Any) -> list[dict[str, Any]]:
    return sorted(
        (e for e in live_entries(sb) if e["display_in_search"] != -1), key=lambda e: e["id"]
    )


def _plan(cli: Runner, folder: Path, state: Path, *extra: str) -> list[dict[str, Any]]:
    """Return every line of a plan made with the state folder ``state``."""
    made = cli("--json", "sync", str(folder), "-c", "Course", "--plan", "--show-keep",
               "--state-dir", str(state), *extra)  # fmt: skip
    assert made.code == 0, made.err
    rows: list[dict[str, Any]] = made.json_lines()
    return rows


def _synced(cli: Runner, sb: Any, tmp_path: Path, count: int = 2) -> Path:
    sb.create_category("Course")
    folder = tmp_path / "course"
    for i in range(count):
        media(folder, f"clip{i}.mp4")
    done = cli("sync", str(folder), "-c", "Course", "--yes", "-q")
    assert done.code == 0, done.err
    sb.index.settle()
    return folder


def _entry_of(cli: Runner, folder: Path, tmp_path: Path, path: str) -> str:
    rows = _plan(cli, folder, tmp_path / "lookup")
    return str(next(r["entry_id"] for r in rows if r["path"] == path))


def _replaced_by_another_tool(sb: Any, entry_id: str, tmp_path: Path) -> bytes:
    """Replace ``entry_id``'s content as another client would; return the new bytes."""
    other = media(tmp_path / "elsewhere", "other.mp4", 4_000)
    with Client(config_for(sb)) as client:
        client.replace(entry_id, other, SETTLED)
    sb.index.settle()
    return other.read_bytes()


def test_an_empty_state_folder_knows_whether_the_content_matches(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _synced(cli, sandbox_env, tmp_path)
    fresh = tmp_path / "another-machine"
    rows = _plan(cli, folder, fresh)
    assert [r["action"] for r in rows] == ["keep", "keep"]
    assert all(r["note"] is None for r in rows)  # compared, not "content not compared"
    edited = (folder / "clip1.mp4").read_bytes()[::-1] + b"edited"
    (folder / "clip1.mp4").write_bytes(edited)
    rows = _plan(cli, folder, tmp_path / "a-third-machine")
    assert [(r["action"], r["path"]) for r in rows] == [
        ("keep", "clip0.mp4"),
        ("replace", "clip1.mp4"),
    ]
    ids = [e["id"] for e in _entries(sandbox_env)]
    applied = cli("sync", str(folder), "-c", "Course", "--yes", "-q", "--state-dir", str(fresh))
    assert applied.code == 0, applied.err
    assert [e["id"] for e in _entries(sandbox_env)] == ids  # replaced in place, no new entry
    _settle_replacement(sandbox_env, rows[1]["entry_id"])
    assert sandbox_env.entry_bytes(rows[1]["entry_id"]).read_bytes() == edited
    sandbox_env.index.settle()
    again = _plan(cli, folder, tmp_path / "a-fourth-machine")
    assert [r["action"] for r in again] == ["keep", "keep"]


def test_another_tools_replacement_is_a_conflict_and_the_run_names_the_flag(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _synced(cli, sandbox_env, tmp_path)
    victim = _entries(sandbox_env)[0]["id"]
    theirs = _replaced_by_another_tool(sandbox_env, victim, tmp_path)
    for state in (tmp_path / "state", Path(os.environ["KALTURA_MM_STATE_DIR"])):
        rows = _plan(cli, folder, state)  # with records or without: the server says so
        conflict = next(r for r in rows if r["entry_id"] == victim)
        assert conflict["action"] == "conflict"
        assert "--on-conflict keep-local" in conflict["note"]
    before = writes(sandbox_env)
    run = cli("sync", str(folder), "-c", "Course", "--yes", "-q")
    assert run.code == 3, run.err
    assert f"conflict: entry {victim}" in run.err and "--on-conflict" in run.err
    assert writes(sandbox_env) == before  # the row was left alone
    assert sandbox_env.entry_bytes(victim).read_bytes() == theirs
    checked = cli("check", str(folder), "-c", "Course", "--state-dir", str(tmp_path / "s2"))
    assert checked.code == 1
    assert [line.split()[0] for line in checked.out.splitlines()] == ["conflict"]


def test_on_conflict_keep_local_puts_the_file_back_in(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _synced(cli, sandbox_env, tmp_path)
    victim = _entry_of(cli, folder, tmp_path, "clip1.mp4")
    _replaced_by_another_tool(sandbox_env, victim, tmp_path)
    run = cli("--json", "sync", str(folder), "-c", "Course", "--yes", "--on-conflict",
              "keep-local", "--state-dir", str(tmp_path / "fresh"))  # fmt: skip
    assert run.code == 0, run.err
    (line,) = run.json_lines()
    assert (line["entry_id"], line["status"]) == (victim, "done")
    assert "replace" in line["action"]
    _settle_replacement(sandbox_env, victim)  # the content sent back swapped in
    assert sandbox_env.entry_bytes(victim).read_bytes() == (folder / "clip1.mp4").read_bytes()
    rows = _plan(cli, folder, tmp_path / "another")
    assert [r["action"] for r in rows] == ["keep", "keep"]


def test_on_conflict_keep_server_keeps_their_content_and_records_it(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _synced(cli, sandbox_env, tmp_path)
    victim = _entry_of(cli, folder, tmp_path, "clip0.mp4")
    theirs = _replaced_by_another_tool(sandbox_env, victim, tmp_path)
    before = writes(sandbox_env)
    run = cli("--json", "sync", str(folder), "-c", "Course", "--yes", "--on-conflict",
              "keep-server")  # fmt: skip
    assert run.code == 0, run.err
    (line,) = run.json_lines()
    assert (line["entry_id"], line["action"], line["status"]) == (victim, "update", "done")
    assert writes(sandbox_env) == before + 1  # one baseEntry.update: its referenceId
    assert sandbox_env.entry_bytes(victim).read_bytes() == theirs
    sandbox_env.index.settle()
    assert [r["action"] for r in _plan(cli, folder, tmp_path / "x")] == ["keep", "keep"]
    (folder / "clip0.mp4").write_bytes(b"a new edit" * 500)  # a later edit is sent as usual
    rows = _plan(cli, folder, tmp_path / "y")
    assert [r["action"] for r in rows] == ["replace", "keep"]


def test_entries_made_before_content_truth_are_kept_and_recorded_at_their_next_write(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _synced(cli, sandbox_env, tmp_path)
    with sandbox_env.core.store.tx() as conn:  # as an earlier kaltura-mm named them
        conn.execute(
            "UPDATE entries SET reference_id = substr(reference_id, 1, 33) "
            "WHERE reference_id LIKE 'sync-%'"
        )
    sandbox_env.index.settle()
    legacy = {e["id"]: e["reference_id"] for e in _entries(sandbox_env)}
    assert all(len(r) == 33 for r in legacy.values())
    rows = _plan(cli, folder, tmp_path / "fresh")  # no records: adopted, not compared
    assert [r["action"] for r in rows] == ["keep", "keep"]
    assert all("content not compared" in r["note"] for r in rows)
    assert not [
        r for r in _plan(cli, folder, Path(os.environ["KALTURA_MM_STATE_DIR"])) if r["note"]
    ]
    (folder / "clip0.mp4").write_bytes(b"edited" * 700)
    run = cli("sync", str(folder), "-c", "Course", "--yes", "-q")  # the records see the edit
    assert run.code == 0, run.err
    sandbox_env.index.settle()
    now = {e["id"]: e["reference_id"] for e in _entries(sandbox_env)}
    assert sorted(now) == sorted(legacy)
    changed = [i for i in now if now[i] != legacy[i]]
    assert len(changed) == 1 and now[changed[0]].startswith(legacy[changed[0]] + ".")
    _settle_replacement(sandbox_env, changed[0])
    rows = _plan(cli, folder, tmp_path / "fresh2")
    notes = {r["path"]: r["note"] for r in rows}
    assert notes["clip0.mp4"] is None and "not compared" in notes["clip1.mp4"]


def _settle_replacement(sb: Any, entry_id: str) -> None:
    """Wait (at most 10 s) until the server swapped ``entry_id``'s replacement in."""
    with Client(config_for(sb)) as client:
        for _ in range(200):
            if not client.base_entry.get(entry_id).replacing_entry_id:
                return
            time.sleep(0.05)
    raise AssertionError(f"the replacement of {entry_id} never swapped in")


def test_check_with_an_empty_state_folder_sees_an_edited_file(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = _synced(cli, sandbox_env, tmp_path)
    fine = cli("check", str(folder), "-c", "Course", "--state-dir", str(tmp_path / "a"))
    assert fine.code == 0, fine.out + fine.err
    (folder / "clip0.mp4").write_bytes(b"edited" * 600)
    differ = cli("--json", "check", str(folder), "-c", "Course", "--state-dir", str(tmp_path / "b"))
    assert differ.code == 1
    (record,) = [json.loads(line) for line in differ.out.splitlines()]
    assert (record["action"], record["path"]) == ("replace", "clip0.mp4")
