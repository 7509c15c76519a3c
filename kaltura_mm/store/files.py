"""The file journal: what each file became on one server, so a re-run is safe and quick.

A file is known by its path and the categories it was uploaded into, on one target (server and
partner); so naming one file alone finds what a run over its whole folder did. A record holds the
fingerprint (size, mtime), the referenceId, the entry id, the status and the bytes done. It is
only a hint: ``kaltura-mm upload`` checks every entry it names on the server before it trusts it.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from kaltura_mm.store.store import LEGACY_TARGET, Store, Target, now

DONE = "done"
_COLUMNS = "path, categories, size, mtime_ns, reference_id, entry_id, status, bytes_done, error"


def categories_key(category_ids: Iterable[int]) -> str:
    """Return how a set of categories is stored: sorted ids, comma-separated."""
    return ",".join(str(c) for c in sorted(set(category_ids)))


@attrs.frozen(kw_only=True)
class FileRecord:
    """What the journal knows of one file."""

    path: str
    categories: str = ""
    size: int
    mtime_ns: int
    reference_id: str | None = None
    entry_id: str | None = None
    status: str = "pending"
    bytes_done: int = 0
    error: str | None = None

    def unchanged_since(self, size: int, mtime_ns: int) -> bool:
        """Return whether this file was uploaded and its size and mtime are as they were then."""
        return self.status == DONE and (self.size, self.mtime_ns) == (size, mtime_ns)


class FileJournal:
    """The file records of one target in the state database."""

    def __init__(self, db: Store, target: Target) -> None:
        """Keep the records of ``target`` in ``db``."""
        self.db = db
        self.target = target.key
        db.remember_target(target)

    def get(self, path: str, categories: str, reference_id: str | None = None) -> FileRecord | None:
        """Return the record of ``path`` uploaded into ``categories``, if any.

        A record imported from an old JSON journal (which did not say its server or categories)
        is returned when nothing newer is known and its referenceId is ``reference_id`` (any
        referenceId when None: the caller then checks the file is unchanged since).
        """
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM files WHERE path = ? AND "  # noqa: S608 - constant columns
            "((target = ? AND categories = ?) OR "
            "(target = ? AND (CAST(? AS VARCHAR) IS NULL OR reference_id = ?))) "
            "ORDER BY target DESC",
            (path, self.target, categories, LEGACY_TARGET, reference_id, reference_id),
        )
        return FileRecord(**dict(rows[0])) if rows else None

    def update(self, record: FileRecord) -> None:
        """Store ``record`` (one row, written in place)."""
        self.update_many([record])

    def update_many(self, records: Iterable[FileRecord]) -> None:
        """Store ``records`` (a row each, written in place) in one transaction."""
        stamp = now()
        self.db.write_many(
            f"INSERT INTO files (target, {_COLUMNS}, updated_at) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (target, path, categories) DO UPDATE SET size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, reference_id = excluded.reference_id, "
            "entry_id = excluded.entry_id, status = excluded.status, "
            "bytes_done = excluded.bytes_done, error = excluded.error, "
            "updated_at = excluded.updated_at",
            [
                (
                    self.target,
                    record.path,
                    record.categories,
                    record.size,
                    record.mtime_ns,
                    record.reference_id,
                    record.entry_id,
                    record.status,
                    record.bytes_done,
                    record.error,
                    stamp,
                )
                for record in records
            ],
        )
