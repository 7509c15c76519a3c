"""Empty files are skipped with a notice by ``upload`` and ``sync`` (exit 0), never failed on,
and an entry whose file became empty is left as it is, never pruned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import live_entries
from tests.integration.sync_support import media

Runner = Callable[..., Any]


def test_upload_skips_empty_files_with_a_notice(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    media(folder, "talk.mp4")
    (folder / "placeholder.mp4").write_bytes(b"")
    for _ in range(2):  # a cron job: every run is clean
        run = cli("upload", str(folder))
        assert run.code == 0, run.err
        assert "placeholder.mp4: empty (0 bytes)" in run.err
    assert [e["name"] for e in live_entries(sandbox_env)] == ["talk"]
    only = cli("upload", str(folder / "placeholder.mp4"))
    assert only.code == 0, only.err
    assert "nothing to upload" in only.err


def test_sync_skips_empty_files_and_keeps_the_entry_of_one_emptied(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    folder = tmp_path / "course"
    media(folder, "a.mp4")
    media(folder, "b.mp4")
    (folder / "later.mp4").write_bytes(b"")
    first = cli("--json", "sync", str(folder), "-c", "Course", "--yes")
    assert first.code == 0, first.err
    assert "later.mp4: empty (0 bytes)" in first.err
    assert sorted(e["name"] for e in live_entries(sandbox_env)) == ["a", "b"]
    (folder / "b.mp4").write_bytes(b"")  # being rewritten as the cron job runs
    again = cli(
        "--json", "sync", str(folder), "-c", "Course", "--yes", "--prune", "delete",
        "--max-delete", "100%",
    )  # fmt: skip
    assert again.code == 0, again.err
    assert again.out == ""  # nothing to do: b's entry is not pruned
    assert sorted(e["name"] for e in live_entries(sandbox_env)) == ["a", "b"]
    plan = cli("--json", "sync", str(folder), "-c", "Course", "--plan", "--show-keep").json_lines()
    (held,) = [r for r in plan if r["name"] == "b"]
    assert held["action"] == "keep" and "empty" in held["note"]


def test_an_empty_id_list_is_nothing_to_do_not_a_usage_error(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    # `list ... --format csv > old.csv && delete --from-file old.csv`: a listing that matched
    # nothing gives a header-only file; a cron job's run with nothing to do is clean
    sandbox_env.create_category("Root>Archive")
    listed = tmp_path / "old.csv"
    run = cli("list", "-c", "Root>Archive", "--all", "--format", "csv")
    assert run.code == 0, run.err
    listed.write_text(run.out)
    for argv in (("delete", "--from-file", str(listed), "--yes"),
                 ("detach", "-c", "Root>Archive", "--from-file", str(listed), "--yes"),
                 ("update", "--from-file", str(listed))):  # fmt: skip
        done = cli(*argv)
        assert done.code == 0, (argv, done.err)
    assert "names no entries: nothing to update" in done.err
    assert cli("delete", "--yes").code == 2  # naming nothing at all is still a usage error
    assert cli("update").code == 2
