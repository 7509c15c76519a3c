"""Unfinished uploads in the store: the upload engine's ``UploadState``, one row each.

``UploadStore`` is the one upload-state store of the library and the CLI (``UploadStateStore``
is its exported name): pass ``store.save`` as ``on_state`` to ``upload_file`` and every
confirmed step is recorded before the next one starts; after a crash, ``store.load(reference_id)``
(or ``store.pending()``) gives the state to hand to ``resume_upload``::

    uploads = UploadStore("/var/lib/uploads")   # its state.db; or a postgresql:// URL, or a Store

A row is scoped by a ``Target`` (server and partner); without one, the rows are those of "any
server" (as kaltura-mm 0.1's JSON files, which the store reads in once). ``pending_uploads`` is
what ``kaltura-mm uploads`` shows: every pending upload of the store with its server.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import platformdirs

from kaltura_mm.store.errors import StoreError
from kaltura_mm.store.store import LEGACY_TARGET, Store, Target, now, open_store
from kaltura_mm.upload.request import UploadState


def default_folder() -> Path:
    """Return the per-user state folder (the command line's default ``--state-dir``)."""
    return Path(platformdirs.user_state_dir("kaltura-mm"))


def upload_row(target: str, state: UploadState) -> tuple[object, ...]:
    """Return the ``uploads`` row of ``state`` on ``target`` (a target key)."""
    return (
        target,
        state.reference_id,
        str(state.request.path),
        state.entry_id,
        state.token_id,
        state.fingerprint.size,
        state.bytes_confirmed,
        int(state.complete),
        state.to_json(),
        now(),
    )


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
        raise StoreError(
            f"a saved upload in {where} is damaged ({exc})",
            "abort it with `kaltura-mm uploads abort`, or remove the state directory",
        ) from exc


class UploadStore:
    """The upload states of one target: ``save`` (as ``on_state``), ``load``, ``discard``."""

    def __init__(self, db: Store | str | Path | None = None, target: Target | None = None) -> None:
        """Keep the upload states of ``target`` (None: of any server) in ``db``.

        ``db`` is an open ``Store``, or where to open one (``open_store``): a folder (its
        ``state.db``), a ``.db`` file or a ``postgresql://`` URL; None is the per-user state
        folder the command line uses.
        """
        if not isinstance(db, Store):
            db = open_store(db if db is not None else default_folder())
        self.db = db
        self.target = LEGACY_TARGET if target is None else target.key
        if target is not None:
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
            upload_row(self.target, state),
        )

    def load(self, reference_id: str) -> UploadState | None:
        """Return the saved state of ``reference_id`` (this target's, else an imported one)."""
        rows = self.db.read(
            "SELECT state FROM uploads WHERE reference_id = ? AND target IN (?, ?) "
            "ORDER BY target DESC",
            (reference_id, self.target, LEGACY_TARGET),
        )
        return _state(rows[0]["state"], str(self.db.where)) if rows else None

    def discard(self, reference_id: str) -> None:
        """Forget the saved state of ``reference_id`` (nothing happens if there is none)."""
        self.db.write(
            "DELETE FROM uploads WHERE reference_id = ? AND target IN (?, ?)",
            (reference_id, self.target, LEGACY_TARGET),
        )

    def pending(self) -> list[UploadState]:
        """Return this target's uploads that did not complete, oldest first."""
        return [p.state for p in pending_uploads(self.db) if p.target in (self.target, "")]


UploadStateStore = UploadStore  # the name the library exported before the store was one


def pending_uploads(db: Store) -> list[PendingUpload]:
    """Return every unfinished upload of the state directory, oldest first, with its server."""
    rows = db.read(
        "SELECT u.state, u.target, u.updated_at, t.service, t.partner_id FROM uploads u "
        "LEFT JOIN targets t ON t.target = u.target WHERE u.complete = 0 "
        "ORDER BY u.updated_at, u.reference_id"
    )
    return [
        PendingUpload(
            _state(r["state"], db.where),
            r["target"],
            r["service"],
            r["partner_id"],
            r["updated_at"],
        )
        for r in rows
    ]
