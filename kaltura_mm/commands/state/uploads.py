"""Unfinished uploads in the state database: the upload engine's ``UploadState``, one row each.

The same contract as the library's ``UploadStateStore`` (``save`` as ``on_state``, ``load``,
``discard``, ``pending``), kept in ``state.db`` instead of a JSON file per upload, plus what
``kaltura-mm uploads`` shows: every pending upload of the state directory with its server.
"""

from __future__ import annotations

import attrs

from kaltura_mm.commands.state.db import LEGACY_TARGET, StateDb, StateError, Target, now
from kaltura_mm.upload.request import UploadState


@attrs.frozen
class PendingUpload:
    """An unfinished upload as ``kaltura-mm uploads`` lists it."""

    state: UploadState
    target: str
    service: str | None
    partner_id: int | None
    updated_at: int


def _state(text: str, where: str) -> UploadState:
    try:
        return UploadState.from_json(text)
    except ValueError as exc:
        raise StateError(
            f"a saved upload in {where} is damaged ({exc})",
            "abort it with `kaltura-mm uploads abort`, or remove the state directory",
        ) from exc


class UploadStore:
    """The upload states of one target (``UploadStateStore``'s methods)."""

    def __init__(self, db: StateDb, target: Target) -> None:
        """Keep the upload states of ``target`` in ``db``."""
        self.db = db
        self.target = target.key
        db.remember_target(target)

    def save(self, state: UploadState) -> None:
        """Write ``state``, replacing the upload's previous state."""
        self.db.write(
            "INSERT INTO uploads (target, reference_id, path, entry_id, token_id, size, "
            "bytes_confirmed, complete, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (target, reference_id) DO UPDATE SET path = excluded.path, "
            "entry_id = excluded.entry_id, token_id = excluded.token_id, size = excluded.size, "
            "bytes_confirmed = excluded.bytes_confirmed, complete = excluded.complete, "
            "state = excluded.state, updated_at = excluded.updated_at",
            (
                self.target,
                state.reference_id,
                str(state.request.path),
                state.entry_id,
                state.token_id,
                state.fingerprint.size,
                state.bytes_confirmed,
                int(state.complete),
                state.to_json(),
                now(),
            ),
        )

    def load(self, reference_id: str) -> UploadState | None:
        """Return the saved state of ``reference_id`` (this target's, else an imported one)."""
        rows = self.db.read(
            "SELECT state FROM uploads WHERE reference_id = ? AND target IN (?, ?) "
            "ORDER BY target DESC",
            (reference_id, self.target, LEGACY_TARGET),
        )
        return _state(rows[0]["state"], str(self.db.root)) if rows else None

    def discard(self, reference_id: str) -> None:
        """Forget the saved state of ``reference_id`` (nothing happens if there is none)."""
        self.db.write(
            "DELETE FROM uploads WHERE reference_id = ? AND target IN (?, ?)",
            (reference_id, self.target, LEGACY_TARGET),
        )

    def pending(self) -> list[UploadState]:
        """Return this target's uploads that did not complete, oldest first."""
        return [p.state for p in pending_uploads(self.db) if p.target in (self.target, "")]


def pending_uploads(db: StateDb) -> list[PendingUpload]:
    """Return every unfinished upload of the state directory, oldest first, with its server."""
    rows = db.read(
        "SELECT u.state, u.target, u.updated_at, t.service, t.partner_id FROM uploads u "
        "LEFT JOIN targets t ON t.target = u.target WHERE u.complete = 0 "
        "ORDER BY u.updated_at, u.reference_id"
    )
    return [
        PendingUpload(
            _state(r["state"], str(db.root)),
            r["target"],
            r["service"],
            r["partner_id"],
            r["updated_at"],
        )
        for r in rows
    ]
