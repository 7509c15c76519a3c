"""The store's schema, built by versioned migrations that both engines apply the same way.

Migration N is a tuple of statements; ``migrate`` applies each migration the store has not
recorded in ``schema_version``, once, in one transaction holding the store's write lock (so two
processes opening a new store at once apply it once). A store written by a newer kaltura-mm (a
version this one does not know) is refused rather than misread.

The schema is portable: plain ``VARCHAR``/``BIGINT``/``SMALLINT``/``TEXT``/``DOUBLE PRECISION``
columns, a declared primary key on every table (never SQLite's implicit ``rowid``), no
``AUTOINCREMENT``, no JSON functions, and writes as ``INSERT ... ON CONFLICT (...) DO UPDATE``.
Every row is scoped by ``target``, the server and partner it is about (the rate budget's by its
``key``, which names them), so one store can serve several accounts.

Migration 1 is the layout of ``state.db`` before versioned migrations (every statement ``IF NOT
EXISTS``), so an existing file is taken in as it is and only records that it is at version 1.
To add a table: append a migration; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from kaltura_mm.store.engine import Engine
from kaltura_mm.store.errors import StoreError

# Before versioned migrations, ``meta`` held the layout's version under this name; it is still
# written (1) so that kaltura-mm releases without ``schema_version`` open a migrated file.
SCHEMA_VERSION_META = "schema_version"

_FIRST = (
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

# 3: the shared rate budget (``kaltura_mm.budget.ledger``): charges, blocks, learned limits, on
# the database's clock (``DOUBLE PRECISION`` Unix seconds). Charges of one key at one moment by
# one owner are one row (their counts add up), so every table has its primary key. The budget
# kept its own tables before it lived in the store, without keys: they are dropped, as its
# state is short-lived (an hour) and learned again.
_BUDGET = (
    "DROP TABLE IF EXISTS budget_charges",
    "DROP TABLE IF EXISTS budget_blocks",
    "DROP TABLE IF EXISTS budget_limits",
    """CREATE TABLE budget_charges (
        key VARCHAR(2048) NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        owner VARCHAR(64) NOT NULL,
        n BIGINT NOT NULL,
        open SMALLINT NOT NULL,
        PRIMARY KEY (key, at, owner))""",
    """CREATE TABLE budget_blocks (
        key VARCHAR(2048) NOT NULL,
        at DOUBLE PRECISION NOT NULL,
        n BIGINT NOT NULL,
        PRIMARY KEY (key, at))""",
    """CREATE TABLE budget_limits (
        key VARCHAR(2048) NOT NULL PRIMARY KEY,
        calls BIGINT NOT NULL,
        seconds DOUBLE PRECISION NOT NULL,
        blocked_until DOUBLE PRECISION NOT NULL)""",
)

# 4: one job, many workers (``kaltura_mm.jobs``): a job, its items with their leases (on the
# database's clock) and outcomes, and the workers that joined it. ``item_state`` is ``todo``,
# ``claimed`` (by ``worker`` until ``lease_until``) or ``done`` (``outcome`` recorded once).
_JOBS = (
    """CREATE TABLE jobs (
        job_id VARCHAR(32) NOT NULL PRIMARY KEY,
        kind VARCHAR(32) NOT NULL,
        target VARCHAR(40) NOT NULL,
        spec TEXT NOT NULL,
        lease DOUBLE PRECISION NOT NULL,
        items BIGINT NOT NULL,
        created_at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE job_items (
        job_id VARCHAR(32) NOT NULL,
        seq BIGINT NOT NULL,
        payload TEXT NOT NULL,
        item_state VARCHAR(8) NOT NULL,
        worker VARCHAR(128),
        lease_until DOUBLE PRECISION,
        claims BIGINT NOT NULL,
        outcome TEXT,
        done_by VARCHAR(128),
        PRIMARY KEY (job_id, seq))""",
    "CREATE INDEX job_items_open ON job_items (job_id, item_state, seq)",
    """CREATE TABLE job_workers (
        job_id VARCHAR(32) NOT NULL,
        worker VARCHAR(128) NOT NULL,
        host VARCHAR(256) NOT NULL,
        pid BIGINT NOT NULL,
        started_at DOUBLE PRECISION NOT NULL,
        seen_at DOUBLE PRECISION NOT NULL,
        done BIGINT NOT NULL,
        PRIMARY KEY (job_id, worker))""",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    _FIRST,
    # 2: ``kaltura-mm uploads`` lists the pending uploads oldest first, among 100,000s of rows.
    ("CREATE INDEX IF NOT EXISTS uploads_pending ON uploads (complete, updated_at)",),
    _BUDGET,
    _JOBS,
    # 5: the budget learns the server's window: ``seconds`` 0 while unknown, and the run that
    # learns it (the others wait on it for a short while, ``kaltura_mm.budget.ledger``).
    ("ALTER TABLE budget_limits ADD COLUMN learner VARCHAR(64) NOT NULL DEFAULT ''",),
)
_VERSIONS = """CREATE TABLE IF NOT EXISTS schema_version (
    version BIGINT NOT NULL PRIMARY KEY,
    applied_at BIGINT NOT NULL)"""


def applied_versions(engine: Engine) -> list[int]:
    """Return the migrations the store has applied, in order."""
    rows = engine.read("SELECT version FROM schema_version ORDER BY version")
    return [int(r["version"]) for r in rows]


def _is_current(engine: Engine, known: int) -> bool:
    try:
        rows = engine.read("SELECT MAX(version) AS last FROM schema_version")
    except StoreError:
        return False  # no schema_version table yet: a new store, or one from before migrations
    return int(rows[0]["last"] or 0) == known


def migrate(
    engine: Engine, now: int, migrations: Sequence[Sequence[str]] = MIGRATIONS
) -> list[int]:
    """Apply the migrations ``engine``'s store lacks; return the versions applied now."""
    if _is_current(engine, len(migrations)):
        return []  # the common case: no write lock taken
    applied: list[int] = []
    for version, statements in enumerate(migrations, start=1):
        with engine.transaction(exclusive=True) as tx:
            tx.execute(_VERSIONS)
            rows = tx.execute("SELECT MAX(version) AS last FROM schema_version")
            last = int(rows[0]["last"] or 0)
            if last > len(migrations):
                raise StoreError(
                    f"the store {engine.where} was written by a newer kaltura-mm "
                    f"(schema version {last}; this one knows up to {len(migrations)})",
                    "upgrade kaltura-mm, or use another store",
                )
            if last >= version:
                continue
            for statement in statements:
                tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", (version, now)
            )
            applied.append(version)
    return applied
