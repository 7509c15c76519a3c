"""The entries ``kaltura-mm delete`` took away, so a re-run of a finished clean-up is not an error.

Kaltura answers ``ENTRY_ID_NOT_FOUND`` both for an entry deleted before and for an id that never
existed, and a deleted entry cannot be listed. The batch engine counts "not found" as done only
when the entry is known to have existed (``delete_entries(known_to_exist=...)``); this log is that
knowledge across runs, per target:

- ``deleted``: a delete ended ``done`` or ``already_done`` for the id;
- ``sent``: a batch holding the id went to the server and its answer was never read (the run was
  interrupted): the entry may be gone by this run's hand, so a re-run takes "not found" for done.

A mistyped id is never in it, so it still fails with "not found" (exit 5); ``--missing-ok``
accepts any missing id.
"""

from __future__ import annotations

from collections.abc import Iterable

from kaltura_mm.store.store import Store, Target, now

DELETED = "deleted"
SENT = "sent"
_CHUNK = 500  # ids per query: far below any database's limit of bound values


class DeletionLog:
    """The deletions of one target in the state database."""

    def __init__(self, db: Store, target: Target) -> None:
        """Keep the deletions of ``target`` in ``db``."""
        self.db = db
        self.target = target.key
        db.remember_target(target)

    def known(self, entry_ids: Iterable[str]) -> set[str]:
        """Return those of ``entry_ids`` deleted (or maybe deleted) by an earlier run."""
        ids = list(dict.fromkeys(entry_ids))
        found: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows = self.db.read(
                f"SELECT entry_id FROM deletions WHERE target = ? AND entry_id IN ({marks})",  # noqa: S608
                (self.target, *chunk),
            )
            found.update(r["entry_id"] for r in rows)
        return found

    def sent(self, entry_ids: Iterable[str]) -> None:
        """Note that a batch holding ``entry_ids`` is going to the server."""
        self._mark(entry_ids, SENT)

    def deleted(self, entry_ids: Iterable[str]) -> None:
        """Remember ``entry_ids`` as deleted."""
        self._mark(entry_ids, DELETED)

    def answered(self, entry_ids: Iterable[str]) -> None:
        """Forget the ``sent`` mark of ids whose answer came back (and did not delete them)."""
        self.db.write_many(
            "DELETE FROM deletions WHERE target = ? AND entry_id = ? AND status = ?",
            [(self.target, i, SENT) for i in entry_ids],
        )

    def _mark(self, entry_ids: Iterable[str], status: str) -> None:
        # "deleted" is final: a later "sent" (a re-run's batch) never downgrades it.
        self.db.write_many(
            "INSERT INTO deletions (target, entry_id, status, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (target, entry_id) DO UPDATE SET "
            "status = CASE WHEN deletions.status = 'deleted' THEN 'deleted' "
            "ELSE excluded.status END, updated_at = excluded.updated_at",
            [(self.target, i, status, now()) for i in entry_ids],
        )
