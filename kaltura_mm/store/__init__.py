"""One store for what kaltura-mm remembers between runs: SQLite (the default) or PostgreSQL.

The journal of files (``FileJournal``), unfinished uploads (``UploadStore``), the entries a delete
took away (``DeletionLog``), sync records, unfinished replacements and the categories kaltura-mm
made (``SyncRecords``, ``Replacements``, ``KnownCategories``), and the run lock of a state folder
(``RunLock``). The library's users and the CLI share them::

    from kaltura_mm.store import UploadStore, Target, open_store

    store = open_store("postgresql://kmm@db.example.org/kmm")   # or a folder: its state.db
    uploads = UploadStore(store, Target("https://www.kaltura.com", 123))

``kaltura_mm.store.store`` describes the small interface a table is written against (``read``,
``write``, ``write_many``, ``transaction``) and ``kaltura_mm.store.schema`` the versioned
migrations; docs/store.md shows how to point kaltura-mm at your own PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from kaltura_mm.store.deletions import DeletionLog
from kaltura_mm.store.errors import (
    PostgresMissingError,
    SchemaMismatchError,
    StoreBusyError,
    StoreError,
)
from kaltura_mm.store.files import FileJournal, FileRecord
from kaltura_mm.store.lock import RunLock
from kaltura_mm.store.store import DB_FILE, Store, Target, open_store
from kaltura_mm.store.sync_state import KnownCategories, Replacements, SyncRecords
from kaltura_mm.store.uploads import (
    PendingUpload,
    UploadStateStore,
    UploadStore,
    default_folder,
    pending_uploads,
)

STATE_DIR_ENV = "KALTURA_MM_STATE_DIR"
STORE_ENV = "KALTURA_MM_STORE"


def state_dir(chosen: Path | None, env: Mapping[str, str]) -> Path:
    """Return the state folder: ``--state-dir``, ``$KALTURA_MM_STATE_DIR`` or the platform's."""
    if chosen is not None:
        return chosen
    if env.get(STATE_DIR_ENV):
        return Path(env[STATE_DIR_ENV]).expanduser()
    return default_folder()


def store_location(chosen: str | None, root: Path, env: Mapping[str, str]) -> str | Path:
    """Return where the store is: ``--store``, ``$KALTURA_MM_STORE``, else ``root``'s state.db."""
    return chosen or env.get(STORE_ENV) or root


__all__ = [
    "DB_FILE",
    "STATE_DIR_ENV",
    "STORE_ENV",
    "DeletionLog",
    "FileJournal",
    "FileRecord",
    "KnownCategories",
    "PendingUpload",
    "PostgresMissingError",
    "Replacements",
    "RunLock",
    "SchemaMismatchError",
    "Store",
    "StoreBusyError",
    "StoreError",
    "SyncRecords",
    "Target",
    "UploadStateStore",
    "UploadStore",
    "open_store",
    "pending_uploads",
    "state_dir",
    "store_location",
]
