"""``sync --prune delete`` sends pruned entries to the recycle bin (where the account has one),
``--no-recycle`` deletes for good, and ``kaltura-mm restore`` brings them back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import in_category, live_entries
from tests.integration.sync_support import media

Runner = Callable[..., Any]


def _shown(sb: Any) -> dict[str, int]:
    """Return each live entry's displayInSearch, by name (-2: in the recycle bin)."""
    return {e["name"]: e["display_in_search"] for e in live_entries(sb)}


def _synced(cli: Runner, sb: Any, tmp_path: Path, count: int = 4) -> tuple[Path, int, list[Path]]:
    course = sb.create_category("Course")
    folder = tmp_path / "course"
    files = [media(folder, f"clip{i}.mp4") for i in range(count)]
    assert cli("sync", str(folder), "-c", "Course", "--yes", "-q").code == 0
    return folder, course, files


def test_prune_delete_recycles_and_restore_brings_them_back(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.set_partner_feature("FEATURE_RECYCLE_BIN")
    folder, course, files = _synced(cli, sandbox_env, tmp_path)
    ids = {e["name"]: e["id"] for e in live_entries(sandbox_env)}
    files[3].unlink()
    pruned = cli("--json", "sync", str(folder), "-c", "Course", "--prune", "delete", "--yes")
    assert pruned.code == 0, pruned.err
    [record] = pruned.json_lines()
    assert (record["action"], record["status"], record["entry_id"]) == (
        "delete",
        "done",
        ids["clip3"],
    )
    assert "recycle bin" in record["message"]
    assert _shown(sandbox_env)["clip3"] == -2  # in the bin, not deleted
    assert ids["clip3"] in in_category(sandbox_env, course)  # the server keeps its link
    sandbox_env.index.settle()
    hidden = cli("--json", "list", "-c", "Course", "--any-status")
    assert ids["clip3"] not in {r["id"] for r in hidden.json_lines()}  # lists leave it out
    again = cli("sync", str(folder), "-c", "Course", "--prune", "delete", "--plan")
    assert again.code == 0 and "0 changes" in again.err  # a recycled entry is gone, for a sync
    back = cli("--json", "restore", ids["clip3"], "0_nothere")
    assert back.code == 3, back.err  # one restored, one unknown
    by_id = {r["entry_id"]: r for r in back.json_lines()}
    assert by_id[ids["clip3"]]["status"] == "done"
    assert by_id["0_nothere"]["error"] == "ENTRY_ID_NOT_FOUND"
    assert _shown(sandbox_env)["clip3"] == 1
    sandbox_env.index.settle()
    listed = cli("--json", "list", "-c", "Course", "--any-status")
    assert ids["clip3"] in {r["id"] for r in listed.json_lines()}  # listed in the category again
    results = tmp_path / "pruned.jsonl"  # the sync's own --json results, as docs/cli.md shows
    results.write_text(pruned.out)
    twice = cli("restore", "--from-file", str(results))
    assert twice.code == 0 and "1 already live" in twice.err
    none = cli("restore")
    assert none.code == 2 and "no entries named" in none.err


def test_no_recycle_deletes_for_good(cli: Runner, sandbox_env: Any, tmp_path: Path) -> None:
    sandbox_env.set_partner_feature("FEATURE_RECYCLE_BIN")
    folder, _, files = _synced(cli, sandbox_env, tmp_path)
    files[3].unlink()
    args = ("sync", str(folder), "-c", "Course", "--prune", "delete", "--yes", "--no-recycle")
    assert cli(*args).code == 0
    assert "clip3" not in _shown(sandbox_env)  # deleted, not in the bin


def test_an_account_without_a_bin_deletes_for_good_and_says_so(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder, _, files = _synced(cli, sandbox_env, tmp_path)
    files[3].unlink()
    pruned = cli("--json", "sync", str(folder), "-c", "Course", "--prune", "delete", "--yes")
    assert pruned.code == 0, pruned.err
    [record] = pruned.json_lines()
    assert record["status"] == "done" and "no recycle bin" in record["message"]
    assert "clip3" not in _shown(sandbox_env)


def test_apply_of_a_saved_plan_recycles_too_unless_no_recycle(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.set_partner_feature("FEATURE_RECYCLE_BIN")
    folder, _, files = _synced(cli, sandbox_env, tmp_path)
    files[3].unlink()
    files[2].unlink()  # 2 of 4: within the default --max-delete (half)
    saved = tmp_path / "plan.json"
    args = ("sync", str(folder), "-c", "Course", "--prune", "delete", "--plan-out", str(saved))
    assert cli(*args).code == 0
    assert cli("apply", str(saved), "-q").code == 0
    assert (_shown(sandbox_env)["clip2"], _shown(sandbox_env)["clip3"]) == (-2, -2)
    files[1].unlink()
    args = ("sync", str(folder), "-c", "Course", "--prune", "delete", "--plan-out", str(saved))
    assert cli(*args).code == 0
    assert cli("apply", str(saved), "-q", "--no-recycle").code == 0
    assert "clip1" not in _shown(sandbox_env)
