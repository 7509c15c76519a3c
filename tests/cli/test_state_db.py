"""The command line's state: one SQLite database per state directory, and the JSON it replaced."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.client import Client
from kaltura_mm.commands import upload_batch
from kaltura_mm.errors import UploadCancelledError
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.store import Store, UploadStore
from kaltura_mm.upload import upload_file
from kaltura_mm.upload.plan import MIN_CHUNK_SIZE, plan_chunks
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from tests.cli.test_upload import make_files

Runner = Callable[..., Any]


@pytest.fixture
def drop(sandbox_env: Any) -> int:
    category_id: int = sandbox_env.create_category("Root>Drop")
    return category_id


def _rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return db.execute(query).fetchall()


def test_the_journal_is_one_row_per_file_in_a_wal_database(
    cli: Runner, drop: int, tmp_path: Path
) -> None:
    make_files(tmp_path / "media", 12, size=20_000)
    state = tmp_path / "state"
    result = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop")
    assert result.code == 0, result.err
    database = state / "state.db"
    assert _rows(database, "PRAGMA journal_mode") == [("wal",)]
    rows = _rows(database, "SELECT path, status, entry_id FROM files ORDER BY path")
    assert {(Path(p).name, s) for p, s, _ in rows} == {(f"clip{i}.mp4", "done") for i in range(12)}
    assert {e for _, _, e in rows} == {r["entry_id"] for r in result.json_lines()}
    assert not (state / "batches").exists()


def _client(sandbox: Any) -> Client:
    return Client(
        service_url=sandbox.service_url,
        partner_id=sandbox.partner_id,
        admin_secret=sandbox.admin_secret,
    )


def _half_upload(client: Client, request: UploadRequest, states: Path) -> UploadState:
    """Upload part of a file the library's way, its state saved as JSON (as 0.1 kept it)."""
    kept: dict[str, UploadState] = {}
    stop = threading.Event()

    def save(state: UploadState) -> None:
        states.mkdir(parents=True, exist_ok=True)
        (states / f"{state.reference_id}.json").write_text(state.to_json(), encoding="utf-8")
        kept[state.reference_id] = state
        if state.bytes_confirmed:
            stop.set()

    options = UploadOptions(chunk_size=100_000, concurrency=1, keep_on_cancel=True)
    with pytest.raises(UploadCancelledError):
        client.run(upload_file(request, options, on_state=save, cancel=stop))
    (saved,) = kept.values()
    return saved


def test_the_json_state_of_an_earlier_version_is_read_once(
    cli: Runner, sandbox_env: Any, drop: int, tmp_path: Path, clean_env: Path
) -> None:
    partial, done = (p.resolve() for p in make_files(tmp_path / "media", 2, size=700_000))
    state = tmp_path / "state"
    with _client(sandbox_env) as client:
        saved = _half_upload(
            client, UploadRequest(path=partial, category_ids=(drop,)), state / "uploads"
        )
        made = client.run(upload_file(UploadRequest(path=done, category_ids=(drop,))))
        gone = client.run(upload_file(UploadRequest(path=make_files(tmp_path / "x", 1)[0])))
        client.run(delete_entries([gone.entry_id]))
    info = done.stat()
    journal = {
        "version": 1,
        "command": ["kaltura-mm", "upload", str(tmp_path / "media")],
        "files": [
            {"path": str(done), "size": info.st_size, "mtime_ns": info.st_mtime_ns,
             "reference_id": made.reference_id, "entry_id": made.entry_id, "status": "done",
             "bytes_done": info.st_size, "error": None},
        ],
    }  # fmt: skip
    (state / "batches").mkdir(parents=True)
    (state / "batches" / "0123456789abcdef0123.json").write_text(json.dumps(journal))
    key = hashlib.sha256(f"{sandbox_env.service_url}\0{sandbox_env.partner_id}".encode())
    (state / "deletions").mkdir()
    (state / "deletions" / f"{key.hexdigest()[:20]}.txt").write_text(gone.entry_id + "\n")

    result = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop")
    assert result.code == 0, result.err
    assert "read the JSON state of an earlier kaltura-mm" in result.err
    by_name = {Path(r["path"]).name: r for r in result.json_lines()}
    assert by_name[partial.name]["status"] == "resumed"
    assert by_name[partial.name]["bytes_resumed"] == saved.bytes_confirmed > 0
    assert (by_name[done.name]["status"], by_name[done.name]["entry_id"]) == (
        "skipped",
        made.entry_id,
    )
    deleted = cli("--json", "delete", gone.entry_id, "--yes")
    assert deleted.code == 0, deleted.err
    assert deleted.json_lines()[0]["status"] == "already_done"
    again = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop")
    assert "earlier kaltura-mm" not in again.err  # read once
    assert {r["status"] for r in again.json_lines()} == {"skipped"}


def _writes(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[int]]:
    """Count the state database's write transactions, and the bytes each saved state confirms;
    write behind only at the start and the end of a run."""
    monkeypatch.setattr(upload_batch, "WRITE_EVERY", 3600.0)
    commits: list[str] = []
    confirmed: list[int] = []
    write_many, save = Store.write_many, UploadStore.save

    def counted(self: Store, sql: str, rows: Any) -> None:
        commits.append(" ".join(sql.split()[:3]))  # e.g. "INSERT INTO files"
        write_many(self, sql, rows)

    def saved(self: UploadStore, state: UploadState) -> None:
        confirmed.append(state.bytes_confirmed)
        save(self, state)

    monkeypatch.setattr(Store, "write_many", counted)
    monkeypatch.setattr(UploadStore, "save", saved)
    return commits, confirmed


def test_one_part_files_are_written_behind_in_a_few_commits(
    cli: Runner, drop: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_files(tmp_path / "media", 12, size=20_000)
    commits, _ = _writes(monkeypatch)
    result = cli("--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop")
    assert result.code == 0, result.err
    # Written as they came, 12 files cost 96 commits: 3 states, 4 records and a discard each.
    run = commits[len(commits) - commits[::-1].index("INSERT INTO targets") :]  # after set-up
    assert run.count("INSERT INTO files") <= 2, run
    assert run.count("INSERT INTO uploads") + run.count("DELETE FROM uploads") <= 2, run
    database = tmp_path / "state" / "state.db"
    rows = _rows(database, "SELECT status, entry_id FROM files")
    assert sorted(rows) == sorted(("done", r["entry_id"]) for r in result.json_lines())
    assert _rows(database, "SELECT COUNT(*) FROM uploads") == [(0,)]


def test_a_file_of_several_parts_is_written_at_each_chunk_it_confirms(
    cli: Runner, drop: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_files(tmp_path / "media", 1, size=3 * MIN_CHUNK_SIZE)
    _, confirmed = _writes(monkeypatch)
    result = cli(
        "--json", "upload", str(tmp_path / "media"), "-c", "Root>Drop",
        "--chunk-size", str(MIN_CHUNK_SIZE), "--concurrency", "1",
    )  # fmt: skip
    assert result.code == 0, result.err
    parts = len(plan_chunks(3 * MIN_CHUNK_SIZE, MIN_CHUNK_SIZE))
    assert parts > 2
    # a re-run after a crash resumes from the last chunk confirmed: each one was written
    assert len(set(confirmed) - {0}) >= parts - 1, confirmed
