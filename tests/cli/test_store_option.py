"""``--store URL`` and ``KALTURA_MM_STORE``: the command line's state in PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.cli.test_upload import make_files

Runner = Callable[..., Any]


@pytest.fixture
def drop(sandbox_env: Any) -> int:
    category_id: int = sandbox_env.create_category("Root>Drop")
    return category_id


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as db:
        return db.execute(query).fetchall()


def test_an_upload_with_store_keeps_its_journal_in_postgresql(
    cli: Runner, drop: int, tmp_path: Path, postgres_url: str
) -> None:
    make_files(tmp_path / "media", 3, size=20_000)
    first = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop",
                "--store", postgres_url)  # fmt: skip
    assert first.code == 0, first.err
    rows = _rows(postgres_url, "SELECT path, status, entry_id FROM files ORDER BY path")
    assert [(Path(p).name, s) for p, s, _ in rows] == [(f"clip{i}.mp4", "done") for i in range(3)]
    assert {e for _, _, e in rows} == {r["entry_id"] for r in first.json_lines()}
    assert not (tmp_path / "state" / "state.db").exists()  # nothing went to the SQLite default
    again = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop",
                "--store", postgres_url)  # fmt: skip
    assert {r["status"] for r in again.json_lines()} == {"skipped"}  # read back from PostgreSQL
    listed = cli("--json", "uploads", "--store", postgres_url)
    assert (listed.code, listed.out) == (0, "")


def test_kaltura_mm_store_is_used_by_a_delete_and_its_rerun(
    cli: Runner, drop: int, tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_files(tmp_path / "media", 1, size=20_000)
    made = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop")
    (entry,) = [r["entry_id"] for r in made.json_lines()]
    monkeypatch.setenv("KALTURA_MM_STORE", postgres_url)
    deleted = cli("--json", "delete", entry, "--yes")
    assert deleted.code == 0, deleted.err
    assert _rows(postgres_url, "SELECT entry_id, status FROM deletions") == [(entry, "deleted")]
    # The deletion is known from PostgreSQL: the same delete again is done, not "not found".
    again = cli("--json", "delete", entry, "--yes")
    assert again.code == 0, again.err
    assert again.json_lines()[0]["status"] == "already_done"


def test_a_postgresql_store_without_psycopg_is_refused_naming_the_extra(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    result = cli("uploads", "--store", "postgresql://kmm@db.example.org/kmm")
    assert result.code == 2
    assert "pip install 'kaltura-mm[postgres]'" in result.err


def test_a_postgresql_password_never_appears_in_a_refusal(cli: Runner, tmp_path: Path) -> None:
    url = f"postgresql://kmm:s3cret-pw@/kmm?host={tmp_path}&connect_timeout=2"
    result = cli("uploads", "--store", url)
    assert result.code == 2
    assert "cannot record kaltura-mm's state in postgresql://kmm:***@/kmm" in result.err
    assert "s3cret-pw" not in result.err + result.out
