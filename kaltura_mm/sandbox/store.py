"""SQLite storage for partners, entries, categories, category entries, upload and app tokens.

One connection guarded by a re-entrant lock: simple, safe across the server's threads, and fast
enough (seeding 25,000 entries is one ``executemany``). Content lives in files beside the database.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kaltura_mm.sandbox import flavor_assets, token_counts

SCHEMA = """
CREATE TABLE IF NOT EXISTS partners (
    id INTEGER PRIMARY KEY, admin_secret TEXT NOT NULL, user_secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS app_tokens (
    id TEXT PRIMARY KEY, partner_id INTEGER NOT NULL, token TEXT NOT NULL,
    status INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    deleted_at INTEGER, expiry INTEGER, session_type INTEGER, session_user_id TEXT,
    session_duration INTEGER, session_privileges TEXT, hash_type TEXT, description TEXT
);
CREATE INDEX IF NOT EXISTS app_tokens_by_partner ON app_tokens (partner_id, created_at);
CREATE TABLE IF NOT EXISTS invalid_sessions (session_key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, partner_id INTEGER NOT NULL,
    type INTEGER NOT NULL, media_type INTEGER, status INTEGER NOT NULL, name TEXT NOT NULL,
    description TEXT, tags TEXT, admin_tags TEXT, user_id TEXT, creator_id TEXT,
    reference_id TEXT, partner_data TEXT, moderation_status INTEGER NOT NULL DEFAULT 6,
    display_in_search INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, start_date INTEGER, end_date INTEGER, duration INTEGER,
    ms_duration INTEGER, partner_sort_value INTEGER NOT NULL DEFAULT 0,
    plays INTEGER NOT NULL DEFAULT 0, views INTEGER NOT NULL DEFAULT 0, ready_at REAL,
    content_path TEXT, content_size INTEGER, file_name TEXT, version INTEGER NOT NULL DEFAULT 0,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS entries_by_time ON entries (partner_id, status, created_at, seq);
CREATE INDEX IF NOT EXISTS entries_by_user ON entries (partner_id, user_id);
CREATE INDEX IF NOT EXISTS entries_pending ON entries (status, ready_at);
CREATE TABLE IF NOT EXISTS categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL,
    parent_id INTEGER NOT NULL, name TEXT NOT NULL, full_name TEXT NOT NULL,
    full_ids TEXT NOT NULL, depth INTEGER NOT NULL, status INTEGER NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, extra TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS categories_by_name ON categories (partner_id, full_name);
CREATE INDEX IF NOT EXISTS categories_by_parent ON categories (partner_id, parent_id);
CREATE TABLE IF NOT EXISTS category_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, entry_id TEXT NOT NULL,
    category_id INTEGER NOT NULL, status INTEGER NOT NULL, created_at INTEGER NOT NULL,
    creator_user_id TEXT
);
CREATE INDEX IF NOT EXISTS ce_by_category ON category_entries (category_id, status, entry_id);
CREATE INDEX IF NOT EXISTS ce_by_entry ON category_entries (entry_id, status);
CREATE TABLE IF NOT EXISTS upload_tokens (
    id TEXT PRIMARY KEY, partner_id INTEGER NOT NULL, user_id TEXT, status INTEGER NOT NULL,
    file_name TEXT, file_size REAL, uploaded_file_size INTEGER, created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, auto_finalize INTEGER NOT NULL DEFAULT -1,
    attached_object_type TEXT, attached_object_id TEXT, entry_id TEXT, data_size INTEGER
);
CREATE INDEX IF NOT EXISTS tokens_by_partner ON upload_tokens (partner_id, created_at);
CREATE TABLE IF NOT EXISTS category_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, due_at REAL NOT NULL,
    kind TEXT NOT NULL, category_id INTEGER NOT NULL, locks INTEGER NOT NULL DEFAULT 0,
    extra TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS partner_features (
    partner_id INTEGER NOT NULL, name TEXT NOT NULL, enabled INTEGER NOT NULL,
    PRIMARY KEY (partner_id, name)
);
CREATE INDEX IF NOT EXISTS tokens_by_name ON upload_tokens (partner_id, file_name, created_at);
CREATE INDEX IF NOT EXISTS entries_by_reference ON entries (partner_id, reference_id);
CREATE INDEX IF NOT EXISTS tokens_by_size ON upload_tokens (partner_id, file_size, created_at);
CREATE INDEX IF NOT EXISTS ce_by_entry_category ON category_entries (entry_id, category_id);
"""
# ``tokens_by_size``: a list by file size reads that size's newest tokens, not every token of
# the partner in time order; ``ce_by_entry_category``: one entry's link to one category is found
# by the entry, not among every entry of the category (both grew with a run: issue 20).
# Columns added after a release: (table, column, SQL type). ``data_size`` is the length of a
# token's contiguous data (the real server's end of file); ``uploaded_file_size`` is what the
# last request to finish reported, which can be smaller.
_ADDED_COLUMNS = (
    ("upload_tokens", "data_size", "INTEGER"),
    # the category's fullIds when the link was last saved (categoryEntry::preSave); NULL in a
    # data folder written before: read as the category's own
    ("category_entries", "category_full_ids", "TEXT"),
)


class SandboxStore:
    """The sandbox's database: one SQLite connection, serialised by a lock."""

    def __init__(self, path: Path, durable: bool) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        # A throwaway sandbox need not survive a power cut; a persisted one should.
        self._conn.execute(f"PRAGMA synchronous={'NORMAL' if durable else 'OFF'}")
        uncounted = token_counts.missing(self._conn)
        self._conn.executescript(SCHEMA + flavor_assets.SCHEMA + token_counts.SCHEMA)
        self._add_missing_columns()
        if uncounted:  # a data folder of an older sandbox: count the tokens it holds
            with self.tx() as conn:
                token_counts.fill(conn)
        with self.tx() as conn:
            flavor_assets.backfill(conn)

    def _add_missing_columns(self) -> None:
        """Bring a data folder written by an older sandbox up to the current schema."""
        for table, column, kind in _ADDED_COLUMNS:
            present = {row[1] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a transaction; commit on success, roll back on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for several reads outside a transaction (inside one, use its conn)."""
        with self._lock:
            yield self._conn

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a query and return every row."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """Run a query and return its first row or None."""
        with self._lock:
            row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
            return row

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a query and return the first column of its first row (or None)."""
        row = self.one(sql, params)
        return None if row is None else row[0]

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement in its own transaction and return the rows it changed."""
        with self.tx() as conn:
            return conn.execute(sql, params).rowcount

    def script(self, sql: str) -> None:
        """Run several statements at once (schema); not inside a transaction."""
        with self._lock:
            self._conn.executescript(sql)

    def function(self, name: str, run: Callable[..., Any], nargs: int = 0) -> None:
        """Make ``run`` callable from SQL (triggers included) as ``name(...)``."""
        with self._lock:
            self._conn.create_function(name, nargs, run, deterministic=False)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()
