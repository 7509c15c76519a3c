"""What ``sync``, ``replace`` and ``categories create`` keep in the state database.

- ``SyncRecords``: per target and sync category, what content each entry a sync made or
  replaced holds (``kaltura_mm.sync.SyncRecord``): the next plan compares files with it and
  reads those entries by id, exactly, whatever the search index shows yet.
- ``Replacements``: an unfinished content replacement's ``UploadState``, per target and entry,
  so ``replace`` (and a sync) resumes it without re-sending what the server holds.
- ``KnownCategories``: the ids of the categories kaltura-mm made, by full name, so a re-run
  within the index lag finds them exactly (``category.get``) instead of adding them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kaltura_mm.store.errors import StoreError
from kaltura_mm.store.store import Store, Target, now
from kaltura_mm.upload.request import UploadState

if TYPE_CHECKING:  # loading the sync package takes 0.2 s, which only a sync needs
    from kaltura_mm.sync.records import SyncRecord

_RECORD = "reference_id, entry_id, relative, size, mtime_ns, sample_sha256"


class SyncRecords:
    """The sync records of one target and sync category."""

    def __init__(self, db: Store, target: Target, scope: int) -> None:
        """Keep the records of ``scope`` (a category id) on ``target`` in ``db``."""
        self.db = db
        self.target = target.key
        self.scope = scope
        db.remember_target(target)

    def all(self) -> dict[str, SyncRecord]:
        """Return every record of the category, by referenceId."""
        from kaltura_mm.sync.records import SyncRecord

        rows = self.db.read(
            f"SELECT {_RECORD} FROM sync_records WHERE target = ? AND scope = ?",  # noqa: S608
            (self.target, self.scope),
        )
        return {r["reference_id"]: SyncRecord(**dict(r)) for r in rows}

    def save(self, record: SyncRecord) -> None:
        """Store ``record``, replacing the entry's earlier one."""
        self.db.write(
            f"INSERT INTO sync_records (target, scope, {_RECORD}, updated_at) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (target, scope, reference_id) DO UPDATE SET "
            "entry_id = excluded.entry_id, relative = excluded.relative, size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, sample_sha256 = excluded.sample_sha256, "
            "updated_at = excluded.updated_at",
            (
                self.target,
                self.scope,
                record.reference_id,
                record.entry_id,
                record.relative,
                record.size,
                record.mtime_ns,
                record.sample_sha256,
                now(),
            ),
        )


class Replacements:
    """The unfinished content replacements of one target, by entry id."""

    def __init__(self, db: Store, target: Target) -> None:
        """Keep the replacement states of ``target`` in ``db``."""
        self.db = db
        self.target = target.key
        db.remember_target(target)

    def save(self, state: UploadState) -> None:
        """Write the state of the replacement of ``state.entry_id``."""
        if state.complete:
            self.discard(state.entry_id or "")
            return
        self.db.write(
            "INSERT INTO replacements (target, entry_id, path, state, updated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (target, entry_id) DO UPDATE SET "
            "path = excluded.path, state = excluded.state, updated_at = excluded.updated_at",
            (self.target, state.entry_id, str(state.request.path), state.to_json(), now()),
        )

    def load(self, entry_id: str) -> UploadState | None:
        """Return the unfinished replacement of ``entry_id``, if one is kept."""
        rows = self.db.read(
            "SELECT state FROM replacements WHERE target = ? AND entry_id = ?",
            (self.target, entry_id),
        )
        if not rows:
            return None
        try:
            return UploadState.from_json(rows[0]["state"])
        except ValueError as exc:
            raise StoreError(
                f"the saved replacement of entry {entry_id} in {self.db.where} is damaged ({exc})",
                "run the replacement again with another --state-dir",
            ) from exc

    def all(self) -> dict[str, UploadState]:
        """Return every unfinished replacement of the target, by entry id."""
        rows = self.db.read("SELECT entry_id FROM replacements WHERE target = ?", (self.target,))
        found = {r["entry_id"]: self.load(r["entry_id"]) for r in rows}
        return {k: v for k, v in found.items() if v is not None}

    def discard(self, entry_id: str) -> None:
        """Forget the replacement of ``entry_id``."""
        self.db.write(
            "DELETE FROM replacements WHERE target = ? AND entry_id = ?", (self.target, entry_id)
        )


class KnownCategories:
    """The categories kaltura-mm made on one target, by full name."""

    def __init__(self, db: Store, target: Target) -> None:
        """Keep the category ids of ``target`` in ``db``."""
        self.db = db
        self.target = target.key
        db.remember_target(target)

    def all(self) -> dict[str, int]:
        """Return every category made, full name to id."""
        rows = self.db.read(
            "SELECT full_name, category_id FROM categories WHERE target = ?", (self.target,)
        )
        return {r["full_name"]: int(r["category_id"]) for r in rows}

    def save(self, full_name: str, category_id: int) -> None:
        """Remember that ``full_name`` has the id ``category_id``."""
        self.db.write(
            "INSERT INTO categories (target, full_name, category_id, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (target, full_name) DO UPDATE SET "
            "category_id = excluded.category_id, updated_at = excluded.updated_at",
            (self.target, full_name, category_id, now()),
        )
