"""What an upload reports: progress while it runs, a result (or a per-file outcome) at the end."""

from __future__ import annotations

from pathlib import Path

import attrs

from kaltura_mm.errors import KalturaError
from kaltura_mm.models import BaseEntry
from kaltura_mm.upload.request import UploadRequest


@attrs.frozen(kw_only=True)
class UploadProgress:
    """Where an upload (one file, or all files when ``path`` is None) stands.

    ``bytes_done`` counts bytes the server acknowledged, so a retried chunk is never counted
    twice and the figure never runs ahead of the server. ``rate`` is bytes per second since the
    start; ``eta`` seconds left at that rate (None until known).
    """

    path: Path | None
    bytes_done: int
    bytes_total: int
    rate: float
    eta: float | None
    files_done: int = 0
    files_total: int = 1

    @property
    def fraction(self) -> float:
        """Return the share done, 0.0 to 1.0."""
        return self.bytes_done / self.bytes_total if self.bytes_total else 1.0


@attrs.frozen(kw_only=True)
class UploadResult:
    """A finished upload: the entry, the token it came through and what it took.

    ``bytes_sent`` and ``chunks`` count what this run put on the wire, retries included;
    ``bytes_resumed`` what the server already held from an earlier run; ``existing`` says the
    entry was found complete by its referenceId and nothing was sent.
    """

    entry: BaseEntry
    reference_id: str
    token_id: str | None
    bytes_sent: int
    chunks: int
    retries: int
    bytes_resumed: int = 0
    existing: bool = False

    @property
    def entry_id(self) -> str:
        """Return the entry's id."""
        return self.entry.id


@attrs.frozen(kw_only=True)
class UploadOutcome:
    """One file of ``upload_many``: its result, or the error that stopped it."""

    request: UploadRequest
    result: UploadResult | None = None
    error: KalturaError | None = None

    @property
    def ok(self) -> bool:
        """Return whether the file was uploaded."""
        return self.result is not None
