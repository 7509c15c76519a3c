"""One run of ``kaltura-mm upload``: sort the files, run them through ``upload_many``, keep score.

Files the journal says are done (and unchanged) are claimed; the server is asked about them before
they are reported (``upload_truth``). Files with a saved partial state resume from it, and the
rest start fresh; all of them go to the library's ``upload_many`` in one batch, so small files
get its batching (one category check, one ``referenceIdIn`` lookup, about one request per file).
The batch's callbacks keep the journal, the state store, the display and the per-file results in
step as each file moves, starts and ends. A state that cannot be written stops the batch as a
Ctrl-C would (uploads in flight keep their entry and token, so a re-run resumes them) and the
run ends with that error.

The state database is written behind, at most every ``WRITE_EVERY`` seconds and once at the end
(``flush``): only each file's newest state and journal record are written, the records in one
transaction. A one-part file moved through three states and ended in one request, and writing
each as it came cost eight commits a file (issue 20); now a file that ends between two writes
costs one row. A process killed between two writes loses at most that much of what it knew of
one-part files, which the upload engine finds on the server (as it does a write lost with the
process). The state of a file of several parts is written as each chunk is confirmed, as
before: a re-run resumes it from its last confirmed chunk.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.failures import describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.progress import UploadDisplay
from kaltura_mm.errors import ConfigError, KalturaError, UploadCancelledError, UploadError
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.store import StoreError
from kaltura_mm.store.files import DONE, FileJournal, FileRecord, categories_key
from kaltura_mm.store.uploads import UploadStore
from kaltura_mm.upload import local_file
from kaltura_mm.upload.folder import NAME_REFUSED, refused_by_kaltura
from kaltura_mm.upload.many import upload_many
from kaltura_mm.upload.plan import plan_chunks
from kaltura_mm.upload.request import (
    FileFingerprint,
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
)
from kaltura_mm.upload.result import UploadOutcome, UploadResult

WRITE_EVERY = 0.2  # seconds between two writes of the state database during a run


@attrs.frozen
class PlannedFile:
    """A file of this run: its request, fingerprint, referenceId and saved partial state."""

    request: UploadRequest
    fingerprint: FileFingerprint
    reference_id: str
    saved: UploadState | None = None
    note: str | None = None  # why a file the journal had as done is uploaded again

    @property
    def key(self) -> str:
        """Return the journal's key for the file (its path as given)."""
        return str(self.request.path)

    def record(self, **changes: Any) -> FileRecord:
        """Return the journal record of the file with ``changes``."""
        base = FileRecord(
            path=self.key,
            categories=categories_key(self.request.category_ids),
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
        "category_ids": ",".join(map(str, request.category_ids)) or None,
        "error": getattr(error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else None,
    }


@attrs.define
class UploadBatch:
    """One upload run: its journal, state store, display and the results collected so far."""

    state: AppContext
    journal: FileJournal
    store: UploadStore
    options: UploadOptions
    interrupts: Interrupts
    display: UploadDisplay | None = None
    results: list[dict[str, Any]] = attrs.field(factory=list)
    files: dict[str, PlannedFile] = attrs.field(factory=dict)
    claimed: list[tuple[PlannedFile, FileRecord]] = attrs.field(factory=list)
    started: set[str] = attrs.field(factory=set)
    state_error: StoreError | None = None
    errors: list[KalturaError] = attrs.field(factory=list)  # of the failed files, in order
    categories_checked: bool = False  # the command read every category of the run just now
    # written behind (``flush``): the newest state and journal record of each file, by key
    unsaved: dict[str, UploadState] = attrs.field(factory=dict)
    unrecorded: dict[str, FileRecord] = attrs.field(factory=dict)
    stored: set[str] = attrs.field(factory=set)  # referenceIds with a state in the store
    written_at: float = 0.0  # time.monotonic() of the last flush

    def plan(self, requests: Sequence[UploadRequest]) -> list[PlannedFile]:
        """Return the files to upload; claim those the journal has as done, record unreadable."""
        todo = []
        for request in requests:
            try:
                if refused_by_kaltura(request.path.name) and not request.name:
                    raise ConfigError(f"{request.path}: {NAME_REFUSED}")
                print_ = local_file.fingerprint(request.path)
                done = self.journal.get(str(request.path), categories_key(request.category_ids))
                if done and done.entry_id and done.unchanged_since(print_.size, print_.mtime_ns):
                    # Done and untouched since: claimed without reading the file again.
                    planned = PlannedFile(request, print_, done.reference_id or "")
                    self.claimed.append((planned, done))
                    continue
                print_ = local_file.content_fingerprint(request.path)  # its identity
            except KalturaError as exc:
                # Refused before any upload (empty, unreadable): say why, or the table hides it.
                self.state.say(f"✗ {request.path.name}: {describe(exc).line()}")
                self.results.append(record(request, "failed", error=exc))
                self.errors.append(exc)
                continue
            planned = PlannedFile(request, print_, reference_id_for(request, print_))
            todo.append(self.resumable(planned))
        return todo

    def resumable(self, planned: PlannedFile) -> PlannedFile:
        """Return ``planned`` with its saved partial state, if one is kept."""
        saved = self.store.load(planned.reference_id)
        if saved is not None:
            self.stored.add(planned.reference_id)
        if saved is None or saved.complete:
            return planned
        return attrs.evolve(planned, saved=saved)

    def run(self, todo: Sequence[PlannedFile], files_in_flight: int) -> Flow[list[UploadOutcome]]:
        """Return the ``upload_many`` flow for ``todo``, reporting into this batch."""
        self.files = {f.key: f for f in todo}
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
            categories_checked=self.categories_checked,
            # --concurrency, the run's requests in flight: one-part files go up to that many
            max_requests_in_flight=self.state.config_overrides.get("max_concurrency"),
        )

    def keep(self, write: Callable[[], None]) -> None:
        """Run one state write; a failure stops the batch (as Ctrl-C would) and is kept."""
        if self.state_error is not None:
            return  # one failed write is enough: the rest would fail alike
        try:
            write()
        except StoreError as exc:
            self.state_error = exc
            self.interrupts.event.set()
            self.state.say(f"error: {exc.problem}; stopping: uploads in flight stay resumable")

    def record(self, planned: PlannedFile, **changes: Any) -> None:
        """Keep the journal record of ``planned`` with ``changes``, to be written behind."""
        self.unrecorded[planned.key] = planned.record(**changes)
        self._written_behind()

    def flush(self) -> None:
        """Write every state and journal record kept since the last write (records at once)."""
        self.written_at = time.monotonic()
        states, records = self.unsaved, self.unrecorded
        self.unsaved, self.unrecorded = {}, {}
        for reference_id, state in states.items():
            self.keep(functools.partial(self.store.save, state))
            self.stored.add(reference_id)
        if records:
            self.keep(lambda: self.journal.update_many(list(records.values())))

    def _written_behind(self) -> None:
        if time.monotonic() - self.written_at >= WRITE_EVERY:
            self.flush()

    def _on_state(self, upload: UploadState) -> None:
        planned = self.files[str(upload.request.path)]
        self.unsaved[planned.reference_id] = upload
        if len(plan_chunks(upload.fingerprint.size, upload.chunk_size, upload.edge_size)) > 1:
            self.written_at = 0.0  # each chunk it confirms is written at once, as it always was
        self.record(
            planned, entry_id=upload.entry_id, status="uploading", bytes_done=upload.bytes_confirmed
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
        self.unsaved.pop(planned.reference_id, None)
        if planned.reference_id in self.stored:
            self.stored.discard(planned.reference_id)
            self.keep(lambda: self.store.discard(planned.reference_id))
        self.record(planned, entry_id=result.entry_id, status=DONE, bytes_done=size)
        line = record(planned.request, status, result, size=size)
        self.results.append({**line, "message": planned.note})
        self._finish(
            planned, size, f"✓ {planned.request.path.name} -> {result.entry_id} ({status})"
        )

    def _failed(self, planned: PlannedFile, error: KalturaError) -> None:
        cancelled = isinstance(error, UploadCancelledError)
        status = "cancelled" if cancelled else "failed"
        kept = error.state if isinstance(error, UploadError) else None
        entry_id = kept.entry_id if isinstance(kept, UploadState) else None
        done = kept.bytes_confirmed if isinstance(kept, UploadState) else 0
        self.record(planned, entry_id=entry_id, status=status, bytes_done=done, error=str(error))
        line = record(planned.request, status, reference_id=planned.reference_id, error=error)
        if not cancelled:
            self.errors.append(error)
        self.results.append({**line, "entry_id": entry_id, "bytes": planned.fingerprint.size})
        how = "stopped, resumable" if cancelled else describe(error).line()
        mark = "…" if cancelled else "✗"
        self._finish(planned, done, f"{mark} {planned.request.path.name}: {how}", ok=False)

    def _finish(self, planned: PlannedFile, bytes_done: int, line: str, ok: bool = True) -> None:
        if self.display is not None:
            self.display.finish(planned.request.path, bytes_done, line, ok)
