"""The shared rate budget in PostgreSQL: every process on every machine that points at the same
database (``KALTURA_MM_STORE=postgresql://...``) shares it.

A claim is one transaction that first takes a transaction-scoped advisory lock per key
(``pg_advisory_xact_lock``, in key order so two claims never deadlock): claims of one key run one
after another, claims of other keys do not wait. The clock is the server's ``clock_timestamp()``,
so machines whose clocks disagree still count on one. Needs ``psycopg`` (``kaltura-mm[postgres]``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from kaltura_mm.budget.ledger import SCHEMA, SqlBudget
from kaltura_mm.budget.model import DEFAULT_WINDOW
from kaltura_mm.errors import ConfigError

_SCHEMA_LOCK = "kaltura-mm budget schema"


class PostgresBudget(SqlBudget):
    """The budget in the PostgreSQL database at ``url`` (tables created if missing)."""

    placeholder = "%s"

    def __init__(self, url: str, window: float = DEFAULT_WINDOW, clock: Any = None) -> None:
        super().__init__(window, clock)
        try:
            import psycopg
        except ImportError as error:
            raise ConfigError(
                "a postgresql:// store needs psycopg: pip install 'kaltura-mm[postgres]'"
            ) from error
        self._db = psycopg.connect(url)
        self._lock = threading.Lock()  # one connection, many sending threads
        with self._transaction([_SCHEMA_LOCK]) as db:
            for statement in SCHEMA:
                db.execute(statement)

    @contextmanager
    def _transaction(self, keys: Sequence[str]) -> Iterator[Any]:
        with self._lock, self._db.transaction():
            for key in keys:
                self._db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))
            yield self._db

    def _clock_sql(self) -> str:
        return "SELECT extract(epoch FROM clock_timestamp())::double precision"

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def __repr__(self) -> str:
        return "PostgresBudget(<url hidden>)"
