"""The PostgreSQL engine of the store (psycopg 3, the ``postgres`` extra).

psycopg is imported only here, when a ``postgresql://`` store is opened; without it the user is
told which extra to install (``PostgresMissingError``). The store's SQL is written with ``?``
placeholders (SQLite's); they become psycopg's ``%s`` here (the SQL holds no other ``?`` or
``%``). The schema's migrations hold a transaction-scoped advisory lock, so that processes or
machines opening a new store at once apply each one once; other writes lock only their rows, or
the named locks they ask for (``transaction(locks=...)``: one advisory lock per name).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from kaltura_mm.store.engine import STORE_FIX, Row, Transaction, store_problem
from kaltura_mm.store.errors import PostgresMissingError, StoreError

if TYPE_CHECKING:
    import psycopg

# Any constant will do: it only has to be the same in every process writing the store.
_WRITE_LOCK = 0x6B6D6D  # "kmm"
SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(location: str) -> bool:
    """Return whether ``location`` names a PostgreSQL store."""
    return location.startswith(SCHEMES)


def shown(url: str) -> str:
    """Return ``url`` without its password, as it may be shown (logs, errors)."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def _sql(statement: str) -> str:
    return statement.replace("?", "%s")


class _PostgresTransaction:
    def __init__(self, cursor: psycopg.Cursor[Row]) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        self._cursor.execute(_sql(sql), params)
        return self._cursor.fetchall() if self._cursor.description else []

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(_sql(sql), rows)


class PostgresEngine:
    """One PostgreSQL database; thread-safe (one connection behind a lock)."""

    clock = "extract(epoch FROM clock_timestamp())::double precision"  # not the transaction's start

    def __init__(self, url: str) -> None:
        """Connect to ``url`` (``postgresql://user:password@host:port/database``)."""
        try:
            import psycopg
            from psycopg.rows import dict_row
        except ImportError as exc:
            raise PostgresMissingError() from exc
        self.where = shown(url)
        self._errors: tuple[type[BaseException], ...] = (psycopg.Error, OSError)
        self._lock = threading.Lock()
        try:
            self._connection: psycopg.Connection[Row] = psycopg.connect(
                url, autocommit=True, row_factory=dict_row
            )
        except self._errors as exc:
            fix = "check the URL, the server and the password (or PGPASSWORD), then run again"
            raise StoreError(store_problem(self.where, exc), fix) from exc

    def read(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Return the rows of one query."""
        with self._lock:
            try:
                return self._connection.execute(_sql(sql), params).fetchall()
            except self._errors as exc:
                raise StoreError(store_problem(self.where, exc), STORE_FIX, refused=False) from exc

    @contextlib.contextmanager
    def transaction(
        self, exclusive: bool = False, locks: Sequence[str] = ()
    ) -> Iterator[Transaction]:
        """Run the block in one transaction; ``exclusive``: hold the store's advisory lock;
        ``locks``: an advisory lock per name too, taken in order (two never deadlock)."""
        with self._lock:
            try:
                with self._connection.transaction(), self._connection.cursor() as cursor:
                    if exclusive:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
                    for name in sorted(set(locks)):
                        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))
                    yield _PostgresTransaction(cursor)
            except self._errors as exc:
                raise StoreError(store_problem(self.where, exc), STORE_FIX, refused=False) from exc

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._connection.close()
