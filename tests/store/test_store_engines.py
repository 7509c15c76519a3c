"""What differs by engine: an existing state.db is migrated; PostgreSQL needs its extra."""

from __future__ import annotations

import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kaltura_mm.store import (
    DeletionLog,
    FileJournal,
    PostgresMissingError,
    StoreError,
    Target,
    open_store,
)
from kaltura_mm.store.postgres import shown
from kaltura_mm.store.schema import MIGRATIONS, applied_versions

SERVER = Target("https://kaltura.example.org", 100)


def _state_db_before_migrations(folder: Path) -> Path:
    """Write a state.db as kaltura-mm kept it before versioned migrations, with rows in it."""
    folder.mkdir()
    path = folder / "state.db"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0].statements:  # that layout, statement for statement
            db.execute(statement)
        db.execute("INSERT INTO meta (name, value) VALUES ('schema_version', '1')")
        db.execute("INSERT INTO meta (name, value) VALUES ('json_imported_at', '1')")
        db.execute(
            "INSERT INTO files VALUES (?, '/data/a.mp4', '7', 5, 1, 'ref', '0_a', 'done', 5, "
            "NULL, 1)",
            (SERVER.key,),
        )
        db.execute("INSERT INTO deletions VALUES (?, '0_gone', 'deleted', 1)", (SERVER.key,))
    db.close()
    return path


def test_a_state_db_from_before_migrations_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = _state_db_before_migrations(tmp_path / "state")
    store = open_store(tmp_path / "state")
    assert store.where == str(path)
    assert applied_versions(store.engine) == list(range(1, len(MIGRATIONS) + 1))
    found = FileJournal(store, SERVER).get("/data/a.mp4", "7")
    assert found is not None and (found.entry_id, found.status) == ("0_a", "done")
    assert DeletionLog(store, SERVER).known(["0_gone", "0_new"]) == {"0_gone"}
    indexes = store.read("SELECT name FROM sqlite_master WHERE type = 'index'")
    assert "uploads_pending" in {r["name"] for r in indexes}  # migration 2 ran on it
    assert store.notes == []  # its JSON files were read in long ago: not again
    store.close()


def test_a_store_file_can_be_named_directly(tmp_path: Path) -> None:
    store = open_store(tmp_path / "elsewhere" / "kmm.db")
    assert store.where == str(tmp_path / "elsewhere" / "kmm.db")
    assert (tmp_path / "elsewhere" / "kmm.db").is_file()
    store.close()


def test_a_folder_that_cannot_hold_the_store_is_refused_with_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot record") as caught:
        open_store(blocker / "state")
    assert caught.value.refused and "--state-dir" in caught.value.fix


def test_a_postgresql_store_without_psycopg_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    with pytest.raises(PostgresMissingError) as caught:
        open_store("postgresql://kmm@db.example.org/kmm")
    assert "pip install 'kaltura-mm[postgres]'" in caught.value.fix


def test_a_postgresql_password_is_never_shown() -> None:
    url = "postgresql://kmm:s3cret-pw@db.example.org:5432/kmm?sslmode=require"
    assert shown(url) == "postgresql://kmm:***@db.example.org:5432/kmm?sslmode=require"
    assert shown("postgresql://kmm@db/kmm") == "postgresql://kmm@db/kmm"


def test_an_unreachable_postgresql_server_is_refused_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql://kmm:s3cret-pw@/kmm?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    assert "s3cret-pw" not in str(caught.value)
    assert caught.value.refused and "check the URL" in caught.value.fix


def test_stores_opened_at_once_on_a_new_database_apply_each_migration_once(
    location: str,
) -> None:
    with ThreadPoolExecutor(4) as pool:  # four connections racing to create the schema
        stores = list(pool.map(open_store, [location] * 4))
    rows = stores[0].read("SELECT version FROM schema_version ORDER BY version")
    assert [r["version"] for r in rows] == list(range(1, len(MIGRATIONS) + 1))
    for store in stores:
        store.close()


def test_a_postgresql_named_lock_holds_back_only_the_same_name(postgres_url: str) -> None:
    holder, other, waiter = (open_store(postgres_url) for _ in range(3))
    done: list[str] = []

    def claim(name: str) -> None:
        with waiter.transaction(locks=[name]):
            done.append(name)

    with ThreadPoolExecutor(1) as pool, holder.transaction(locks=["delete", "get"]):
        with other.transaction(locks=["list"]):
            pass  # another name does not wait
        same = pool.submit(claim, "delete")
        time.sleep(0.3)
        assert not same.done()  # the same name waits for the holder's transaction to end
    same.result(timeout=5)
    assert done == ["delete"]
    for store in (holder, other, waiter):
        store.close()
