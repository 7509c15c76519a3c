"""The store: what kaltura-mm remembers between runs, for the library's users and the CLI alike.

``open_store(location)`` opens one, by a folder (its ``state.db``, SQLite: the default), a
``.db`` file, or a ``postgresql://`` URL (``kaltura-mm[postgres]``); it applies the schema's
migrations (``kaltura_mm.store.schema``). ``Store`` is the small interface the tables use:

- ``read(sql, params)``: the rows of one query, as dicts;
- ``write(sql, params)`` / ``write_many(sql, rows)``: one statement (for each row), in one
  transaction;
- ``transaction(exclusive=False, locks=())``: several statements that commit together
  (``execute``, which returns the rows of a query or of ``RETURNING``, and ``execute_many``);
  ``exclusive`` also holds the store's write lock against every other process (SQLite ``BEGIN
  IMMEDIATE``, a PostgreSQL advisory lock), for steps that must not interleave with another's;
  ``locks`` holds named locks (a PostgreSQL advisory lock each; SQLite's write lock holds all);
- ``engine.where``: the store as it may be shown (a PostgreSQL password as ``***``);
- ``clock``: the database's clock as a SQL expression (Unix seconds), for what several processes
  or machines must count on one clock (the shared rate budget, ``kaltura_mm.budget``);
- ``remember_target(target)``, ``meta(name)`` / ``set_meta(name, value)``.

SQL is written once for both engines: ``?`` placeholders, the schema's portable types, ``INSERT
... ON CONFLICT ... DO UPDATE``, and ``CAST(? AS VARCHAR)`` where a parameter's type is not
otherwise known (PostgreSQL asks). A table is a small class over a ``Store`` and a ``Target``
(``FileJournal``, ``UploadStore``, ``DeletionLog``, ``SyncRecords``, ``Replacements``,
``KnownCategories``); a new table is a named migration appended to ``schema.MIGRATIONS`` plus such a
class. Any failure is a ``StoreError`` naming the store and what to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.store.engine import Engine, Row, SqliteEngine, Transaction
from kaltura_mm.store.errors import StoreError
from kaltura_mm.store.postgres import PostgresEngine, is_postgres_url
from kaltura_mm.store.schema import SCHEMA_VERSION_META, migrate

DB_FILE = "state.db"
LEGACY_TARGET = ""  # rows imported from JSON journals, which did not say which server they were


@attrs.frozen
class Target:
    """The server and partner a row is about; ``key`` is what the tables store."""

    service: str
    partner_id: int | None

    @property
    def key(self) -> str:
        """Return the target's key (the same hash the old deletion records were named by)."""
        raw = f"{self.service}\0{self.partner_id}".encode()
        return hashlib.sha256(raw).hexdigest()[:20]


def now() -> int:
    """Return the time rows are stamped with (Unix seconds)."""
    return int(time.time())


class Store:
    """An open store; every method is thread-safe and raises ``StoreError``."""

    def __init__(self, engine: Engine, root: Path | None = None) -> None:
        """Use ``engine``; ``root`` is the state folder of a SQLite store (its legacy files)."""
        self.engine = engine
        self.root = root
        self.where = engine.where
        self.clock = engine.clock
        self.notes: list[str] = []

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Return the rows of one query."""
        return self.engine.read(sql, params)

    def write(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one write statement (its own transaction)."""
        self.write_many(sql, [params])

    def write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement for each of ``rows``, in one transaction."""
        with self.engine.transaction() as tx:
            tx.execute_many(sql, rows)

    def transaction(
        self, exclusive: bool = False, locks: Sequence[str] = ()
    ) -> contextlib.AbstractContextManager[Transaction]:
        """Return a transaction: its statements commit together, or none does.

        ``exclusive`` also holds the store's write lock against every other writer (needed only
        by what must not interleave with another process's same steps, as a migration);
        ``locks`` holds the named locks only (another process's same names wait).
        """
        return self.engine.transaction(exclusive, locks)

    def remember_target(self, target: Target) -> None:
        """Record which server and partner ``target.key`` stands for (shown by ``uploads``)."""
        self.write(
            "INSERT INTO targets (target, service, partner_id) VALUES (?, ?, ?) "
            "ON CONFLICT (target) DO NOTHING",
            (target.key, target.service, target.partner_id),
        )

    def meta(self, name: str) -> str | None:
        """Return a value of the ``meta`` table."""
        rows = self.read("SELECT value FROM meta WHERE name = ?", (name,))
        return str(rows[0]["value"]) if rows else None

    def set_meta(self, name: str, value: str) -> None:
        """Set a value of the ``meta`` table."""
        self.write(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )

    def close(self) -> None:
        """Close the store."""
        self.engine.close()


def open_store(location: str | Path, *, file: bool = False) -> Store:
    """Open (or create) the store at ``location`` and bring its schema up to date.

    ``location`` is a ``postgresql://`` URL, a ``.db`` file, or a folder (its ``state.db``). A
    SQLite folder also has the JSON files of kaltura-mm 0.1 read in, once
    (``kaltura_mm.store.legacy``); what was read is in ``store.notes``. ``file``: a path is the
    SQLite file itself whatever its name, and no state folder's (the shared rate budget's
    ``budget.sqlite3``). A store that cannot be written is found here, before anything is done.
    """
    text = str(location)
    if is_postgres_url(text):
        store = Store(PostgresEngine(text))
    elif file:
        store = Store(SqliteEngine(Path(location).expanduser()))
    else:
        path = Path(location).expanduser()
        db_file = path if path.suffix == ".db" else path / DB_FILE
        store = Store(SqliteEngine(db_file), root=db_file.parent)
    try:
        migrate(store.engine, now())
        # A read-only folder lets SQLite open the file and fails the first write: try one.
        store.set_meta(SCHEMA_VERSION_META, "1")
    except StoreError as exc:
        store.close()
        if exc.refused:  # kept as it is: a schema of another build is a SchemaMismatchError
            raise
        raise StoreError(exc.problem, exc.fix) from exc  # nothing was done: a refusal
    if store.root is not None:
        from kaltura_mm.store.legacy import import_json

        note = import_json(store)
        if note:
            store.notes.append(note)
    return store
