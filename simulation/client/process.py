"""The client driver: each scenario's flows are kaltura-mm's own, run through the adapter.

| scenario asks      | the client runs                                                        |
|--------------------|------------------------------------------------------------------------|
| upload one file    | ``upload`` (``client.upload``'s flow), or ``resume_upload(state)``     |
| upload many        | ``upload_many(paths, category=..., states=...)``                       |
| walk a category    | ``entries(category=...)`` (``client.entries``), every item kept       |
| detach/delete/add/move | ``detach``/``delete``/``add``/``move`` (``client.<verb>``'s flows)  |

What survives a kill is what the library persists, as a user's program would keep it: each
``UploadState`` handed to ``on_state`` goes to an ``UploadStateStore`` in the run's directory,
and a new process hands ``store.load(referenceId)`` back (``states=``); a file whose outcome
arrived is remembered as done (the CLI's journal does the same); the ids a delete batch had
sent (``Sending``) are deleted again with ``known_to_exist`` (the CLI's deletion log).
Files are real files in a per-run directory (in memory under ``/dev/shm`` where there is one).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from kaltura_mm.errors import ApiError, KalturaError
from kaltura_mm.flows.batch import EntryOutcome, Sending
from kaltura_mm.flows.entries import (
    add_to_category,
    delete_entries,
    detach_entries,
    move_entries,
)
from kaltura_mm.flows.listing import entries
from kaltura_mm.runtime import Machine
from kaltura_mm.store import UploadStateStore
from kaltura_mm.upload import (
    UploadOptions,
    UploadOutcome,
    UploadRequest,
    UploadState,
    resume_upload,
    upload,
    upload_many,
)
from kaltura_mm.upload.local_file import content_fingerprint
from kaltura_mm.upload.request import reference_id_for, token_names
from simulation.client.adapter import Adapter
from simulation.client.setup import ClientSetup
from simulation.job_workers import JobPlan, JobReport
from simulation.reference.upload import SourceFile
from simulation.world import World

_MEMORY = Path("/dev/shm")  # noqa: S108 - a per-run private directory, removed after the run
_CLIENT_LOG = logging.getLogger("kaltura_mm")
OnItem = Callable[[Any], None]


class _ToTrace(logging.Handler):
    """The client's log lines (its retries), into a replay's trace instead of stderr."""

    def __init__(self, world: World) -> None:
        super().__init__(logging.INFO)
        self.world = world

    def emit(self, record: logging.LogRecord) -> None:
        if self.world.trace is not None:
            now = self.world.clock.now() - self.world.net.started
            self.world.trace.append(f"{now:10.3f}s client: {record.getMessage()}")


class ClientDriver:
    """Hands out client processes; keeps what outlives one (files, saved states, journals)."""

    name = "client"

    def __init__(self) -> None:
        self.failures: list[str] = []  # flows that ended in an error (a finding, not a crash)
        self.done: dict[str, str] = {}  # file name -> entry id, once its outcome arrived
        self.sent_deletes: set[str] = set()
        self._root: Path | None = None
        self._setup: ClientSetup | None = None
        self._log: _ToTrace | None = None

    def process(self, world: World) -> ClientProcess:
        """Start a new process of the client."""
        if self._setup is None:
            self._setup = ClientSetup.draw(world)
            self._log = _ToTrace(world)
            _CLIENT_LOG.addHandler(self._log)
            _CLIENT_LOG.propagate = False  # seeds by the thousand: no retry lines on stderr
        return ClientProcess(self, world, self._setup)

    def deletes_at_once(self, world: World, parts: list[list[str]]) -> dict[str, str]:
        """Delete each part in a client process of its own, all at once, sharing one rate
        budget (``simulation.client.shared``); return entry id -> "ok" or what stopped it."""
        from simulation.client.shared import delete_in_processes

        if self._setup is None:
            self.process(world)  # draws the client's setup
        assert self._setup is not None
        results = delete_in_processes(world, self._setup, parts, self.root / "budget")
        return {k: v for outcomes in results for k, v in _outcomes(outcomes).items()}

    def run_job(self, world: World, plan: JobPlan) -> JobReport:
        """Run a job on many workers, one killed (``simulation.client.jobs``)."""
        from simulation.client.jobs import run_job  # it imports this module

        return run_job(self, world, plan)

    def upload_names(
        self, source: SourceFile, category: int | None
    ) -> tuple[str, Callable[[str], str]]:
        """Return the referenceId and the receipt name (of an entry id) kaltura-mm gives an
        upload of ``source`` into ``category``: what another user's run of the same upload
        left on the server carries the same (the names hash no session user)."""
        path = self.root / "files" / source.name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.data)
        request = UploadRequest(path=path, category_ids=() if category is None else (category,))
        fingerprint = content_fingerprint(path)
        reference_id = reference_id_for(request, fingerprint)
        return reference_id, token_names(request, fingerprint, reference_id).receipt

    @property
    def root(self) -> Path:
        """Return the run's directory (files and saved states), made on first use."""
        if self._root is None:
            parent = _MEMORY if _MEMORY.is_dir() else None
            self._root = Path(tempfile.mkdtemp(prefix="kmm-sim-", dir=parent))
        return self._root

    def close(self) -> None:
        """Remove the run's directory; stop taking the client's log lines."""
        if self._log is not None:
            _CLIENT_LOG.removeHandler(self._log)
            self._log = None
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


class ClientProcess:
    """One process of the client: a fresh runtime per flow, the driver's store on disk."""

    def __init__(self, driver: ClientDriver, world: World, setup: ClientSetup) -> None:
        self.driver, self.world, self.setup = driver, world, setup
        self.rng = world.stream(f"client-process-{world.net.process}")
        self.settings = setup.settings(world, self.rng)
        self.store = UploadStateStore(driver.root / "states")
        timeout = setup.config.timeouts.read
        self.adapter = Adapter(world.net, setup.config.service_url, timeout)

    def run(self, flow: Generator[Any, Any, Any], on_item: OnItem | None = None) -> Any:
        """Run ``flow`` on a fresh machine over the network; items (a stream) go to ``on_item``."""
        clock = self.world.clock.now
        streaming = on_item is not None
        machine = Machine(flow, self.settings, clock=clock, random=self.rng, streaming=streaming)
        return self.adapter.run(machine, on_item)

    # ---- uploads ---------------------------------------------------------------------------

    def upload(self, files: list[SourceFile], category: int | None) -> dict[str, str]:
        """Upload each file not done yet; return file name -> entry id of those that made it."""
        paths = {source.name: self._written(source) for source in files}
        todo = [s for s in files if s.name not in self.driver.done]
        if todo:
            categories = () if category is None else (category,)
            states = [self._saved(paths[s.name], categories) for s in todo]
            options = self.setup.options(todo[0])
            if len(files) == 1:
                self._one(paths[todo[0].name], categories, options, states[0])
            else:
                self._many([paths[s.name] for s in todo], categories, options, states)
        return {s.name: self.driver.done[s.name] for s in files if s.name in self.driver.done}

    def _one(
        self,
        path: Path,
        categories: tuple[int, ...],
        options: UploadOptions,
        state: UploadState | None,
    ) -> None:
        save = self.store.save
        if state is None:
            flow = upload(path, category=categories, options=options, on_state=save)
        else:
            flow = resume_upload(state, options, on_state=save)
        try:
            result = self.run(flow)
        except KalturaError as error:
            self._failed(path.name, error)
            return
        self.driver.done[path.name] = result.entry_id

    def _many(
        self,
        paths: list[Path],
        categories: tuple[int, ...],
        options: UploadOptions,
        states: list[UploadState | None],
    ) -> None:
        flow = upload_many(
            [str(p) for p in paths],
            options,
            self.setup.files_in_flight,
            on_state=self.store.save,
            category=categories,
            states=states,
            on_outcome=self._outcome,
        )
        self.run(flow)

    def _outcome(self, outcome: UploadOutcome) -> None:
        name = outcome.request.path.name
        if outcome.result is not None:
            self.driver.done[name] = outcome.result.entry_id
        else:
            self._failed(name, outcome.error)

    def _failed(self, name: str, error: BaseException | None) -> None:
        text = str(error).replace(str(self.driver.root), "<run>")  # the same words every replay
        self.driver.failures.append(f"{name}: {type(error).__name__}: {text}")

    def _written(self, source: SourceFile) -> Path:
        path = self.driver.root / "files" / source.name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source.data)
        return path

    def _saved(self, path: Path, categories: tuple[int, ...]) -> UploadState | None:
        request = UploadRequest(path=path, category_ids=categories)
        return self.store.load(reference_id_for(request, content_fingerprint(path)))

    # ---- walks and batches -----------------------------------------------------------------

    def list_category(self, category: int) -> list[str]:
        """Walk the category with ``entries``; return every id handed out, repeats kept."""
        listed: list[str] = []
        self.run(entries(category=category), lambda entry: listed.append(entry.id or ""))
        return listed

    def batch(self, operation: str, ids: list[str], **categories: int) -> dict[str, str]:
        """Run one batch verb; return entry id -> "ok" or what stopped it."""
        if operation == "delete":
            return self._delete(ids)
        if operation == "detach":
            flow = detach_entries(ids, categories["category"])
        elif operation == "add":
            flow = add_to_category(ids, categories["category"])
        else:
            flow = move_entries(ids, categories["source"], categories["target"])
        return _outcomes(self.run(flow))

    def _delete(self, ids: list[str]) -> dict[str, str]:
        """Delete, streaming: ids a dead process had sent count as known to exist."""
        known = [i for i in ids if i in self.driver.sent_deletes]
        fresh = [i for i in ids if i not in self.driver.sent_deletes]
        landed: list[EntryOutcome] = []

        def take(item: Any) -> None:
            if isinstance(item, Sending):
                self.driver.sent_deletes.update(item.entry_ids)
            else:
                landed.append(item)

        for group, known_to_exist in ((known, True), (fresh, False)):
            if group:
                flow = delete_entries(group, known_to_exist=known_to_exist, stream=True)
                self.run(flow, take)
        return _outcomes(landed)


def _outcomes(outcomes: list[EntryOutcome]) -> dict[str, str]:
    return {o.entry_id: "ok" if o.ok else _why(o.error) for o in outcomes}


def _why(error: KalturaError | None) -> str:
    if isinstance(error, ApiError):
        return error.code
    return type(error).__name__
