"""The batch journal of ``kaltura-mm upload``: what each file became, so a re-run is safe.

One JSON file per batch in ``<state dir>/batches/<batch id>.json``; the batch id is a hash of the
target server, the sources and the metadata flags, so running the same command again opens the
same journal. Each file's record holds its fingerprint, referenceId, entry id, status and bytes;
the chunk-level state of an unfinished upload lives beside it in ``<state dir>/uploads`` (the
upload engine's ``UploadStateStore``), so a re-run resumes partial uploads and skips finished
ones. Every write goes to a temporary file that replaces the old one, so a crash or SIGKILL
leaves the previous journal whole. (Even with the journal lost, the engine finds an entry it
made by its referenceId, so no duplicate is ever created.)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import platformdirs

STATE_DIR_ENV = "KALTURA_MM_STATE_DIR"
JOURNAL_VERSION = 1
DONE = "done"


def state_dir(chosen: Path | None, env: Mapping[str, str]) -> Path:
    """Return the state directory: ``--state-dir``, ``$KALTURA_MM_STATE_DIR`` or the platform's."""
    if chosen is not None:
        return chosen
    if env.get(STATE_DIR_ENV):
        return Path(env[STATE_DIR_ENV]).expanduser()
    return Path(platformdirs.user_state_dir("kaltura-mm"))


def batch_id(parts: Iterable[str]) -> str:
    """Return the id of a batch from what defines it (server, sources, flags)."""
    digest = hashlib.sha256("\0".join(parts).encode())
    return digest.hexdigest()[:20]


@attrs.frozen(kw_only=True)
class FileRecord:
    """What the journal knows of one file."""

    path: str
    size: int
    mtime_ns: int
    reference_id: str | None = None
    entry_id: str | None = None
    status: str = "pending"
    bytes_done: int = 0
    error: str | None = None

    def finished_for(self, size: int, mtime_ns: int) -> bool:
        """Return whether this file was uploaded and is unchanged since."""
        return self.status == DONE and (self.size, self.mtime_ns) == (size, mtime_ns)


class Journal:
    """A batch's per-file records, saved atomically after every change."""

    def __init__(self, path: Path, command: list[str]) -> None:
        """Open (or start) the journal at ``path`` for ``command``."""
        self.path = path
        self.command = command
        self.records: dict[str, FileRecord] = {}
        self.warning: str | None = None
        self._lock = threading.Lock()
        if path.exists():
            self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != JOURNAL_VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            self.records = {r["path"]: FileRecord(**r) for r in data["files"]}
        except (ValueError, KeyError, TypeError) as exc:
            # A damaged journal costs only the skipping: the engine still finds made entries.
            damaged = self.path.with_suffix(f".damaged-{int(time.time())}")
            self.path.replace(damaged)
            self.warning = f"the journal was unreadable ({exc}); set aside as {damaged}"

    def get(self, path: Path) -> FileRecord | None:
        """Return the record of ``path``, if any."""
        return self.records.get(str(path))

    def update(self, record: FileRecord) -> None:
        """Store ``record`` and save the journal."""
        with self._lock:
            self.records[record.path] = record
            self.save()

    def save(self) -> None:
        """Write the journal atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = {
            "version": JOURNAL_VERSION,
            "command": self.command,
            "updated_at": int(time.time()),
            "files": [attrs.asdict(r) for r in self.records.values()],
        }
        fd, temp = tempfile.mkstemp(prefix=".journal-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
