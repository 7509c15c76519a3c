"""A re-run of ``upload`` reports what the server holds, not what the local journal believes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.ground import in_category, live_entries
from tests.cli.test_upload import make_files

Runner = Callable[..., Any]


@pytest.fixture
def drop(sandbox_env: Any) -> int:
    category_id: int = sandbox_env.create_category("Root>Drop")
    return category_id


def _upload(cli: Runner, *argv: str) -> list[dict[str, Any]]:
    result = cli("--json", "upload", *argv, "-c", "Root>Drop")
    assert result.code == 0, result.err
    records: list[dict[str, Any]] = result.json_lines()
    return records


def test_an_entry_deleted_on_the_server_is_uploaded_again_not_skipped(
    cli: Runner, sandbox_env: Any, drop: int, tmp_path: Path
) -> None:
    make_files(tmp_path / "media", 2)
    first = _upload(cli, str(tmp_path / "media"))
    gone = first[0]["entry_id"]
    assert cli("delete", gone, "--yes").code == 0
    again = _upload(cli, str(tmp_path / "media"))
    assert [r["status"] for r in again] == ["uploaded", "skipped"]
    assert again[0]["entry_id"] != gone
    assert gone in again[0]["message"]
    assert again[1]["entry_id"] == first[1]["entry_id"]
    assert in_category(sandbox_env, drop) == sorted(r["entry_id"] for r in again)


def test_an_entry_taken_out_of_its_category_is_put_back(
    cli: Runner, sandbox_env: Any, drop: int, tmp_path: Path
) -> None:
    make_files(tmp_path / "media", 2)
    first = _upload(cli, str(tmp_path / "media"))
    detached = first[0]["entry_id"]
    assert cli("detach", detached, "-c", str(drop), "--yes").code == 0
    assert detached not in in_category(sandbox_env, drop)
    again = _upload(cli, str(tmp_path / "media"))
    assert [r["status"] for r in again] == ["relinked", "skipped"]  # what this run did
    assert "put back into category" in again[0]["message"]
    assert again[1]["message"] is None
    assert in_category(sandbox_env, drop) == sorted(r["entry_id"] for r in first)


@pytest.mark.kaltura_sandbox(index_lag=60)
def test_an_existing_entry_found_outside_its_category_is_put_back(
    cli: Runner, sandbox_env: Any, drop: int, tmp_path: Path
) -> None:
    (clip,) = make_files(tmp_path / "one", 1)
    first = _upload(cli, str(clip))
    assert cli("detach", first[0]["entry_id"], "-c", str(drop), "--yes").code == 0
    fresh = str(tmp_path / "fresh-state")
    (again,) = _upload(cli, str(clip), "--state-dir", fresh)
    assert (again["status"], again["entry_id"]) == ("relinked", first[0]["entry_id"])
    assert "put back" in again["message"]
    assert in_category(sandbox_env, drop) == [first[0]["entry_id"]]


def test_naming_one_file_alone_skips_what_the_folder_run_uploaded(
    cli: Runner, sandbox_env: Any, drop: int, tmp_path: Path
) -> None:
    clips = make_files(tmp_path / "media", 3)
    first = _upload(cli, str(tmp_path / "media"))
    sandbox_env.stats.reset()
    (alone,) = _upload(cli, str(clips[1]))
    assert (alone["status"], alone["entry_id"]) == ("skipped", first[1]["entry_id"])
    assert len(live_entries(sandbox_env)) == 3
    # resolve the category, then one getByIds: nothing listed, nothing created
    assert sandbox_env.stats.http_requests <= 2
