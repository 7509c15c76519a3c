"""The entries ``kaltura-mm delete`` deleted, so a re-run of a finished clean-up is not an error.

Kaltura answers ``ENTRY_ID_NOT_FOUND`` both for an entry deleted before and for an id that never
existed, and a deleted entry cannot be listed. The batch engine counts "not found" as done only
when the entry is known to have existed (``delete_entries(known_to_exist=...)``); this record is
that knowledge across runs: the ids a delete ended ``done`` or ``already_done`` for, per server
and partner, one per line in ``<state dir>/deletions/<server id>.txt``. A mistyped id is never in
it, so it still fails with "not found" (exit 5); ``--missing-ok`` accepts any missing id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def record_path(state_dir: Path, service: str, partner_id: int | None) -> Path:
    """Return the record of one server and partner under ``state_dir``."""
    key = hashlib.sha256(f"{service}\0{partner_id}".encode()).hexdigest()[:20]
    return state_dir / "deletions" / f"{key}.txt"


class DeletionRecord:
    """The entry ids deleted through this machine's ``kaltura-mm`` on one server and partner."""

    def __init__(self, path: Path) -> None:
        """Use the record at ``path`` (created on the first ``add``)."""
        self.path = path

    def known(self, entry_ids: Iterable[str]) -> set[str]:
        """Return those of ``entry_ids`` deleted before."""
        wanted = set(entry_ids)
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return set()
        return wanted & set(text.split())

    def add(self, entry_ids: Iterable[str]) -> None:
        """Remember ``entry_ids`` as deleted (appended: a crash loses at most this run's ids)."""
        lines = "".join(f"{i}\n" for i in entry_ids)
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(lines)
