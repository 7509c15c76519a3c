"""Read once what kaltura-mm 0.1 kept as JSON files, into the state database.

Before ``state.db``, the command line kept a JSON journal per batch in ``<state dir>/batches/``,
an ``UploadState`` JSON file per unfinished upload in ``<state dir>/uploads/`` and the deleted ids
per server in ``<state dir>/deletions/<target>.txt``. The first run that opens the database reads
them all in (the files stay where they are, unused from then on; delete them when you like):

- journal records become file records of no known server (the old journals did not say which),
  used only when their referenceId matches the file and the entry they name is on the server;
- upload states become pending uploads of no known server, resumed by the first run on the file
  (a token the server does not know makes the engine start that file over, never twice);
- deletion records keep their server (their file name is the target's key).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kaltura_mm.store.store import LEGACY_TARGET, Store, now
from kaltura_mm.store.uploads import upload_row
from kaltura_mm.upload.request import UploadState

IMPORTED = "json_imported_at"


def import_json(db: Store) -> str | None:
    """Import the JSON state files of ``db.root`` once; return a note for the user, or None."""
    root = db.root
    if root is None or db.meta(IMPORTED) is not None:
        return None
    counts = (_journals(db, root / "batches"), _states(db, root / "uploads"))
    deleted = _deletions(db, root / "deletions")
    db.set_meta(IMPORTED, str(now()))
    if not any((*counts, deleted)):
        return None
    return (
        f"read the JSON state of an earlier kaltura-mm into {db.where}: "
        f"{counts[0]} file records, {counts[1]} unfinished uploads, {deleted} deleted ids "
        "(the JSON files in batches/, uploads/ and deletions/ are no longer used)"
    )


def _json_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _journals(db: Store, folder: Path) -> int:
    rows = []
    for path in _json_files(folder):
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            rows += [_file_row(record) for record in data["files"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a damaged journal costs only skipping: the engine finds what it made
    db.write_many(
        "INSERT INTO files (target, path, categories, size, mtime_ns, reference_id, entry_id, "
        "status, bytes_done, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (target, path, categories) DO NOTHING",
        rows,
    )
    return len(rows)


def _file_row(record: dict[str, Any]) -> tuple[Any, ...]:
    # Old journals did not record the categories: the referenceId (which hashes them) keys it.
    reference = str(record.get("reference_id") or "")
    return (
        LEGACY_TARGET,
        str(record["path"]),
        f"legacy:{reference}",
        int(record["size"]),
        int(record["mtime_ns"]),
        reference or None,
        record.get("entry_id"),
        str(record.get("status") or "pending"),
        int(record.get("bytes_done") or 0),
        record.get("error"),
        now(),
    )


def _states(db: Store, folder: Path) -> int:
    rows = []
    for path in _json_files(folder):
        try:
            state = UploadState.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append(upload_row(LEGACY_TARGET, state))
    db.write_many(
        "INSERT INTO uploads (target, reference_id, path, entry_id, token_id, size, "
        "bytes_confirmed, complete, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (target, reference_id) DO NOTHING",
        rows,
    )
    return len(rows)


def _deletions(db: Store, folder: Path) -> int:
    rows = []
    for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
        try:
            ids = path.read_text(encoding="utf-8").split()
        except OSError:
            continue
        rows += [(path.stem, i, "deleted", now()) for i in dict.fromkeys(ids)]
    db.write_many(
        "INSERT INTO deletions (target, entry_id, status, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (target, entry_id) DO NOTHING",
        rows,
    )
    return len(rows)
