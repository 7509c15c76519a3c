"""Named migrations (each test on SQLite and PostgreSQL): a store that recorded only positions is
upgraded; one written by another build (a migration unknown here, or the same steps in another
order) is refused as such, never with the advice for a full or read-only disk."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from kaltura_mm.store import SchemaMismatchError, StoreError, Target, open_store
from kaltura_mm.store.engine import Engine, SqliteEngine
from kaltura_mm.store.postgres import PostgresEngine, is_postgres_url
from kaltura_mm.store.schema import (
    MIGRATIONS,
    POSITIONAL,
    Migration,
    applied_migrations,
    applied_versions,
)

ALL = sorted(m.name for m in MIGRATIONS)
SERVER = Target("https://kaltura.example.org", 100)


def _engine(location: str) -> Engine:
    """Open the database at ``location`` (a URL, a file, or a folder's state.db) unmigrated."""
    if is_postgres_url(location):
        return PostgresEngine(location)
    path = Path(location)
    return SqliteEngine(path if path.suffix else path / "state.db")


def _positional(location: str, steps: Sequence[Migration]) -> None:
    """Write a store as builds before named migrations did: ``steps`` applied, each recorded
    only at its position in ``schema_version``."""
    engine = _engine(location)
    with engine.transaction(exclusive=True) as tx:
        tx.execute("CREATE TABLE schema_version (version BIGINT NOT NULL PRIMARY KEY, "
                   "applied_at BIGINT NOT NULL)")  # fmt: skip
        for version, step in enumerate(steps, start=1):
            for statement in step.statements:
                tx.execute(statement)
            tx.execute("INSERT INTO schema_version VALUES (?, ?)", (version, 1))
        tx.execute(
            "INSERT INTO targets (target, service, partner_id) VALUES (?, ?, ?)",
            (SERVER.key, SERVER.service, SERVER.partner_id),
        )
    engine.close()


def test_the_positions_of_released_builds_name_the_first_five() -> None:
    assert POSITIONAL == {
        1: "layout",
        2: "uploads-pending-index",
        3: "budget",
        4: "jobs",
        5: "budget-learner",
    }
    assert len({m.name for m in MIGRATIONS}) == len(MIGRATIONS)  # each name once


def test_a_store_that_recorded_only_positions_is_taken_in_and_kept(location: str) -> None:
    _positional(location, MIGRATIONS)  # as 3ec4863 left it: 1 to 5, no names
    store = open_store(location)
    assert applied_migrations(store.engine) == ALL
    assert applied_versions(store.engine) == [1, 2, 3, 4, 5]  # nothing applied twice
    assert store.read("SELECT service FROM targets") == [{"service": SERVER.service}]
    store.close()


def test_a_store_part_way_is_brought_up_to_date(location: str) -> None:
    _positional(location, MIGRATIONS[:3])  # a build from before the jobs tables
    store = open_store(location)
    assert applied_migrations(store.engine) == ALL
    assert applied_versions(store.engine) == [1, 2, 3, 4, 5]
    assert store.read("SELECT job_id FROM jobs") == []
    store.write(  # the learner column is there
        "INSERT INTO budget_limits (key, calls, seconds, blocked_until, learner) "
        "VALUES (?, ?, ?, ?, ?)",
        ("k", 3, 0.0, 0.0, "run-1"),
    )
    assert store.read("SELECT learner FROM budget_limits") == [{"learner": "run-1"}]
    store.close()


def test_the_same_steps_in_another_order_are_refused_as_another_build(location: str) -> None:
    # a branch's build recorded the budget's learner column at position 4, where jobs are here
    _positional(location, [*MIGRATIONS[:3], MIGRATIONS[4]])
    with pytest.raises(SchemaMismatchError) as caught:
        open_store(location)
    error = caught.value
    assert "written by another kaltura-mm build" in error.problem
    assert "'budget-learner'" in error.problem and "learner" in error.problem
    assert "free some space" not in str(error) and "writable" not in str(error)
    assert "build that wrote it" in error.fix and error.refused
    assert isinstance(error, StoreError)


def test_a_migration_this_build_does_not_know_is_refused(location: str) -> None:
    store = open_store(location)
    store.write("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", ("window", 1))
    store.write("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (6, 1))
    store.close()
    with pytest.raises(SchemaMismatchError, match="another kaltura-mm build") as caught:
        open_store(location)
    assert "['window']" in caught.value.problem and "free some space" not in str(caught.value)


def test_a_newer_named_migration_here_is_recorded_at_the_next_position(location: str) -> None:
    from kaltura_mm.store.schema import migrate

    store = open_store(location)
    extra = Migration("notes", ("CREATE TABLE notes (id BIGINT NOT NULL PRIMARY KEY)",))
    assert migrate(store.engine, 1, (*MIGRATIONS, extra)) == ["notes"]
    assert migrate(store.engine, 1, (*MIGRATIONS, extra)) == []  # once
    assert applied_versions(store.engine) == [1, 2, 3, 4, 5, 6]
    store.close()
    with pytest.raises(SchemaMismatchError, match=r"\['notes'\]"):  # a build without it
        open_store(location)
