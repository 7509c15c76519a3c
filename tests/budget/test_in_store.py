"""The budget's tables live in the store: made by its migrations, on both engines; one file per
user by default, whatever state folder a run uses."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kaltura_mm.budget import Key, Limit, budget_from_env, open_budget
from kaltura_mm.store import open_store
from kaltura_mm.store.schema import MIGRATIONS, applied_versions

DELETE = Key("https://kaltura.example", "100", "baseentry", "delete")


def test_the_budget_tables_are_the_stores_made_by_its_migrations(engine: str) -> None:
    budget = open_budget(engine)
    budget.set_limit(DELETE, Limit(30, 10.0))
    budget.close()
    store = open_store(engine, file=True)  # PostgreSQL: the very store KALTURA_MM_STORE names
    try:
        assert applied_versions(store.engine) == list(range(1, len(MIGRATIONS) + 1))
        rows = store.read("SELECT key, calls, seconds FROM budget_limits")
        assert [(r["key"], r["calls"], r["seconds"]) for r in rows] == [(DELETE.text, 30, 10.0)]
    finally:
        store.close()


def test_a_budget_file_from_before_the_store_is_taken_in(tmp_path: Path) -> None:
    file = tmp_path / "budget.sqlite3"
    with sqlite3.connect(file) as db:  # the layout the budget kept alone: no primary keys
        db.execute(
            "CREATE TABLE budget_charges (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL,"
            " n INTEGER NOT NULL, owner TEXT NOT NULL DEFAULT '', open INTEGER NOT NULL DEFAULT 0)"
        )
        db.execute("INSERT INTO budget_charges VALUES ('k', 1.0, 1, '', 0)")
    db.close()
    budget = open_budget(file)
    try:
        budget.set_limit(DELETE, Limit(2, 10.0))
        assert budget.claim([(DELETE, 1)])[0] == 0
        assert budget.claim([(DELETE, 1)], probe="p")[0] == 0
        assert budget.claim([(DELETE, 1)])[0] > 0  # the new tables count: 2 of 2 spent
    finally:
        budget.close()


def test_runs_with_their_own_state_folders_share_the_users_budget_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "user-state"))
    runs = [budget_from_env({"KALTURA_MM_STATE_DIR": str(tmp_path / name)}) for name in ("a", "b")]
    first, second = runs
    assert first is not None and second is not None
    try:
        assert first.store.where == second.store.where
        assert Path(first.store.where).name == "budget.sqlite3"
        first.set_limit(DELETE, Limit(7, 10.0))
        assert second.limit(DELETE) == Limit(7, 10.0)
        assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    finally:
        first.close()
        second.close()
