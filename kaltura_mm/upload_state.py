"""Keep ``UploadState`` records on disk, one JSON file per upload, written atomically.

Pass ``store.save`` as ``on_state`` to ``upload_file`` and every confirmed step is on disk before
the next one starts; after a crash, ``store.load(reference_id)`` (or ``store.pending()``) gives the
state to hand to ``resume_upload``. A write goes to a temporary file in the same directory, is
flushed to disk and renamed over the old one, so a crash mid-write leaves the previous state whole.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import platformdirs

from kaltura_mm.errors import ConfigError
from kaltura_mm.upload.request import UploadState

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def default_directory() -> Path:
    """Return the per-user directory where upload states are kept by default."""
    return Path(platformdirs.user_state_dir("kaltura-mm")) / "uploads"


class UploadStateStore:
    """A directory of upload states, one ``<reference_id>.json`` file each."""

    def __init__(self, directory: Path | str | None = None) -> None:
        """Use ``directory`` (created on first save), or the per-user default."""
        self.directory = Path(directory) if directory is not None else default_directory()

    def path_for(self, reference_id: str) -> Path:
        """Return the file that holds the state of ``reference_id``."""
        if not reference_id:
            raise ConfigError("reference_id is empty: pass the referenceId of an upload")
        return self.directory / (_UNSAFE.sub("_", reference_id) + ".json")

    def save(self, state: UploadState) -> None:
        """Write ``state`` atomically, replacing the upload's previous state."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_for(state.reference_id)
        fd, temp = tempfile.mkstemp(prefix=".state-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(state.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def load(self, reference_id: str) -> UploadState | None:
        """Return the saved state of ``reference_id``, or None if there is none."""
        path = self.path_for(reference_id)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return UploadState.from_json(text)
        except ValueError as exc:
            raise ConfigError(f"{path} is damaged ({exc}): delete it to start over") from exc

    def pending(self) -> list[UploadState]:
        """Return every saved state of an upload that did not complete, oldest first."""
        if not self.directory.is_dir():
            return []
        files = sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        states = [UploadState.from_json(p.read_text(encoding="utf-8")) for p in files]
        return [s for s in states if not s.complete]

    def discard(self, reference_id: str) -> None:
        """Delete the saved state of ``reference_id`` (nothing happens if there is none)."""
        self.path_for(reference_id).unlink(missing_ok=True)
