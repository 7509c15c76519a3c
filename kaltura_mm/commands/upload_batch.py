"""One run of ``kaltura-mm upload``: sort the files, run them through ``upload_many``, keep score.

Files the journal says are done (and unchanged) are skipped, files with a saved partial state
resume from it, and the rest start fresh; all of them go to the library's ``upload_many`` in one
batch, so small files get its batching (one category check, one ``referenceIdIn`` lookup, about
one request per file). The batch's callbacks keep the journal, the state store, the display and
the per-file results in step as each file moves, starts and ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.failures import describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.journal import DONE, FileRecord, Journal
from kaltura_mm.commands.progress import UploadDisplay
from kaltura_mm.errors import KalturaError, UploadCancelledError
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.upload import local_file
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.request import (
    FileFingerprint,
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
)
from kaltura_mm.upload.result import UploadOutcome, UploadResult
from kaltura_mm.upload_state import UploadStateStore


@attrs.frozen
class PlannedFile:
    """A file this run uploads: its request, fingerprint, referenceId and saved partial state."""

    request: UploadRequest
    fingerprint: FileFingerprint
    reference_id: str
    saved: UploadState | None

    @property
    def key(self) -> str:
        """Return the journal's key for the file (its path as given)."""
        return str(self.request.path)

    def record(self, **changes: Any) -> FileRecord:
        """Return the journal record of the file with ``changes``."""
        base = FileRecord(
            path=self.key,
            size=self.fingerprint.size,
            mtime_ns=self.fingerprint.mtime_ns,
            reference_id=self.reference_id,
        )
        return attrs.evolve(base, **changes)


def record(
    request: UploadRequest,
    status: str,
    result: UploadResult | None = None,
    reference_id: str | None = None,
    error: BaseException | None = None,
    size: int = 0,
) -> dict[str, Any]:
    """Return one file's result line (the keys of ``UPLOAD_KEYS``)."""
    failure = describe(error) if error is not None else None
    return {
        "path": str(request.path),
        "status": status,
        "entry_id": result.entry_id if result else None,
        "reference_id": result.reference_id if result else reference_id,
        "bytes": size,
        "bytes_resumed": result.bytes_resumed if result else 0,
        "name": request.entry_name,
        "category_ids": ",".join(map(str, request.category_ids)),
        "error": getattr(error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else None,
    }


@attrs.define
class UploadBatch:
    """One upload run: its journal, state store, display and the results collected so far."""

    state: AppContext
    journal: Journal
    store: UploadStateStore
    options: UploadOptions
    interrupts: Interrupts
    display: UploadDisplay | None = None
    results: list[dict[str, Any]] = attrs.field(factory=list)
    files: dict[str, PlannedFile] = attrs.field(factory=dict)
    started: set[str] = attrs.field(factory=set)

    def plan(self, requests: Sequence[UploadRequest]) -> list[PlannedFile]:
        """Return the files to upload; record the skipped and the unreadable ones."""
        todo = []
        for request in requests:
            try:
                print_ = local_file.fingerprint(request.path)
            except KalturaError as exc:
                # Refused before any upload (empty, unreadable): say why, or the table hides it.
                self.state.say(f"✗ {request.path.name}: {describe(exc).line()}")
                self.results.append(record(request, "failed", error=exc))
                continue
            done = self.journal.get(request.path)
            if done is not None and done.finished_for(print_.size, print_.mtime_ns):
                skipped = record(request, "skipped", reference_id=done.reference_id)
                self.results.append({**skipped, "entry_id": done.entry_id, "bytes": print_.size})
                continue
            reference = reference_id_for(request, print_)
            saved = self.store.load(reference)
            resumable = saved if saved is not None and not saved.complete else None
            todo.append(PlannedFile(request, print_, reference, resumable))
        self.files = {f.key: f for f in todo}
        return todo

    def run(self, todo: Sequence[PlannedFile], files_in_flight: int) -> Flow[list[UploadOutcome]]:
        """Return the ``upload_many`` flow for ``todo``, reporting into this batch."""
        return upload_many(
            [f.request for f in todo],
            self.options,
            files_in_flight,
            on_state=self._on_state,
            on_progress=self.display.progress if self.display is not None else None,
            cancel=self.interrupts.event,
            states=[f.saved for f in todo],
            on_start=self._on_start,
            on_outcome=self._on_outcome,
        )

    def _on_state(self, upload: UploadState) -> None:
        planned = self.files[str(upload.request.path)]
        self.store.save(upload)
        self.journal.update(
            planned.record(
                entry_id=upload.entry_id, status="uploading", bytes_done=upload.bytes_confirmed
            )
        )

    def _on_start(self, request: UploadRequest) -> None:
        planned = self.files[str(request.path)]
        self.started.add(planned.key)
        if self.display is not None:
            already = planned.saved.bytes_confirmed if planned.saved else 0
            self.display.start(request.path, planned.fingerprint.size, already)

    def _on_outcome(self, outcome: UploadOutcome) -> None:
        planned = self.files[str(outcome.request.path)]
        if outcome.result is not None:
            self._succeeded(planned, outcome.result)
        elif planned.key not in self.started:
            self.results.append(
                record(planned.request, "not_started", reference_id=planned.reference_id)
            )
        else:
            self._failed(planned, outcome.error or KalturaError("the upload stopped"))

    def _succeeded(self, planned: PlannedFile, result: UploadResult) -> None:
        resumed = planned.saved is not None
        status = "existing" if result.existing else ("resumed" if resumed else "uploaded")
        size = planned.fingerprint.size
        self.store.discard(planned.reference_id)
        self.journal.update(planned.record(entry_id=result.entry_id, status=DONE, bytes_done=size))
        self.results.append(record(planned.request, status, result, size=size))
        self._finish(planned, f"✓ {planned.request.path.name} -> {result.entry_id} ({status})")

    def _failed(self, planned: PlannedFile, error: KalturaError) -> None:
        cancelled = isinstance(error, UploadCancelledError)
        status = "cancelled" if cancelled else "failed"
        self.journal.update(planned.record(status=status, error=str(error)))
        self.results.append(
            record(planned.request, status, reference_id=planned.reference_id, error=error)
        )
        how = "stopped, resumable" if cancelled else describe(error).line()
        self._finish(planned, f"{'…' if cancelled else '✗'} {planned.request.path.name}: {how}")

    def _finish(self, planned: PlannedFile, line: str) -> None:
        if self.display is not None:
            self.display.finish(planned.request.path, planned.fingerprint.size, line)
