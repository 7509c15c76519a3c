"""The shared rate budget in a SQLite file: every process of a user on one machine shares it.

WAL mode (readers never wait for the writer), ``BEGIN IMMEDIATE`` (a claim takes the write lock
before it reads, so two processes never both spend the same room), a busy timeout for the few
milliseconds another process holds it. The clock is SQLite's: ``julianday('now')`` in Unix
seconds with millisecond precision (``unixepoch('subsec')`` needs SQLite 3.42).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kaltura_mm.budget.ledger import SCHEMA, SqlBudget
from kaltura_mm.budget.model import DEFAULT_WINDOW

BUSY_TIMEOUT = 30.0  # seconds a claim waits for another process's transaction


class SqliteBudget(SqlBudget):
    """The budget in the SQLite file at ``path`` (created with its folder if missing)."""

    def __init__(self, path: Path, window: float = DEFAULT_WINDOW, clock: Any = None) -> None:
        super().__init__(window, clock)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()  # one connection, many sending threads
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # a lost charge costs little; speed matters
        with self._transaction([]) as db:
            for statement in SCHEMA:
                db.execute(statement)

    @contextmanager
    def _transaction(self, keys: Sequence[str]) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _clock_sql(self) -> str:
        return "SELECT (julianday('now') - 2440587.5) * 86400.0"

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return f"SqliteBudget({str(self.path)!r})"
