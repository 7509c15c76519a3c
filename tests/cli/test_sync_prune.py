"""Prunes that cannot empty a category by mistake: ``--max-delete N|N%`` (default: half the
category, and nothing at all when the source lists no file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import in_category, live_entries
from tests.integration.sync_support import media, writes

Runner = Callable[..., Any]


def test_an_empty_or_shrunken_source_does_not_empty_the_category(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Course")
    folder = tmp_path / "course"
    files = [media(folder, f"clip{i}.mp4") for i in range(4)]
    assert cli("sync", str(folder), "-c", "Course", "--yes", "-q").code == 0
    assert len(in_category(sandbox_env, course)) == 4
    for path in files:
        path.unlink()  # the share came up empty
    before = writes(sandbox_env)
    empty = cli("sync", str(folder), "-c", "Course", "--prune", "delete", "--yes", "-q")
    assert empty.code == 2, empty.err
    assert "the source lists no file" in empty.err and "--max-delete 4" in empty.err
    saved = tmp_path / "plan.json"
    assert (
        cli("sync", str(folder), "-c", "Course", "--prune", "delete", "--plan-out", str(saved)).code
        == 0
    )
    assert cli("apply", str(saved), "-q").code == 2  # a saved plan is held to the same rule
    media(folder, "clip0.mp4")  # one file back (new content): 3 extras of 4 (75%)
    shrunk = cli("sync", str(folder), "-c", "Course", "--prune", "detach", "--yes")
    assert shrunk.code == 2
    assert "would detach 3 of the 4 entries of Course (75%), more than --max-delete 50%" in (
        shrunk.err
    )
    assert (writes(sandbox_env), len(in_category(sandbox_env, course))) == (before, 4)
    limited = cli(
        "sync", str(folder), "-c", "Course", "--prune", "delete", "--yes", "--max-delete", "2"
    )
    assert limited.code == 2 and "--max-delete 2 allows" in limited.err
    meant = cli(
        "--json",
        "sync",
        str(folder),
        "-c",
        "Course",
        "--prune",
        "delete",
        "--yes",
        "--max-delete",
        "100%",
    )
    assert meant.code == 0, meant.err
    assert sorted(r["action"] for r in meant.json_lines()) == [*["delete"] * 3, "replace"]
    shown = [e["name"] for e in live_entries(sandbox_env) if e["display_in_search"] != -1]
    assert shown == ["clip0"]  # (a replacement's temporary entry is hidden)
    bad = cli("sync", str(folder), "-c", "Course", "--max-delete", "lots")
    assert bad.code == 2 and "use a count (10) or a percentage (25%)" in bad.err
