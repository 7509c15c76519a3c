"""A video's content replaced by another tool (issue 17): Kaltura leaves the entry's
``version`` and swaps the new file into its source flavor asset, whose ``version`` moves. The
sync keeps that version in the referenceId too, so ``sync --plan`` and ``check`` show the
replacement as a conflict, with the state folder or without; ``get`` shows the file's size.

The other tool is raw HTTP (``tests.sandbox.helpers.Api``): no kaltura-mm code."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kaltura_mm.sync import truth
from tests.cli.ground import as_role, live_entries
from tests.integration.sync_support import media, writes
from tests.sandbox.helpers import Api

Runner = Callable[..., Any]


def _replace_as_another_tool(sb: Any, entry_id: str, size: int = 5_000) -> bytes:
    """Replace the video ``entry_id``'s content over raw HTTP and wait for the swap."""
    data = os.urandom(size)
    api = Api(sb, sb.ks())
    try:
        token = api.call("uploadToken", "add", uploadToken={"objectType": "KalturaUploadToken"})
        api.upload(token["id"], data, filename="other.mp4")
        resource = {"objectType": "KalturaUploadedFileTokenResource", "token": token["id"]}
        started = api.call("media", "updateContent", entryId=entry_id, resource=resource)
        assert started.get("replacingEntryId"), started
        for _ in range(200):
            if not api.call("baseEntry", "get", entryId=entry_id).get("replacingEntryId"):
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the replacement never swapped in")
    finally:
        api.close()
    sb.index.settle()
    return data


def _synced(cli: Runner, sb: Any, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """Sync two videos into Course; return the folder and the entry id of each file."""
    sb.create_category("Course")
    folder = tmp_path / "course"
    for name in ("clip0.mp4", "clip1.mp4"):
        media(folder, name)
    done = cli("--json", "sync", str(folder), "-c", "Course", "--yes")
    assert done.code == 0, done.err
    sb.index.settle()
    return folder, {r["path"]: r["entry_id"] for r in done.json_lines()}


def _plan(cli: Runner, folder: Path, state: Path, *extra: str) -> dict[str, dict[str, Any]]:
    made = cli("--json", "sync", str(folder), "-c", "Course", "--plan", "--show-keep",
               "--state-dir", str(state), *extra)  # fmt: skip
    assert made.code == 0, made.err
    return {r["path"]: r for r in made.json_lines()}


def test_another_tools_video_replacement_is_a_conflict_with_records_or_without(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder, ids = _synced(cli, sandbox_env, tmp_path)
    victim = ids["clip1.mp4"]
    version = sandbox_env.core.store.all("SELECT version FROM entries WHERE id = ?", (victim,))
    theirs = _replace_as_another_tool(sandbox_env, victim)
    after = sandbox_env.core.store.all("SELECT version FROM entries WHERE id = ?", (victim,))
    assert after == version  # the entry's own version did not move: only the source asset's
    for state in (tmp_path / "another-machine", Path(os.environ["KALTURA_MM_STATE_DIR"])):
        rows = _plan(cli, folder, state)
        assert (rows["clip0.mp4"]["action"], rows["clip1.mp4"]["action"]) == ("keep", "conflict")
        assert "source file's version 12, above the 2 this sync" in rows["clip1.mp4"]["note"]
    before = writes(sandbox_env)
    run = cli("sync", str(folder), "-c", "Course", "--yes", "-q")
    assert run.code == 3, run.err
    assert f"conflict: entry {victim}" in run.err and "--on-conflict" in run.err
    assert writes(sandbox_env) == before
    assert sandbox_env.entry_bytes(victim).read_bytes() == theirs
    checked = cli("check", str(folder), "-c", "Course", "--state-dir", str(tmp_path / "cron"))
    assert checked.code == 1, checked.err
    (line,) = checked.out.splitlines()
    assert line.split()[:2] == ["conflict", "clip1.mp4"]


def test_the_syncs_own_video_replacement_is_never_a_conflict_and_one_after_it_is(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder, ids = _synced(cli, sandbox_env, tmp_path)
    (folder / "clip0.mp4").write_bytes(os.urandom(4_000))
    run = cli("sync", str(folder), "-c", "Course", "--yes", "-q")  # our replacement
    assert run.code == 0, run.err
    # the stamp keeps the entry's version as the server holds it (a video's does not move,
    # even while its replacement is still converting), not one above it
    ((reference_id, held),) = sandbox_env.core.store.all(
        "SELECT reference_id, version FROM entries WHERE id = ?", (ids["clip0.mp4"],)
    )
    stamped = truth.read(reference_id)
    assert stamped is not None and stamped.version == held
    api = Api(sandbox_env, sandbox_env.ks())
    for _ in range(200):  # until it swapped in: the source asset is at 12 now
        if not api.call("baseEntry", "get", entryId=ids["clip0.mp4"]).get("replacingEntryId"):
            break
        time.sleep(0.05)
    api.close()
    sandbox_env.index.settle()
    rows = _plan(cli, folder, tmp_path / "fresh")
    assert [r["action"] for r in rows.values()] == ["keep", "keep"]
    _replace_as_another_tool(sandbox_env, ids["clip0.mp4"])  # 12 -> 22: not ours
    rows = _plan(cli, folder, tmp_path / "fresh2")
    assert rows["clip0.mp4"]["action"] == "conflict"
    assert "source file's version 22, above the 12 this sync" in rows["clip0.mp4"]["note"]


def test_on_conflict_keep_server_then_keep_local_resolve_a_video(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder, ids = _synced(cli, sandbox_env, tmp_path)
    victim = ids["clip0.mp4"]
    theirs = _replace_as_another_tool(sandbox_env, victim)
    kept = cli("--json", "sync", str(folder), "-c", "Course", "--yes",
               "--on-conflict", "keep-server", "--state-dir", str(tmp_path / "a"))  # fmt: skip
    assert kept.code == 0, kept.err
    assert [(r["entry_id"], r["action"]) for r in kept.json_lines()] == [(victim, "update")]
    assert sandbox_env.entry_bytes(victim).read_bytes() == theirs
    sandbox_env.index.settle()
    rows = _plan(cli, folder, tmp_path / "b")
    assert [r["action"] for r in rows.values()] == ["keep", "keep"]
    _replace_as_another_tool(sandbox_env, victim)  # 12 -> 22 after keep-server kept 12
    assert _plan(cli, folder, tmp_path / "c")["clip0.mp4"]["action"] == "conflict"
    local = cli("sync", str(folder), "-c", "Course", "--yes", "-q",
                "--on-conflict", "keep-local", "--state-dir", str(tmp_path / "d"))  # fmt: skip
    assert local.code == 0, local.err
    entries = [e["id"] for e in live_entries(sandbox_env) if e["display_in_search"] != -1]
    assert sorted(entries) == sorted(ids.values())  # replaced in place, nothing added


def test_get_shows_a_videos_size_and_the_version_a_replacement_moves(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Talks")
    clip = media(tmp_path, "talk.mp4", 3_000)
    made = cli("--json", "upload", str(clip), "-c", "Talks")
    entry_id = made.json_lines()[0]["entry_id"]
    (first,) = cli("--json", "get", entry_id).json_lines()
    assert (first["size"], first["source_version"]) == (3_000, 2)
    _replace_as_another_tool(sandbox_env, entry_id, size=7_000)
    (second,) = cli("--json", "get", entry_id).json_lines()
    assert (second["size"], second["source_version"]) == (7_000, 12)
    assert second["version"] == first["version"]  # a video's replacement leaves it
    table = cli("get", entry_id)
    assert table.out.splitlines()[0].split()[4] == "size" and "7000" in table.out


def test_a_saved_plan_refuses_a_video_replaced_since_it_was_made(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder, ids = _synced(cli, sandbox_env, tmp_path)
    (folder / "clip0.mp4").write_bytes(os.urandom(4_000))
    saved = tmp_path / "replace.plan"
    made = cli("sync", str(folder), "-c", "Course", "--plan-out", str(saved))
    assert made.code == 0, made.err
    theirs = _replace_as_another_tool(sandbox_env, ids["clip0.mp4"])
    before = writes(sandbox_env)
    applied = cli("apply", str(saved))
    assert applied.code == 2, applied.err
    assert f"entry {ids['clip0.mp4']}: its file was replaced since the plan" in applied.err
    assert "version 2 -> 12" in applied.err and "make a new plan" in applied.err
    assert writes(sandbox_env) == before
    assert sandbox_env.entry_bytes(ids["clip0.mp4"]).read_bytes() == theirs


def test_a_role_that_may_not_list_flavor_assets_still_checks_and_is_told_what_it_misses(
    cli: Runner, sandbox_env: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    folder, ids = _synced(cli, sandbox_env, tmp_path)
    _replace_as_another_tool(sandbox_env, ids["clip1.mp4"])
    # a read-only KMC role: entries, categories and links, but not flavorAsset.list
    readable = ["KMC_READ_ONLY", "CONTENT_MODERATE_BASE", "CONTENT_MANAGE_ASSIGN_CATEGORIES"]
    as_role(sandbox_env, monkeypatch, "kmc-read-only", readable)
    rows = _plan(cli, folder, tmp_path / "reader")
    assert [r["action"] for r in rows.values()] == ["keep", "keep"]  # not seen, and said so
    assert all("may not list flavor assets" in r["note"] for r in rows.values())
    checked = cli("check", str(folder), "-c", "Course", "--state-dir", str(tmp_path / "r2"))
    assert checked.code == 0, checked.out + checked.err
