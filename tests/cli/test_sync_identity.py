"""One entry per file and category, whatever the source kind (issue 17 item 1).

Each switch is run twice: the first sync takes the entries over, the second plans nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import in_category, live_entries
from tests.integration.sync_support import media, writes

Runner = Callable[..., Any]


def _ids(sb: Any) -> list[str]:
    return sorted(str(e["id"]) for e in live_entries(sb) if e["display_in_search"] != -1)


def _nothing_to_do(cli: Runner, sb: Any, source: Path, *extra: str) -> None:
    """A second run plans nothing and sends nothing."""
    before = writes(sb)
    again = cli("--json", "sync", str(source), "-c", "Talks", "--yes", *extra)
    assert (again.code, again.out) == (0, ""), again.err
    assert "0 changes" in json.loads(again.err.splitlines()[-1])["message"]
    assert writes(sb) == before


def _talks(sb: Any, tmp_path: Path) -> tuple[Any, Path]:
    """The category "Talks" and a folder of three files for it."""
    talks = sb.create_category("Talks")
    folder = tmp_path / "talks"
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        media(folder, name)
    return talks, folder


def test_a_folder_then_a_manifest_listing_its_files_keeps_one_entry_each(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    _, folder = _talks(sandbox_env, tmp_path)
    assert cli("sync", str(folder), "-c", "Talks", "--yes", "-q").code == 0
    ids = _ids(sandbox_env)
    assert len(ids) == 3
    manifest = tmp_path / "talks.csv"  # beside the folder: paths relative to the manifest
    manifest.write_text("path,referenceId\ntalks/a.mp4,T-a\ntalks/b.mp4,T-b\ntalks/c.mp4,\n")
    plan = cli("--json", "sync", str(manifest), "-c", "Talks", "--plan")
    assert plan.code == 0, plan.err
    assert [r["actions"] for r in plan.json_lines()] == [["update"]] * 3  # no add, no extra
    assert all("taken over" in r["note"] for r in plan.json_lines())
    assert cli("sync", str(manifest), "-c", "Talks", "--yes", "-q").code == 0
    assert _ids(sandbox_env) == ids
    refs = sorted(str(e["reference_id"]) for e in live_entries(sandbox_env))
    assert refs[:2] == ["T-a", "T-b"]
    _nothing_to_do(cli, sandbox_env, manifest)


def test_a_manifest_then_its_folder_keeps_one_entry_each(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    _, folder = _talks(sandbox_env, tmp_path)
    manifest = tmp_path / "talks.csv"
    manifest.write_text("path,referenceId\ntalks/a.mp4,T-a\ntalks/b.mp4,T-b\ntalks/c.mp4,T-c\n")
    assert cli("sync", str(manifest), "-c", "Talks", "--yes", "-q").code == 0
    ids = _ids(sandbox_env)
    synced = cli("--json", "sync", str(folder), "-c", "Talks", "--yes")
    assert synced.code == 0, synced.err
    assert sorted(r["action"] for r in synced.json_lines()) == ["update"] * 3
    assert _ids(sandbox_env) == ids
    _nothing_to_do(cli, sandbox_env, folder)


def test_an_upload_then_a_sync_twice_keeps_one_entry_each(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    _, folder = _talks(sandbox_env, tmp_path)
    assert cli("upload", str(folder), "-c", "Talks", "-q").code == 0
    ids = _ids(sandbox_env)
    sandbox_env.index.settle()
    assert cli("sync", str(folder), "-c", "Talks", "--yes", "-q").code == 0
    assert _ids(sandbox_env) == ids
    _nothing_to_do(cli, sandbox_env, folder)


def test_a_manifest_into_a_category_it_creates_keeps_its_reference_ids(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "lectures"
    for name in ("intro.mp4", "lab1.mp4", "lab2.mp4", "lab3.mp4"):
        media(folder, name)
    manifest = tmp_path / "catalog.csv"
    manifest.write_text(
        "path,referenceId,name,category\n"
        "lectures/intro.mp4,BIO101-01,Introduction,\n"
        "lectures/lab1.mp4,BIO101-02,Lab 1,Talks>Labs\n"
        "lectures/lab2.mp4,BIO101-03,Lab 2,Talks>Labs\n"
        "lectures/lab3.mp4,,Lab 3,Talks>Labs\n"
    )
    made = cli("sync", str(manifest), "-c", "Talks", "--create-categories", "--yes", "-q")
    assert made.code == 0, made.err
    refs = sorted(str(e["reference_id"]) for e in live_entries(sandbox_env))
    assert refs[:3] == ["BIO101-01", "BIO101-02", "BIO101-03"]
    assert len(refs) == 4
    _nothing_to_do(cli, sandbox_env, manifest, "--create-categories")
    assert len(live_entries(sandbox_env)) == 4


def test_a_saved_plan_taking_a_folders_entries_over_applies_once(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    _, folder = _talks(sandbox_env, tmp_path)
    assert cli("sync", str(folder), "-c", "Talks", "--yes", "-q").code == 0
    ids = _ids(sandbox_env)
    manifest = folder / "talks.csv"  # inside the folder this time: the same relative paths
    manifest.write_text("path,referenceId\na.mp4,T-a\nb.mp4,T-b\nc.mp4,T-c\n")
    saved = tmp_path / "plan.json"
    assert cli("sync", str(manifest), "-c", "Talks", "--plan-out", str(saved)).code == 0
    first = cli("--json", "apply", str(saved))
    assert [r["status"] for r in first.json_lines()] == ["done"] * 3, first.err
    before = writes(sandbox_env)
    again = cli("--json", "apply", str(saved))
    assert (again.code, again.out) == (0, ""), again.err
    assert writes(sandbox_env) == before
    assert _ids(sandbox_env) == ids
    _nothing_to_do(cli, sandbox_env, manifest)


def test_a_folder_then_its_manifest_with_an_empty_state_folder_keeps_one_entry_each(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    talks, folder = _talks(sandbox_env, tmp_path)
    first_state = ("--state-dir", str(tmp_path / "state-one"))
    assert cli("sync", str(folder), "-c", "Talks", "--yes", "-q", *first_state).code == 0
    ids = _ids(sandbox_env)
    assert len(ids) == 3
    sandbox_env.index.settle()  # another machine, later: the search index caught up
    manifest = tmp_path / "talks.csv"  # beside the folder: paths relative to the manifest
    manifest.write_text("path,name\ntalks/a.mp4,A\ntalks/b.mp4,B\ntalks/c.mp4,C\n")
    fresh = ("--state-dir", str(tmp_path / "state-two"))  # another machine: no local records
    synced = cli("--json", "sync", str(manifest), "-c", "Talks", "--yes", *fresh)
    assert synced.code == 0, synced.err
    assert sorted(r["action"] for r in synced.json_lines()) == ["update"] * 3  # no add
    assert _ids(sandbox_env) == ids
    assert sorted(in_category(sandbox_env, talks)) == ids
    _nothing_to_do(cli, sandbox_env, manifest, *fresh)
    assert sorted(in_category(sandbox_env, talks)) == ids  # one entry per file, still


def test_a_manifest_then_its_folder_with_an_empty_state_folder_keeps_one_entry_each(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    talks, folder = _talks(sandbox_env, tmp_path)
    manifest = tmp_path / "talks.csv"  # no referenceId column: identities derived from paths
    manifest.write_text("path\ntalks/a.mp4\ntalks/b.mp4\ntalks/c.mp4\n")
    first_state = ("--state-dir", str(tmp_path / "state-one"))
    assert cli("sync", str(manifest), "-c", "Talks", "--yes", "-q", *first_state).code == 0
    ids = _ids(sandbox_env)
    assert len(ids) == 3
    sandbox_env.index.settle()  # another machine, later: the search index caught up
    fresh = ("--state-dir", str(tmp_path / "state-two"))
    synced = cli("--json", "sync", str(folder), "-c", "Talks", "--yes", *fresh)
    assert synced.code == 0, synced.err
    assert sorted(r["action"] for r in synced.json_lines()) == ["update"] * 3  # no add
    assert sorted(in_category(sandbox_env, talks)) == ids
    _nothing_to_do(cli, sandbox_env, folder, *fresh)
    assert _ids(sandbox_env) == ids
