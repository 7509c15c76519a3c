"""The two engines of the store, behind one small interface, and the SQLite one.

An ``Engine`` runs SQL written once for both (``?`` placeholders, portable types, ``INSERT ...
ON CONFLICT``); it turns every database error into a ``StoreError`` naming where the store is.

- ``read(sql, params)``: the rows of one query, as dicts.
- ``transaction(exclusive=False, locks=())``: a context whose ``execute``/``execute_many``
  commit together or not at all; ``exclusive`` holds the store's write lock against every other
  writer (SQLite's ``BEGIN IMMEDIATE`` always does; PostgreSQL takes an advisory lock, for the
  migrations: ordinary writes there lock only the rows they touch, so many machines write at
  once). ``locks`` names narrower locks held to the end of the transaction (PostgreSQL: an
  advisory lock per name, so the shared rate budget's claims of one action run one after another
  and those of other actions do not wait; SQLite's write lock already holds them all).
- ``where``: the store as the user may be shown it (a file, or a URL without its password).
- ``clock``: a SQL expression of the database's clock in Unix seconds, sub-second (processes,
  and machines whose clocks disagree, count on one).

SQLite runs in WAL mode with ``synchronous=NORMAL``: a write survives the process being killed at
any point (the upload engine finds what a lost write knew on the server anyway); a power cut may
lose the last writes, never corrupt the file.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from kaltura_mm.store.errors import StoreError

BUSY_TIMEOUT_MS = 15_000
_WAL_RETRY = 0.02  # seconds between tries to turn a new file to WAL
Row = dict[str, Any]


class Transaction(Protocol):
    """Statements that commit together."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement; return its rows (none for a write without RETURNING)."""
        ...

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each of ``rows``."""
        ...


class Engine(Protocol):
    """A database the store keeps its tables in."""

    where: str
    clock: str

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Return the rows of one query."""
        ...

    def transaction(
        self, exclusive: bool = False, locks: Sequence[str] = ()
    ) -> contextlib.AbstractContextManager[Transaction]:
        """Commit on a normal exit, roll back on an exception; ``exclusive``: hold the lock;
        ``locks``: hold these named locks too."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


def store_problem(where: str, exc: BaseException) -> str:
    """Return the one-line problem for a database error of the store at ``where``."""
    reason = getattr(exc, "strerror", None) or str(exc).strip() or type(exc).__name__
    return f"cannot record kaltura-mm's state in {where}: {reason}"


STORE_FIX = (
    "free some space or make the directory writable, or choose another with --state-dir "
    "(or KALTURA_MM_STATE_DIR) or --store (KALTURA_MM_STORE); then run the same command again"
)


def _wal(connection: sqlite3.Connection) -> None:
    # Turning a new file to WAL needs it alone, and SQLite answers "database is locked" at once
    # (its busy timeout does not apply) while another process opens it too: two cron jobs
    # starting together on a new state folder. Try again for as long as the busy timeout.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(_WAL_RETRY)


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return [dict(r) for r in self._connection.execute(sql, params).fetchall()]

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._connection.executemany(sql, rows)


class SqliteEngine:
    """One SQLite file; thread-safe (one connection behind a lock)."""

    # julianday has millisecond precision everywhere (``unixepoch('subsec')`` needs SQLite 3.42).
    clock = "((julianday('now') - 2440587.5) * 86400.0)"

    def __init__(self, path: Path) -> None:
        """Open (or create) the database file ``path``; its folder is made if missing."""
        self.where = str(path)
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
            )
            connection.isolation_level = None  # transactions are begun explicitly
            connection.row_factory = sqlite3.Row
            _wal(connection)
            connection.execute("PRAGMA synchronous=NORMAL")
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(store_problem(str(path.parent), exc), STORE_FIX) from exc
        self._connection = connection

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Return the rows of one query."""
        with self._lock:
            try:
                return [dict(r) for r in self._connection.execute(sql, params).fetchall()]
            except (sqlite3.Error, OSError) as exc:
                raise StoreError(store_problem(self.where, exc), STORE_FIX, refused=False) from exc

    @contextlib.contextmanager
    def transaction(
        self, exclusive: bool = False, locks: Sequence[str] = ()
    ) -> Iterator[Transaction]:
        """Hold SQLite's write lock (``BEGIN IMMEDIATE``) for the block, whatever ``exclusive``
        and ``locks`` (it holds every named lock at once)."""
        with self._lock:
            try:
                self._connection.execute("BEGIN IMMEDIATE")
                yield _SqliteTransaction(self._connection)
                self._connection.execute("COMMIT")
            except (sqlite3.Error, OSError) as exc:
                self._rollback()
                raise StoreError(store_problem(self.where, exc), STORE_FIX, refused=False) from exc
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        # Nothing was begun, or the failure ended the transaction already.
        with contextlib.suppress(sqlite3.Error):
            self._connection.execute("ROLLBACK")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._connection.close()
