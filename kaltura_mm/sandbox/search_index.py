"""The search index: what lists read, fed from the store ``lag`` seconds after each write.

The real server answers ``baseEntry.list``/``media.list``/``count`` and ``category.list`` from a
Sphinx index that a separate process fills from ``sphinx_log``: every save of an entry or a
category writes the object's indexed fields there (``kSphinxSearchManager::saveToSphinx``), and
the index replays those rows some time later. The sandbox does the same:

1. Every write to ``entries``, ``category_entries`` or ``categories`` (whoever makes it) logs a
   snapshot of the object's indexed fields, stamped with the sandbox clock (SQLite triggers, so no
   write path can forget). An entry's snapshot holds its ACTIVE category ids at that moment.
2. A snapshot becomes visible ``lag`` seconds after its write, on the sandbox clock. Lists read
   the index as it stands then; until then the index still holds the previous snapshot (an entry
   renamed after it was indexed still matches its old name) or nothing (a new entry is missing).
3. A transcoding entry becomes READY at its ``ready_at`` time; its snapshot is stamped then, so it
   is listed ``lag`` seconds after it became READY whenever the store noticed.
4. ``lag == 0`` is the kind index: every list sees every write at once.
5. Test set-up shortcuts (``Sandbox.seed_entries``, ``Sandbox.create_category``) index at once:
   their objects "always existed". So does anything a persisted sandbox held before it had an
   index.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kaltura_mm.sandbox.clock import SandboxClock
from kaltura_mm.sandbox.store import SandboxStore

if TYPE_CHECKING:
    from kaltura_mm.sandbox.core import SandboxSettings

ENTRY_FIELDS = (
    *("id", "seq", "partner_id", "type", "media_type", "status", "name", "description", "tags"),
    *("admin_tags", "user_id", "creator_id", "reference_id", "moderation_status"),
    *("display_in_search", "created_at", "updated_at", "start_date", "end_date"),
    *("partner_sort_value", "plays", "views", "duration"),
)
CATEGORY_FIELDS = (
    *("id", "partner_id", "parent_id", "name", "full_name", "full_ids", "depth", "status"),
    *("created_at", "updated_at", "extra"),
)
# ",12,34," (ACTIVE links), "" for none: one column a filter can test with instr().
_ACTIVE_CATEGORIES = (
    "coalesce(',' || (SELECT group_concat(ce.category_id) FROM category_entries ce "
    "WHERE ce.entry_id = src.id AND ce.status = 2) || ',', '')"
)
# rule 3: READY is stamped when transcoding ended, not when the store noticed
_READY_AT = (
    "CASE WHEN OLD.status = 1 AND NEW.status = 2 AND NEW.ready_at IS NOT NULL "
    "THEN min(NEW.ready_at, sandbox_now()) ELSE sandbox_now() END"
)


@dataclass(frozen=True)
class Indexed:
    """One kind of indexed object: its store table, index tables and snapshot columns."""

    source: str
    name: str
    fields: tuple[str, ...]
    computed: tuple[tuple[str, str], ...] = ()
    lookup: str = ""  # more DDL for the index table (indexes lists can use)

    @property
    def index(self) -> str:
        """Return the index table (what lists read)."""
        return f"{self.name}_index"

    @property
    def log(self) -> str:
        """Return the table of snapshots not yet visible."""
        return f"{self.name}_index_log"

    @property
    def columns(self) -> str:
        """Return the index's column list."""
        return ", ".join([*self.fields, *(name for name, _ in self.computed)])

    def snapshot(self) -> str:
        """Return the SELECT of the current snapshot of rows of ``source`` (alias ``src``)."""
        exprs = [f"src.{f}" for f in self.fields] + [f"{sql} AS {n}" for n, sql in self.computed]
        return f"SELECT {', '.join(exprs)} FROM {self.source} src"  # noqa: S608

    def schema(self) -> str:
        """Return the DDL of the index and log tables (column types copied from the source)."""
        return f"""
CREATE TABLE IF NOT EXISTS {self.index} AS {self.snapshot()} WHERE 0;
CREATE UNIQUE INDEX IF NOT EXISTS {self.index}_id ON {self.index} (id);
{self.lookup}
CREATE TABLE IF NOT EXISTS {self.log} AS SELECT 0.0 AS written_at, * FROM {self.index} WHERE 0;
CREATE INDEX IF NOT EXISTS {self.log}_due ON {self.log} (written_at);
CREATE INDEX IF NOT EXISTS {self.log}_by_id ON {self.log} (id, written_at);
"""  # noqa: S608

    def logger(self, trigger: str, event: str, key: str, stamp: str = "sandbox_now()") -> str:
        """Return a TEMP trigger logging the snapshot of the row ``key`` names after ``event``.

        TEMP: the trigger lives with the connection, never in the database file, so a data folder
        stays readable by a sandbox without these SQL functions.
        """
        return f"""
CREATE TEMP TRIGGER IF NOT EXISTS {trigger} {event}
WHEN sandbox_index_feed()
BEGIN
  INSERT INTO {self.log} (written_at, {self.columns})
  SELECT {stamp}, * FROM ({self.snapshot()} WHERE src.id = {key});
END;
"""  # noqa: S608


ENTRIES = Indexed(
    "entries",
    "entry",
    ENTRY_FIELDS,
    (("categories", _ACTIVE_CATEGORIES),),
    "CREATE INDEX IF NOT EXISTS entry_index_by_time ON entry_index "
    "(partner_id, status, created_at, seq);",
)
CATEGORIES = Indexed("categories", "category", CATEGORY_FIELDS)
_TRIGGERS = "".join(
    [
        ENTRIES.logger("sandbox_ix_entry_add", "AFTER INSERT ON main.entries", "NEW.id"),
        ENTRIES.logger("sandbox_ix_entry_set", "AFTER UPDATE ON main.entries", "NEW.id", _READY_AT),
        ENTRIES.logger(
            "sandbox_ix_link_add", "AFTER INSERT ON main.category_entries", "NEW.entry_id"
        ),
        ENTRIES.logger(
            "sandbox_ix_link_set",
            "AFTER UPDATE OF status ON main.category_entries",
            "NEW.entry_id",
        ),
        CATEGORIES.logger("sandbox_ix_category_add", "AFTER INSERT ON main.categories", "NEW.id"),
        CATEGORIES.logger("sandbox_ix_category_set", "AFTER UPDATE ON main.categories", "NEW.id"),
    ]
)


class SearchIndex:
    """The index lists read, ``lag`` seconds behind the store (see the module rules)."""

    def __init__(self, store: SandboxStore, clock: SandboxClock, settings: SandboxSettings) -> None:
        self._store = store
        self._clock = clock
        self._settings = settings
        self._feeding = threading.local()
        store.function("sandbox_now", clock.now)
        store.function("sandbox_index_feed", self._feeds)
        store.script(ENTRIES.schema() + CATEGORIES.schema() + _TRIGGERS)
        for kind in (ENTRIES, CATEGORIES):
            self._index_missing(kind)

    @property
    def lag(self) -> float:
        """Return how many seconds (sandbox clock) a write takes to reach lists."""
        return self._settings.index_lag

    @lag.setter
    def lag(self, seconds: float) -> None:
        if not seconds >= 0:
            raise ValueError(f"the index lag must be zero or more seconds, got {seconds}")
        self._settings.index_lag = float(seconds)

    @property
    def max_in_values(self) -> int | None:
        """Return how many values an IN / NOT IN keeps on the index path (None: all)."""
        return self._settings.index_max_in_values

    @max_in_values.setter
    def max_in_values(self, count: int | None) -> None:
        if count is not None and count < 1:
            raise ValueError(f"max_in_values must be 1 or more (or None for no cut), got {count}")
        self._settings.index_max_in_values = count

    @property
    def pending(self) -> int:
        """Return how many objects have writes that lists do not see yet."""
        self.catch_up()
        return sum(
            int(self._store.scalar(f"SELECT COUNT(DISTINCT id) FROM {kind.log}"))  # noqa: S608
            for kind in (ENTRIES, CATEGORIES)
        )

    def settle(self) -> None:
        """Make every write so far visible to lists now, as if the lag had passed.

        What a real test does by polling a list until it shows the change; the clock does not
        move (``sb.clock.advance(sb.index.lag)`` is the other way, and moves everything else).
        """
        for kind in (ENTRIES, CATEGORIES):
            self._apply(kind, math.inf)

    def catch_up(self) -> None:
        """Apply every snapshot whose lag has passed (lists call this before reading)."""
        lag = self._settings.index_lag
        cutoff = math.inf if lag <= 0 else self._clock.now() - lag
        for kind in (ENTRIES, CATEGORIES):
            self._apply(kind, cutoff)

    @contextmanager
    def immediate(self) -> Iterator[None]:
        """Within this block, this thread's writes are not logged: index them with ``absorb``."""
        self._feeding.off = True
        try:
            yield
        finally:
            self._feeding.off = False

    def absorb(self, kind: Indexed, where: str, params: tuple[object, ...]) -> None:
        """Index the current snapshot of the ``kind`` rows matching ``where`` now (rule 5)."""
        with self._store.tx() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO {kind.index} ({kind.columns}) "
                f"{kind.snapshot()} WHERE {where}",
                params,
            )
            conn.execute(
                f"DELETE FROM {kind.log} WHERE id IN (SELECT src.id FROM {kind.source} src "  # noqa: S608
                f"WHERE {where})",
                params,
            )

    def _feeds(self) -> int:
        return 0 if getattr(self._feeding, "off", False) else 1

    def _apply(self, kind: Indexed, cutoff: float) -> None:
        """Replay, per object, its newest snapshot written at or before ``cutoff``."""
        due = f"SELECT MAX(rowid) FROM {kind.log} WHERE written_at <= ? GROUP BY id"  # noqa: S608
        with self._store.tx() as conn:
            first = conn.execute(f"SELECT MIN(written_at) FROM {kind.log}").fetchone()[0]  # noqa: S608
            if first is None or first > cutoff:
                return
            conn.execute(
                f"INSERT OR REPLACE INTO {kind.index} ({kind.columns}) "  # noqa: S608
                f"SELECT {kind.columns} FROM {kind.log} WHERE rowid IN ({due})",
                (cutoff,),
            )
            # older snapshots of the same objects are superseded by what was just applied
            conn.execute(
                f"DELETE FROM {kind.log} WHERE rowid <= (SELECT MAX(d.rowid) FROM "  # noqa: S608
                f"{kind.log} d WHERE d.id = {kind.log}.id AND d.written_at <= ?)",
                (cutoff,),
            )

    def _index_missing(self, kind: Indexed) -> None:
        """Index rows the index never saw (a data folder from before the index existed)."""
        self.absorb(
            kind,
            f"NOT EXISTS (SELECT 1 FROM {kind.index} i WHERE i.id = src.id) "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {kind.log} l WHERE l.id = src.id)",
            (),
        )
