"""``upload`` through ``main``: directories, manifests, journal skips, reports, no duplicates."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Runner = Callable[..., Any]


def make_files(folder: Path, count: int, size: int = 150_000) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"clip{i}.mp4"
        path.write_bytes(os.urandom(size + i))
        paths.append(path)
    return paths


@pytest.fixture
def entries_in(cli: Runner, sandbox_env: Any) -> Callable[[str], list[dict[str, Any]]]:
    """Return a category's entries, once the search index caught up with the writes."""

    def listed(category: str) -> list[dict[str, Any]]:
        sandbox_env.index.settle()
        result = cli("--json", "list", "-c", category, "--any-status", "--all")
        assert result.code == 0, result.err
        lines: list[dict[str, Any]] = result.json_lines()
        return lines

    return listed


@pytest.fixture
def drop(sandbox_env: Any) -> str:
    sandbox_env.create_category("Root>Drop")
    return "Root>Drop"


def test_upload_a_folder_then_rerun_skips_everything(
    cli: Runner, drop: str, tmp_path: Path, entries_in: Callable[[str], list[dict[str, Any]]]
) -> None:
    make_files(tmp_path / "media" / "week1", 2)
    make_files(tmp_path / "media" / "week2", 1)
    (tmp_path / "media" / ".hidden.mp4").write_bytes(b"x" * 10)
    report = tmp_path / "report.csv"
    first = cli(
        "upload",
        str(tmp_path / "media"),
        "-c",
        drop,
        "--chunk-size",
        "100kB",
        "--report",
        str(report),
        "--json",
    )
    assert first.code == 0, first.err
    records = first.json_lines()
    assert [r["status"] for r in records] == ["uploaded"] * 3
    rows = list(csv.DictReader(report.open()))
    assert {r["entry_id"] for r in rows} == {r["entry_id"] for r in records}
    again = cli("upload", str(tmp_path / "media"), "-c", drop, "--json")
    assert again.code == 0, again.err
    assert [r["status"] for r in again.json_lines()] == ["skipped"] * 3
    listed = entries_in(drop)
    assert sorted(e["id"] for e in listed) == sorted(r["entry_id"] for r in records)


@pytest.mark.kaltura_sandbox(index_lag=60)
def test_lost_journal_still_makes_no_duplicate(
    cli: Runner,
    drop: str,
    tmp_path: Path,
    clean_env: Path,
    entries_in: Callable[[str], list[dict[str, Any]]],
) -> None:
    (clip,) = make_files(tmp_path / "one", 1)
    state = tmp_path / "my-state"
    first = cli("--json", "upload", str(clip), "-c", drop, "--state-dir", str(state))
    assert first.code == 0, first.err
    entry_id = first.json_lines()[0]["entry_id"]
    again = cli("--json", "upload", str(clip), "-c", drop, "--state-dir", str(tmp_path / "new"))
    assert again.code == 0, again.err
    record = again.json_lines()[0]
    assert (record["status"], record["entry_id"]) == ("existing", entry_id)
    assert [e["id"] for e in entries_in(drop)] == [entry_id]


def test_manifest_sets_metadata_per_file(
    cli: Runner,
    sandbox_env: Any,
    drop: str,
    tmp_path: Path,
    entries_in: Callable[[str], list[dict[str, Any]]],
) -> None:
    sandbox_env.create_category("Root>Other")
    a, b = make_files(tmp_path / "files", 2)
    manifest = tmp_path / "files" / "batch.csv"
    manifest.write_text(
        "path,name,description,tags,category,referenceId\n"
        f'{a.name},First talk,About A,"xx,yy",,ref-a\n'
        f"{b},Second talk,,,Root>Other,\n"
    )
    report = tmp_path / "out.json"
    result = cli("upload", str(manifest), "-c", drop, "--report", str(report), "-q")
    assert (result.code, result.out, result.err) == (0, "", "")  # -q: the report says it all
    outcomes = json.loads(report.read_text())
    assert [o["name"] for o in outcomes] == ["First talk", "Second talk"]
    (first,) = entries_in(drop)
    # one-character tags would be dropped by the server, which rejoins tags with ", "
    assert (first["name"], first["reference_id"], first["tags"]) == (
        "First talk",
        "ref-a",
        "xx, yy",
    )
    (second,) = entries_in("Root>Other")
    assert second["name"] == "Second talk"


def test_mistakes_are_one_line_with_the_right_code(cli: Runner, drop: str, tmp_path: Path) -> None:
    missing = cli("upload", str(tmp_path / "nope.mp4"), "-c", drop)
    assert missing.code == 5
    assert "no such file" in missing.err
    clips = make_files(tmp_path / "two", 2)
    named = cli("upload", *map(str, clips), "--name", "x")
    assert named.code == 2
    assert "one file" in named.err
    unknown = cli("upload", str(clips[0]), "-c", "Root>Missing")
    assert unknown.code == 5
    tiny = cli("upload", str(clips[0]), "--chunk-size", "1kB")
    assert tiny.code == 2 and "--chunk-size" in tiny.err
    bad_manifest = tmp_path / "bad.csv"
    bad_manifest.write_text("file,title\nx,y\n")
    assert cli("upload", str(bad_manifest)).code == 2
    for result in (missing, named, unknown):
        assert "Traceback" not in result.err


def test_small_files_cost_about_one_request_each(
    cli: Runner, sandbox_env: Any, drop: str, tmp_path: Path
) -> None:
    make_files(tmp_path / "small", 50, size=20_000)
    sandbox_env.stats.reset()
    first = cli("--json", "upload", str(tmp_path / "small"), "-c", drop)
    assert first.code == 0, first.err
    assert [r["status"] for r in first.json_lines()] == ["uploaded"] * 50
    # Resolve the category (read once: not again by id), look all 50 up at once, then one each;
    # each file's marker goes once its last look decided (recover rule 8), carried by a later
    # file's create request, but the last ones' (in flight when the last file starts).
    assert sandbox_env.stats.http_requests <= 50 + 3 + 8
    assert sandbox_env.stats.calls[("category", "get")] == 0
    sandbox_env.stats.reset()  # at once: the lookup reads the database, not the search index
    fresh_state = str(tmp_path / "new-state")
    lost = cli("--json", "upload", str(tmp_path / "small"), "-c", drop, "--state-dir", fresh_state)
    assert [r["status"] for r in lost.json_lines()] == ["existing"] * 50
    # The journal lost: one token list (all 50 have one size) and one read of the entries their
    # receipts name find them all.
    assert sandbox_env.stats.http_requests <= 5


def test_upload_defaults_are_the_librarys(cli: Runner) -> None:
    shown = " ".join(cli("upload", "--help").out.split())  # help text wraps at any space
    assert "--concurrency" in shown and "[default: 24;" in shown
    assert "--chunk-size" in shown and "[default: 16MiB]" in shown


def test_concurrency_is_the_one_part_files_in_flight(
    cli: Runner, sandbox_env: Any, drop: str, tmp_path: Path
) -> None:
    make_files(tmp_path / "small", 12, size=20_000)
    sandbox_env.faults.latency = 0.3  # requests stay open long enough to overlap
    sandbox_env.stats.reset()
    done = cli("--json", "upload", str(tmp_path / "small"), "-c", drop, "--concurrency", "8")
    assert done.code == 0, done.err
    assert [r["status"] for r in done.json_lines()] == ["uploaded"] * 12
    # A one-part file is one request: more than the 4 files of larger uploads, never past 8.
    assert 4 < sandbox_env.stats.peak_requests <= 8
