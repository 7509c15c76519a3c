"""The state database of the command line: one SQLite file per state directory.

``<state dir>/state.db`` holds what kaltura-mm must remember between runs: each file's outcome
(``files``), each unfinished upload's chunk state (``uploads``), the entries a delete took away
(``deletions``), what content each entry a sync made holds (``sync_records``), unfinished content
replacements (``replacements``) and the categories kaltura-mm made (``categories``). One row
per file, written in place: a record costs the same with 10 files or 10,000 (the JSON journal
it replaces rewrote itself whole for every file).

The schema is kept portable, so that a shared database (PostgreSQL, say) could hold it later:
plain ``VARCHAR``/``BIGINT``/``SMALLINT``/``TEXT`` columns, a declared primary key on every table
(never SQLite's implicit ``rowid``), no ``AUTOINCREMENT``, no JSON functions, and writes as
``INSERT ... ON CONFLICT (...) DO UPDATE``, which PostgreSQL speaks too. Every row is scoped by
``target``, the server and partner it is about, so one database can serve several accounts.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a write survives the process being killed at
any point (the upload engine finds what a lost write knew on the server anyway); a power cut may
lose the last writes, never corrupt the file. Any failure to write (read-only or full disk) is a
``StateError`` naming the directory.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError

DB_FILE = "state.db"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 15_000
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS meta (
        name VARCHAR(64) NOT NULL PRIMARY KEY,
        value VARCHAR(1024) NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS targets (
        target VARCHAR(40) NOT NULL PRIMARY KEY,
        service VARCHAR(1024) NOT NULL,
        partner_id BIGINT)""",
    """CREATE TABLE IF NOT EXISTS files (
        target VARCHAR(40) NOT NULL,
        path VARCHAR(4096) NOT NULL,
        categories VARCHAR(1024) NOT NULL,
        size BIGINT NOT NULL,
        mtime_ns BIGINT NOT NULL,
        reference_id VARCHAR(256),
        entry_id VARCHAR(64),
        status VARCHAR(16) NOT NULL,
        bytes_done BIGINT NOT NULL,
        error VARCHAR(4000),
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (target, path, categories))""",
    """CREATE TABLE IF NOT EXISTS uploads (
        target VARCHAR(40) NOT NULL,
        reference_id VARCHAR(256) NOT NULL,
        path VARCHAR(4096) NOT NULL,
        entry_id VARCHAR(64),
        token_id VARCHAR(64),
        size BIGINT NOT NULL,
        bytes_confirmed BIGINT NOT NULL,
        complete SMALLINT NOT NULL,
        state TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (target, reference_id))""",
    """CREATE TABLE IF NOT EXISTS deletions (
        target VARCHAR(40) NOT NULL,
        entry_id VARCHAR(64) NOT NULL,
        status VARCHAR(16) NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (target, entry_id))""",
    """CREATE TABLE IF NOT EXISTS sync_records (
        target VARCHAR(40) NOT NULL,
        scope BIGINT NOT NULL,
        reference_id VARCHAR(256) NOT NULL,
        entry_id VARCHAR(64) NOT NULL,
        relative VARCHAR(4096) NOT NULL,
        size BIGINT NOT NULL,
        mtime_ns BIGINT NOT NULL,
        sample_sha256 VARCHAR(64) NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (target, scope, reference_id))""",
    """CREATE TABLE IF NOT EXISTS replacements (
        target VARCHAR(40) NOT NULL,
        entry_id VARCHAR(64) NOT NULL,
        path VARCHAR(4096) NOT NULL,
        state TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (target, entry_id))""",
    """CREATE TABLE IF NOT EXISTS categories (
        target VARCHAR(40) NOT NULL,
        full_name VARCHAR(2048) NOT NULL,
        category_id BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (target, full_name))""",
)
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


class StateError(CliError):
    """The state directory could not be read or written: it is named, with what to do."""


def _problem(root: Path, exc: BaseException) -> str:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"cannot record kaltura-mm's state in {root}: {reason}"


_FIX = (
    "free some space or make the directory writable, or choose another with --state-dir "
    "(or KALTURA_MM_STATE_DIR); then run the same command again"
)


def now() -> int:
    """Return the time rows are stamped with (Unix seconds)."""
    return int(time.time())


class StateDb:
    """An open state database; every method is thread-safe and raises ``StateError``."""

    def __init__(self, root: Path, connection: sqlite3.Connection) -> None:
        """Use ``connection``, the open database of the state directory ``root``."""
        self.root = root
        self._connection = connection
        self._lock = threading.Lock()
        self.notes: list[str] = []

    @classmethod
    def open(cls, root: Path) -> StateDb:
        """Open (or create) ``<root>/state.db``; refuse a directory that cannot hold it.

        A directory that cannot be written is found here, before anything is uploaded.
        """
        try:
            root.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                root / DB_FILE, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
            connection.isolation_level = None  # each statement commits on its own
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            db = cls(root, connection)
            for statement in SCHEMA:
                connection.execute(statement)
            db._probe_write()
        except (sqlite3.Error, OSError) as exc:
            raise StateError(_problem(root, exc), _FIX, ExitCode.BAD_INPUT) from exc
        return db

    def _probe_write(self) -> None:
        # A read-only directory lets SQLite open the file and fails the first write: try one.
        self._connection.execute(
            "INSERT INTO meta (name, value) VALUES ('schema_version', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (str(SCHEMA_VERSION),),
        )

    def write(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one write statement (its own transaction)."""
        self.write_many(sql, [params])

    def write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one write statement for each of ``rows``, in one transaction."""
        with self._lock:
            try:
                self._connection.execute("BEGIN")
                self._connection.executemany(sql, rows)
                self._connection.execute("COMMIT")
            except (sqlite3.Error, OSError) as exc:
                self._rollback()
                raise StateError(_problem(self.root, exc), _FIX, ExitCode.FAILED) from exc

    def _rollback(self) -> None:
        # Nothing was begun, or the failure ended the transaction already.
        with contextlib.suppress(sqlite3.Error):
            self._connection.execute("ROLLBACK")

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Return the rows of one query."""
        with self._lock:
            try:
                return self._connection.execute(sql, params).fetchall()
            except (sqlite3.Error, OSError) as exc:
                raise StateError(_problem(self.root, exc), _FIX, ExitCode.FAILED) from exc

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
        """Close the database."""
        with self._lock:
            self._connection.close()
