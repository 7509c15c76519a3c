"""The store's schema, built by named migrations that both engines apply the same way.

``migrate`` applies, in this build's order, each ``Migration`` (a stable name, its statements)
the store has not recorded in ``schema_migrations``, once, in one transaction holding the store's
write lock (two processes opening a new store at once apply it once). Each also takes the next
position in ``schema_version``, which builds before named migrations read (they refuse a position
past theirs); a store that recorded only positions has them named (``POSITIONAL``: 1 to 5).

A store this build cannot use is a ``SchemaMismatchError`` ("written by another kaltura-mm
build"), never misread nor answered with a disk's advice: it holds a migration this build does not
know (a newer build's, a branch's), or its tables do not take one of ours (the same steps applied
in another order: the column is there already).

The schema is portable: plain ``VARCHAR``/``BIGINT``/``SMALLINT``/``TEXT``/``DOUBLE PRECISION``
columns, a declared primary key on every table (never SQLite's implicit ``rowid``), no
``AUTOINCREMENT``, no JSON functions, and writes as ``INSERT ... ON CONFLICT (...) DO UPDATE``.
Every row is scoped by ``target``, the server and partner it is about (the rate budget's by its
``key``, which names them), so one store can serve several accounts.

The first migration (``layout``) is the layout of ``state.db`` before versioned migrations (every
statement ``IF NOT EXISTS``), so an existing file is taken in as it is. To add a table: append a
migration with a new name; never edit, rename or reorder one that has shipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from kaltura_mm.store.engine import Engine, Transaction
from kaltura_mm.store.errors import SchemaMismatchError, StoreError

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

# ``budget``: the shared rate budget (``kaltura_mm.budget.ledger``): charges, blocks, learned
# limits, on the database's clock (``DOUBLE PRECISION`` Unix seconds). Charges of one key at one
# moment by one owner are one row (their counts add up), so every table has its primary key. The
# budget kept its own tables before it lived in the store, without keys: they are dropped, as
# its state is short-lived (an hour) and learned again.
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

# ``jobs``: one job, many workers (``kaltura_mm.jobs``): a job, its items with their leases (on the
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


@attrs.frozen
class Migration:
    """One step of the schema: ``statements`` applied together, recorded under ``name``."""

    name: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration("layout", _FIRST),
    # ``kaltura-mm uploads`` lists the pending uploads oldest first, among 100,000s of rows.
    Migration(
        "uploads-pending-index",
        ("CREATE INDEX IF NOT EXISTS uploads_pending ON uploads (complete, updated_at)",),
    ),
    Migration("budget", _BUDGET),
    Migration("jobs", _JOBS),
    # The budget learns the server's window: ``seconds`` 0 while unknown, and the run that
    # learns it (the others wait on it for a short while, ``kaltura_mm.budget.ledger``).
    Migration(
        "budget-learner",
        ("ALTER TABLE budget_limits ADD COLUMN learner VARCHAR(64) NOT NULL DEFAULT ''",),
    ),
)
# Builds before named migrations recorded only a position in ``schema_version``; every released
# build applied these five in this order, so a version of one of them names it.
POSITIONAL = {n: m.name for n, m in enumerate(MIGRATIONS[:5], start=1)}
_VERSIONS = """CREATE TABLE IF NOT EXISTS schema_version (
    version BIGINT NOT NULL PRIMARY KEY,
    applied_at BIGINT NOT NULL)"""
_NAMES = """CREATE TABLE IF NOT EXISTS schema_migrations (
    name VARCHAR(128) NOT NULL PRIMARY KEY,
    applied_at BIGINT NOT NULL)"""


def applied_versions(engine: Engine) -> list[int]:
    """Return the positions the store's migrations were recorded at, in order (what builds
    before named migrations read: ``schema_version``)."""
    rows = engine.read("SELECT version FROM schema_version ORDER BY version")
    return [int(r["version"]) for r in rows]


def applied_migrations(engine: Engine) -> list[str]:
    """Return the names of the migrations the store has recorded, sorted."""
    rows = engine.read("SELECT name FROM schema_migrations ORDER BY name")
    return [str(r["name"]) for r in rows]


def _is_current(engine: Engine, known: Sequence[Migration]) -> bool:
    try:  # one read: the names recorded, each beside the last position recorded
        rows = engine.read(
            "SELECT name, (SELECT MAX(version) FROM schema_version) AS last FROM schema_migrations"
        )
    except StoreError:
        return False  # no schema_migrations table yet: a new store, or one from an older build
    names = sorted(str(r["name"]) for r in rows)
    return names == sorted(m.name for m in known) and int(rows[0]["last"] or 0) == len(known)


def migrate(engine: Engine, now: int, migrations: Sequence[Migration] = MIGRATIONS) -> list[str]:
    """Apply the migrations ``engine``'s store lacks; return the names of those applied now.

    Raises ``SchemaMismatchError`` when the store holds a migration this build does not know,
    or its schema does not take one of ours (another build applied them in another order).
    """
    if _is_current(engine, migrations):
        return []  # the common case: no write lock taken
    applied: list[str] = []
    for migration in migrations:
        running = False
        try:
            with engine.transaction(exclusive=True) as tx:
                done, last = _recorded(tx, engine.where, migrations)
                if migration.name in done:
                    continue
                running = True
                for statement in migration.statements:
                    tx.execute(statement)
                running = False
                tx.execute(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
                    (last + 1, now),
                )
                tx.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (migration.name, now),
                )
        except StoreError as exc:
            if not running or not _is_schema_error(exc.__cause__):
                raise
            reason = str(exc.__cause__).strip()
            raise SchemaMismatchError(
                engine.where, f"its tables do not take migration {migration.name!r} ({reason})"
            ) from exc
        applied.append(migration.name)
    return applied


def _recorded(tx: Transaction, where: str, known: Sequence[Migration]) -> tuple[set[str], int]:
    """Return the names of the migrations the store has applied and its last position (the
    positions of an older build's store are recorded by name now); raise
    ``SchemaMismatchError`` for a migration this build does not know."""
    tx.execute(_VERSIONS)
    tx.execute(_NAMES)
    names = {str(r["name"]) for r in tx.execute("SELECT name FROM schema_migrations")}
    versions = [int(r["version"]) for r in tx.execute("SELECT version FROM schema_version")]
    ours = {m.name for m in known}
    foreign = sorted(names - ours)
    if foreign:
        raise SchemaMismatchError(where, f"it holds migrations this one does not know: {foreign}")
    # a position past the five named by position is a named migration's, or an unknown one's
    unnamed = len([v for v in versions if v not in POSITIONAL]) - len(
        names - {*POSITIONAL.values()}
    )
    if unnamed > 0:
        raise SchemaMismatchError(
            where,
            f"it holds {unnamed} migration(s) this one does not know (schema version "
            f"{max(versions)}; this one knows {len(known)} migrations)",
        )
    by_position = {POSITIONAL[v] for v in versions if v in POSITIONAL} - names
    for name in sorted(by_position):  # a store of an older build: its positions named, once
        tx.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, 0))
    return names | by_position, max(versions, default=0)


def _is_schema_error(cause: BaseException | None) -> bool:
    """Return whether a database error says the SQL does not fit the tables (a column or table
    already there or missing), not that the database cannot be written (full, read-only, I/O)."""
    code = getattr(cause, "sqlite_errorcode", None)
    if isinstance(code, int):  # SQLITE_ERROR, SQLITE_CONSTRAINT (primary codes)
        return code & 0xFF in (1, 19)
    state = str(getattr(cause, "sqlstate", None) or "")  # PostgreSQL: class 42, 23
    return state[:2] in ("42", "23") and state != "42501"  # 42501: insufficient privilege
