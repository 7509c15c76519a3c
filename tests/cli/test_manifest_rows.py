"""Manifests and edit files read strictly: a short, long or oversized row is refused, naming the
file and line, and never read as empty values that would clear an entry's metadata."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.ground import live_entries
from tests.integration.sync_support import media, writes

Runner = Callable[..., Any]


def _metadata(sb: Any) -> list[tuple[str, str, str]]:
    return sorted((e["name"], e["description"] or "", e["tags"] or "") for e in live_entries(sb))


def test_a_short_manifest_row_is_refused_not_read_as_empty(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    media(tmp_path, "a.mp4")
    media(tmp_path, "b.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,name,description,tags\na.mp4,A,About a,bio\nb.mp4,B,About b,chem\n")
    assert cli("sync", str(manifest), "-c", "Course", "--yes", "-q").code == 0
    kept = _metadata(sandbox_env)
    assert kept == [("A", "About a", "bio"), ("B", "About b", "chem")]
    manifest.write_text("path,name,description,tags\na.mp4,A,About a,bio\nb.mp4,B\n")
    before = writes(sandbox_env)
    short = cli("sync", str(manifest), "-c", "Course", "--yes")
    assert short.code == 2, short.err
    assert f"manifest {manifest}:3: 2 cells, and the header has 4" in short.err
    long = manifest.read_text().replace("b.mp4,B\n", "b.mp4,B,About b,chem,extra\n")
    manifest.write_text(long)
    assert f"{manifest}:3: 5 cells" in cli("sync", str(manifest), "-c", "Course", "--yes").err
    manifest.write_text(f'path,name,description\n"a.mp4",A,"{"x" * 5_000_000}"\n')
    huge = cli("sync", str(manifest), "-c", "Course", "--yes")
    assert huge.code == 2 and "internal error" not in huge.err
    assert f"manifest {manifest}:2: a cell is over the 65,536 characters allowed" in huge.err
    assert (writes(sandbox_env), _metadata(sandbox_env)) == (before, kept)


def test_update_from_a_file_refuses_a_short_row(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    category = sandbox_env.create_category("Course")
    (entry,) = sandbox_env.seed_entries(category, 1, name_prefix="talk")
    assert cli("update", entry, "--description", "Kept", "--tags", "keep", "-q").code == 0
    kept = _metadata(sandbox_env)
    edits = tmp_path / "edits.csv"
    edits.write_text(f"id,name,description,tags\n{entry},Renamed\n")
    short = cli("update", "--from-file", str(edits))
    assert short.code == 2, short.err
    assert f"--from-file {edits}:2: 2 cells, and the header has 4" in short.err
    edits.write_text(f"id,description\n{entry},{'y' * 70_000}\n")
    big = cli("update", "--from-file", str(edits))
    assert big.code == 2 and "a cell holds 70,000 characters, over the 65,536" in big.err
    assert _metadata(sandbox_env) == kept


def test_a_short_row_in_an_upload_manifest_is_refused(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    media(tmp_path, "a.mp4")
    manifest = tmp_path / "up.csv"
    manifest.write_text("path,name,description\na.mp4,A\n")
    refused = cli("upload", str(manifest))
    assert refused.code == 2, refused.err
    assert f"manifest {manifest}:2: 2 cells, and the header has 3" in refused.err
    assert live_entries(sandbox_env) == []


def test_a_json_lines_row_leaving_out_a_managed_key_is_refused(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    sandbox_env.create_category("Course")
    media(tmp_path, "a.mp4")
    media(tmp_path, "b.mp4")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"path": "a.mp4", "description": "About a"}\n{"path": "b.mp4"}\n')
    refused = cli("sync", str(manifest), "-c", "Course", "--yes")
    assert refused.code == 2, refused.err
    assert f"manifest {manifest}:2: no description, which other rows give" in refused.err
    assert live_entries(sandbox_env) == []


def test_an_id_list_with_a_huge_cell_is_refused_not_an_internal_error(
    cli: Runner, sandbox_env: Any, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.csv"
    ids.write_text(f'id,name\n0_abc,"{"x" * 5_000_000}"\n')
    refused = cli("delete", "--from-file", str(ids), "--yes")
    assert refused.code == 2, refused.err
    assert "internal error" not in refused.err and f"--from-file {ids}: not CSV" in refused.err
