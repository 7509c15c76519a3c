"""``--shard K/N`` through ``main``: N runs with no shared store do the whole job exactly once."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.upload import local_file
from tests.cli.ground import live_entries
from tests.integration.sync_support import media

Runner = Callable[..., Any]


def _notice(err: str) -> dict[str, Any]:
    """Return the ``shard`` JSON notice a --json run wrote to stderr."""
    notices = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    (shard,) = [n for n in notices if n.get("notice") == "shard"]
    return shard


def test_three_upload_shards_upload_every_file_exactly_once(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Root>Drop")
    folder = tmp_path / "media"
    folder.mkdir()
    for i in range(9):
        (folder / f"clip{i}.mp4").write_bytes(os.urandom(20_000 + i))
    taken: list[str] = []
    for k in (1, 2, 3):  # one after another, each with its own state: nothing shared
        state = tmp_path / f"machine{k}"
        run = cli("--json", "upload", str(folder), "-c", "Root>Drop", "--state-dir", str(state),
                  "--shard", f"{k}/3")  # fmt: skip
        assert run.code == 0, run.err
        rows = run.json_lines()
        assert {r["status"] for r in rows} <= {"uploaded"}
        notice = _notice(run.err)
        assert notice["message"] == f"shard {k}/3: {len(rows)} of 9 items"
        assert (notice["shard"], notice["items"], notice["total"]) == (f"{k}/3", len(rows), 9)
        taken += [Path(r["path"]).name for r in rows]
    assert sorted(taken) == sorted(f"clip{i}.mp4" for i in range(9))  # union = all, once each
    names = Counter(str(e["name"]) for e in live_entries(sandbox_env))
    assert names == Counter(f"clip{i}" for i in range(9))  # one entry per file on the server


def test_shard_table_says_the_part_it_took(cli: Runner, sandbox_env: Any, tmp_path: Path) -> None:
    sandbox_env.create_category("Root>Drop")
    for i in range(4):
        (tmp_path / f"clip{i}.mp4").write_bytes(os.urandom(10_000 + i))
    tables: list[set[str]] = []
    for k in (1, 2):
        run = cli("upload", str(tmp_path), "-c", "Root>Drop", "--shard", f"{k}/2")
        assert run.code == 0, run.err
        said = re.search(rf"kaltura-mm: shard: shard {k}/2: (\d+) of 4 items", run.err)
        assert said is not None, run.err
        listed = set(re.findall(r"clip\d\.mp4", run.out))  # the table lists only this part
        assert len(listed) == int(said.group(1))
        tables.append(listed)
    assert not tables[0] & tables[1]
    assert tables[0] | tables[1] == {f"clip{i}.mp4" for i in range(4)}


def test_a_shard_rerun_reads_again_only_the_files_of_other_shards(
    cli: Runner, sandbox_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox_env.create_category("Root>Drop")
    folder = tmp_path / "media"
    folder.mkdir()
    for i in range(8):  # the same bytes every run: the same parts (neither empty)
        (folder / f"clip{i}.mp4").write_bytes(f"clip {i}\n".encode() * 2_000)
    first = cli("--json", "upload", str(folder), "-c", "Root>Drop", "--shard", "2/2")
    assert first.code == 0, first.err

    read: list[Path] = []
    real = local_file.content_fingerprint

    def counted(path: Path, *args: Any) -> Any:
        read.append(path)
        return real(path, *args)

    # a cron re-run: the journal's referenceIds place this shard's done files, unread
    monkeypatch.setattr(local_file, "content_fingerprint", counted)
    again = cli("--json", "upload", str(folder), "-c", "Root>Drop", "--shard", "2/2")
    assert again.code == 0, again.err
    assert [r["path"] for r in again.json_lines()] == [r["path"] for r in first.json_lines()]
    assert _notice(again.err)["items"] == _notice(first.err)["items"]
    mine = {Path(r["path"]).name for r in first.json_lines()}
    assert mine and sorted(p.name for p in read) == sorted(
        {f"clip{i}.mp4" for i in range(8)} - mine
    )


def _shards_of_one_file(cli: Runner, argv: tuple[str, ...], ids: list[str], count: int) -> None:
    """Run ``argv --shard K/count`` for every K: each id acted on once, each run its part."""
    acted: list[str] = []
    for k in range(1, count + 1):
        run = cli("--json", *argv, "--shard", f"{k}/{count}")
        assert run.code == 0, run.err
        rows = run.json_lines()
        assert {r["status"] for r in rows} <= {"done"}
        assert _notice(run.err)["message"] == f"shard {k}/{count}: {len(rows)} of {len(ids)} items"
        acted += [r["entry_id"] for r in rows]
    assert sorted(acted) == sorted(ids)


def test_three_delete_shards_from_one_file_delete_each_entry_once(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Root>Old")
    ids = sandbox_env.seed_entries(category, 9, name_prefix="old")
    listing = tmp_path / "ids.txt"
    listing.write_text("\n".join(ids) + "\n")
    _shards_of_one_file(cli, ("delete", "--from-file", str(listing), "--yes"), ids, 3)
    assert not [e for e in live_entries(sandbox_env) if e["id"] in ids]


def test_two_sync_shards_leave_nothing_to_plan(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Lectures")
    sandbox_env.seed_entries(course, 1, name_prefix="stray")
    folder = tmp_path / "lectures"
    for i in range(6):
        media(folder, f"week{i % 2}/talk{i}.mp4", 1_000 + i)
    sandbox_env.index.settle()
    shown = cli("--json", "sync", str(folder), "-c", "Lectures", "--prune", "delete",
                "--plan", "--shard", "1/2")  # fmt: skip
    assert shown.code == 0, shown.err
    planned = {r.get("path") or r.get("name") for r in shown.json_lines()}
    parts: list[set[str]] = []
    taken = 0
    for k in (1, 2):
        state = tmp_path / f"machine{k}"
        prune = ("--prune", "delete", "--max-delete", "1")
        shard = ("--state-dir", str(state), "--shard", f"{k}/2")
        run = cli("--json", "sync", str(folder), "-c", "Lectures", *prune, "--yes", *shard)
        assert run.code == 0, run.err
        done = {r.get("path") or r.get("name") for r in run.json_lines()}
        # 6 files and the stray; shard 2 no longer sees the stray if shard 1 pruned it
        assert _notice(run.err)["total"] == (7 if k == 1 else 7 - ("stray" in str(parts)))
        taken += _notice(run.err)["items"]
        if k == 1:
            assert done == planned  # --plan --shard showed exactly this shard's plan
        parts.append(done)
        sandbox_env.index.settle()
    assert not parts[0] & parts[1] and taken == 7
    names = sorted(str(e["name"]) for e in live_entries(sandbox_env))
    assert names == [f"talk{i}" for i in range(6)]  # the stray was pruned by its own shard
    sandbox_env.index.settle()
    again = cli("--json", "sync", str(folder), "-c", "Lectures", "--prune", "delete", "--plan")
    assert again.code == 0, again.err
    assert json.loads(again.err.splitlines()[-1])["message"] == "Lectures: 0 changes: 6 keep"


@pytest.mark.parametrize("value", ["0/3", "4/3", "a/b", "3", "1/0", "-1/2"])
def test_a_bad_shard_is_a_usage_error_naming_the_flag(cli: Runner, value: str) -> None:
    for argv in (
        ("upload", "x.mp4"),
        ("delete", "--from-file", "ids.txt"),
        ("sync", "folder", "-c", "X"),
        ("update", "--from-file", "edits.csv"),
    ):
        run = cli(*argv, "--shard", value)
        assert run.code == 2, (argv, run.err)
        assert "--shard" in run.err, run.err
        assert "K/N" in run.err or "1 to N" in run.err


def test_apply_shards_of_one_saved_plan_apply_it_all(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Lectures")
    folder = tmp_path / "lectures"
    for i in range(6):
        media(folder, f"talk{i}.mp4", 1_000 + i)
    plan = tmp_path / "plan.json"
    made = cli("sync", str(folder), "-c", "Lectures", "--plan-out", str(plan))
    assert made.code == 0, made.err
    applied: list[str] = []
    for k in (1, 2):
        shard = ("--state-dir", str(tmp_path / f"machine{k}"), "--shard", f"{k}/2")
        run = cli("--json", "apply", str(plan), *shard)
        assert run.code == 0, run.err
        assert _notice(run.err)["total"] == 6
        applied += [r["path"] for r in run.json_lines() if r["status"] == "done"]
    assert sorted(Path(p).name for p in applied) == [f"talk{i}.mp4" for i in range(6)]
    sandbox_env.index.settle()
    again = cli("--json", "sync", str(folder), "-c", "Lectures", "--plan")
    assert json.loads(again.err.splitlines()[-1])["message"] == "Lectures: 0 changes: 6 keep"


def test_max_delete_applies_to_each_shard_run(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    course = sandbox_env.create_category("Lectures")
    strays = set(sandbox_env.seed_entries(course, 8, name_prefix="stray"))
    folder = tmp_path / "lectures"
    media(folder, "keep.mp4")
    sandbox_env.index.settle()
    sync = ("sync", str(folder), "-c", "Lectures", "--prune", "delete")
    removed: set[str] = set()
    for k in (1, 2):
        shard = ("--state-dir", str(tmp_path / f"machine{k}"), "--shard", f"{k}/2")
        shown = cli("--json", *sync, "--plan", *shard)
        mine = {r["entry_id"] for r in shown.json_lines() if r["action"] == "delete"}
        assert mine <= strays and not mine & removed  # only this shard's extras
        if mine:  # one more than the part's own removals is refused, naming the flag
            over = cli(*sync, "--yes", "--max-delete", str(len(mine) - 1), *shard)
            assert over.code == 2 and "--max-delete" in over.err, over.err
        run = cli("--json", *sync, "--yes", "--max-delete", str(len(mine)), *shard)
        assert run.code == 0, run.err
        assert {r["entry_id"] for r in run.json_lines() if r["action"] == "delete"} == mine
        removed |= mine
        sandbox_env.index.settle()
    assert removed == strays


def test_update_shards_from_one_file_edit_each_entry_once(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Root>Talks")
    ids = sandbox_env.seed_entries(category, 6, name_prefix="talk")
    edits = tmp_path / "edits.csv"
    edits.write_text("id,name\n" + "".join(f"{i},renamed {i}\n" for i in ids))
    _shards_of_one_file(cli, ("update", "--from-file", str(edits)), ids, 2)
    names = {e["id"]: e["name"] for e in live_entries(sandbox_env)}
    assert all(names[i] == f"renamed {i}" for i in ids)


@pytest.mark.parametrize("command", ["update", "delete", "detach", "add", "move"])
def test_a_shard_with_nothing_of_its_own_is_done(
    cli: Runner, sandbox_env: Any, tmp_path: Path, command: str
) -> None:
    category = sandbox_env.create_category("Root>Talks")
    sandbox_env.create_category("Root>Other")
    (entry,) = sandbox_env.seed_entries(category, 1, name_prefix="talk")
    listing = tmp_path / "one.csv"
    listing.write_text(f"id,name\n{entry},renamed\n")
    argv = {
        "update": ("update",),
        "delete": ("delete", "--yes"),
        "detach": ("detach", "-c", "Root>Talks", "--yes"),
        "add": ("add", "-c", "Root>Other", "--yes"),
        "move": ("move", "-c", "Root>Talks", "--to", "Root>Other", "--yes"),
    }[command]
    taken = []
    for k in (1, 2):
        run = cli("--json", *argv, "--from-file", str(listing), "--shard", f"{k}/2")
        assert run.code == 0, run.err
        rows = run.json_lines()
        assert [r["entry_id"] for r in rows] == [entry] * _notice(run.err)["items"]
        assert {r["status"] for r in rows} <= {"done"}
        taken += rows
    assert len(taken) == 1  # one shard did it, the other had nothing and said so


def test_a_sharded_sync_of_a_category_not_made_yet_is_refused_naming_the_fix(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "lectures"
    media(folder, "talk.mp4")
    run = cli("sync", str(folder), "-c", "New", "--create-categories", "--yes", "--shard", "1/2")
    assert run.code == 2, run.err
    assert "--shard needs the sync's category to exist" in run.err
    assert "without --shard" in run.err
    assert not live_entries(sandbox_env)  # nothing made
