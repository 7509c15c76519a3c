"""What the command line remembers between runs, in ``<state dir>/state.db`` (SQLite).

``state_dir`` finds the directory; ``open_state`` opens its database (reading in, once, the JSON
files earlier versions kept); ``FileJournal``, ``UploadStore`` and ``DeletionLog`` are its tables
for one server and partner; ``RunLock`` keeps two runs from sharing it at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import platformdirs

from kaltura_mm.commands.state.db import StateDb, StateError, Target

STATE_DIR_ENV = "KALTURA_MM_STATE_DIR"


def state_dir(chosen: Path | None, env: Mapping[str, str]) -> Path:
    """Return the state directory: ``--state-dir``, ``$KALTURA_MM_STATE_DIR`` or the platform's."""
    if chosen is not None:
        return chosen
    if env.get(STATE_DIR_ENV):
        return Path(env[STATE_DIR_ENV]).expanduser()
    return Path(platformdirs.user_state_dir("kaltura-mm"))


def open_state(root: Path) -> StateDb:
    """Open the state database of ``root``; notes for the user land in ``db.notes``."""
    from kaltura_mm.commands.state.legacy import import_json

    db = StateDb.open(root)
    note = import_json(db)
    if note:
        db.notes.append(note)
    return db


__all__ = ["STATE_DIR_ENV", "StateDb", "StateError", "Target", "open_state", "state_dir"]
