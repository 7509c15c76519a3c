"""The store's errors: each names the problem and what to do."""

from __future__ import annotations

from kaltura_mm.errors import ConfigError, KalturaError

POSTGRES_EXTRA = "pip install 'kaltura-mm[postgres]'"


class StoreError(KalturaError):
    """The store could not be opened, read or written; ``problem`` and ``fix`` say why and how.

    ``refused`` is True when nothing was done yet (the store could not be opened, or holds
    something damaged): the caller's input is what to change. False when a write failed mid-run.
    """

    def __init__(self, problem: str, fix: str = "", *, refused: bool = True) -> None:
        """Hold the one-line problem, how to fix it, and whether nothing was done yet."""
        super().__init__(f"{problem}; {fix}" if fix else problem)
        self.problem = problem
        self.fix = fix
        self.refused = refused


class StoreBusyError(StoreError):
    """Another run holds the run lock of the state folder; nothing was done."""


class PostgresMissingError(StoreError):
    """A ``postgresql://`` store was asked for, but psycopg (the ``postgres`` extra) is missing."""

    def __init__(self) -> None:
        """Name the extra to install."""
        super().__init__(
            "a PostgreSQL store needs psycopg, which is not installed",
            f"install it with `{POSTGRES_EXTRA}`, or use the default SQLite store",
        )


class SchemaMismatchError(StoreError, ConfigError):
    """The store's schema is not this build's: another kaltura-mm build (a newer one, or one
    whose migrations differ) wrote it. Nothing was done; it is a ``ConfigError`` too, so the
    shared rate budget stops the run rather than going on without it."""

    def __init__(self, where: str, detail: str) -> None:
        """Name the store, what does not fit, and what to do."""
        super().__init__(
            f"the store {where} was written by another kaltura-mm build: {detail}",
            "run the kaltura-mm build that wrote it (or a newer release that knows its "
            "migrations), or use another store: --state-dir (KALTURA_MM_STATE_DIR) or --store "
            "(KALTURA_MM_STORE); the shared rate budget's file (budget.sqlite3) may be moved "
            "aside, its limits are learned again",
        )
