"""Tables a person reads: aligned by display width, and ``(no results)`` is not a row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len

Runner = Callable[..., Any]


def test_columns_line_up_with_emoji_and_cjk_names(cli: Runner, sandbox_env: Any) -> None:
    category = sandbox_env.create_category("Talks")
    a, b, _ = sandbox_env.seed_entries(category, 3)
    assert cli("update", a, "--name", "講義の記録", "-q").code == 0
    assert cli("update", b, "--name", "talk 🎓", "-q").code == 0
    listed = cli("list", "-c", "Talks")
    assert listed.code == 0, listed.err
    lines = listed.out.splitlines()
    header = lines[0]
    column = cell_len(header[: header.index("type")])  # where the third column starts
    for line in lines[2:]:
        name_end = max(
            line.index(n) + len(n) for n in ("講義の記録", "talk 🎓", "entry 3") if n in line
        )
        rest = line[name_end:]
        gap = len(rest) - len(rest.lstrip())
        assert cell_len(line[:name_end]) + gap == column, lines


def test_no_results_is_a_notice_on_stderr(cli: Runner, sandbox_env: Any) -> None:
    sandbox_env.create_category("Empty")
    listed = cli("list", "-c", "Empty")
    assert listed.code == 0, listed.err
    assert listed.out == ""
    assert "(no results)" in listed.err


def test_a_category_just_moved_is_found_by_its_new_path(cli: Runner, sandbox_env: Any) -> None:
    bio = sandbox_env.create_category("Courses>Bio")
    archive = sandbox_env.create_category("Archive")
    moved = cli("--json", "categories", "move", str(bio), "--to", str(archive))
    assert moved.code == 0, moved.err
    sandbox_env.seed_entries(bio, 1)
    # The index still holds the old path; the new one is the category's, not a mere candidate.
    listed = cli("--json", "list", "-c", "Archive>Bio")
    assert listed.code == 0, listed.err
    assert len(listed.json_lines()) == 1


def test_paths_are_not_case_sensitive_and_a_missing_one_says_how_to_make_it(
    cli: Runner, sandbox_env: Any
) -> None:
    talks = sandbox_env.create_category("Root>Talks")
    sandbox_env.seed_entries(talks, 1)
    sandbox_env.clock.advance(5)
    assert len(cli("--json", "list", "-c", "root>talks").json_lines()) == 1
    missing = cli("list", "-c", "Root>Nothing")
    assert missing.code == 5
    assert "case-sensitive" not in missing.err
    assert "--create-categories" in missing.err
