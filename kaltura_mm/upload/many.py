"""Upload many files at once: ``upload_many``.

Every file is read for its identity, and what each one already made is looked up in a few
batched token lists (one per distinct file size, exact; each file would otherwise ask alone),
the categories checked once for the whole batch in the first of those requests; then each file
runs ``upload_file``'s flow (files of one part up to ``max_requests_in_flight`` at once, one
request each; files of several parts ``max_files_in_flight`` at a time), and one file's failure
stops no other. A file listed twice for the same target is uploaded once; two files of the same
identity (the same content, name and target in two folders) run one after the other, so the
second finds the first's entry.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs

from kaltura_mm.errors import (
    ConfigError,
    KalturaError,
    UploadCancelledError,
)
from kaltura_mm.refs import CategoryOrPath
from kaltura_mm.runtime.effects import Flow, Now
from kaltura_mm.upload.create import unknown_categories_error
from kaltura_mm.upload.in_flight import InFlight, is_one_part, run_files
from kaltura_mm.upload.job import (
    CancelSignal,
    Hooks,
    Job,
    Meter,
    OnProgress,
    OnState,
    Reporter,
    SessionFacts,
)
from kaltura_mm.upload.one import (
    category_ids,
    request_for,
    upload_prepared,
)
from kaltura_mm.upload.permissions_needed import (
    UploadNeeds,
    first_missing,
    refused_before_create,
)
from kaltura_mm.upload.prepare import prepare
from kaltura_mm.upload.recover import LookupFindings
from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
from kaltura_mm.upload.result import UploadOutcome, UploadProgress, UploadResult
from kaltura_mm.upload.run_checks import RunChecks, look_up
from kaltura_mm.upload.unmark import Unmarks


class _Totals:
    """Adds per-file progress into a throttled total, passing per-file reports through."""

    def __init__(self, sizes: list[int], callback: OnProgress, meter: Meter) -> None:
        self.sizes = sizes
        self.done = [0] * len(sizes)
        self.bytes_done = 0  # sum(self.done), kept as it changes: a report costs O(1), not O(files)
        self.finished = [False] * len(sizes)
        self.files_done = 0
        self.callback = callback
        self.meter = meter

    def for_file(self, index: int) -> Reporter:
        def report(progress: UploadProgress, now: float) -> None:
            self.callback(progress)
            self.bytes_done += progress.bytes_done - self.done[index]
            self.done[index] = progress.bytes_done
            finished = progress.bytes_done >= self.sizes[index] > 0
            if finished != self.finished[index]:
                self.finished[index] = finished
                self.files_done += 1 if finished else -1
            self.report(now, force=self.files_done == len(self.sizes))

        return report

    def report(self, now: float, *, force: bool = False) -> None:
        """Report the total (``path`` None) if it is time, or ``force``."""
        self.meter, total = self.meter.report(self.bytes_done, now, force=force)
        if total is not None:
            self.callback(
                attrs.evolve(total, files_done=self.files_done, files_total=len(self.sizes))
            )


def _size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


OnStart = Callable[[UploadRequest], None]
OnOutcome = Callable[[UploadOutcome], None]


@attrs.frozen
class _Turns:
    """What each file's turn reports: its start and its outcome; and whether to start at all."""

    cancel: CancelSignal | None = None
    on_start: OnStart | None = None
    on_outcome: OnOutcome | None = None
    unmarks: Unmarks = attrs.Factory(Unmarks)
    options: UploadOptions = attrs.Factory(UploadOptions)


def upload_many(
    requests: Sequence[UploadRequest | str | os.PathLike[str]],
    options: UploadOptions | None = None,
    max_files_in_flight: int = 4,
    on_state: OnState | None = None,
    on_progress: OnProgress | None = None,
    cancel: CancelSignal | None = None,
    *,
    category: CategoryOrPath | Sequence[CategoryOrPath] = (),
    states: Sequence[UploadState | None] | None = None,
    on_start: OnStart | None = None,
    on_outcome: OnOutcome | None = None,
    categories_checked: bool = False,
    max_requests_in_flight: int | None = None,
) -> Flow[list[UploadOutcome]]:
    """Upload many files at once; one file's failure stops no other.

    ``max_requests_in_flight`` is the batch's requests in flight (default
    ``max_files_in_flight`` x ``options.concurrency``, 24 at the defaults). A file of one part is
    one request, so up to that many of them run at once; files of several parts run
    ``max_files_in_flight`` at a time, ``options.concurrency`` chunks each. The client's
    ``max_concurrency`` caps the requests of both together.

    ``requests`` are paths or ``UploadRequest``s; ``category`` (ids or full paths) is added to
    each. ``on_progress`` hears each file (``path`` set) and the total (``path`` None).
    ``states`` (one per request, None for a fresh upload) resumes saved uploads as
    ``resume_upload`` does. ``on_start`` hears a file when its turn comes, ``on_outcome`` as
    soon as it ends. Once ``cancel`` is set no file starts: those left end in
    ``UploadCancelledError`` with nothing sent. ``categories_checked`` skips the check that the
    categories exist, for a caller that has just read them itself (as ``upload_file``'s).
    """
    options = options or UploadOptions()
    added = yield from category_ids(category)
    asked = [request_for(r, added) for r in requests]
    wanted = tuple(sorted({c for r in asked for c in r.category_ids}))
    now = yield Now()
    totals = None
    if on_progress is not None:
        sizes = [_size_of(r.path) for r in asked]
        totals = _Totals(sizes, on_progress, Meter(sum(sizes), options.progress_interval, now))
    first_of = _first_listing(asked)
    jobs: list[Job | Exception] = []
    for i, r in enumerate(asked):
        hooks = Hooks(on_state, None, cancel)
        jobs.append((yield from _prepared(r, i, options, states, hooks, totals, now)))
    facts = SessionFacts()  # what the first create learns of the session, every file knows
    facts.unmarks.carry = True  # decided markers ride later requests, outcomes held till then
    jobs = [attrs.evolve(j, facts=facts) if isinstance(j, Job) else j for j in jobs]
    later = _same_identity_later(jobs)
    # the category check and the session's permissions ride the first lookup request
    found, checks = yield from look_up(
        jobs, first_of, later, options, () if categories_checked else wanted, facts.seen
    )
    turns = _Turns(cancel, on_start, on_outcome, facts.unmarks, options)
    flows = [
        _turn(
            asked[i],
            _one(job, checks, found[i])
            if first_of[i] == i
            else _listed_twice(asked[i], first_of[i]),
            turns,
            first_of[i] == i and creates_first(job, found[i]),
        )
        for i, job in enumerate(jobs)
    ]
    facts.unmarks.unstarted = len(flows)
    limits = InFlight.of(max_files_in_flight, options, max_requests_in_flight)
    one_part = [not isinstance(j, Job) or is_one_part(j.state) for j in jobs]
    firsts = [i for i in range(len(flows)) if i not in later]
    ended = yield from run_files(flows, firsts, one_part, limits, _ends_one_file)
    if later:  # they find what the first of their identity made
        again = yield from run_files(flows, sorted(later), one_part, limits, _ends_one_file)
        by_index = dict(zip(firsts + sorted(later), [*ended, *again], strict=True))
        ended = [by_index[i] for i in range(len(flows))]
    yield from facts.unmarks.flush(options)  # the markers no create carried: one request
    if totals is not None:
        totals.report((yield Now()), force=True)
    return [_outcome(request, result) for request, result in zip(asked, ended, strict=True)]


def _same_identity_later(jobs: list[Job | Exception]) -> set[int]:
    """Return the jobs sharing an identity (referenceId) with an earlier one."""
    seen: set[str] = set()
    later = set()
    for index, job in enumerate(jobs):
        if isinstance(job, Job):
            if job.state.reference_id in seen:
                later.add(index)
            seen.add(job.state.reference_id)
    return later


def _prepared(
    request: UploadRequest,
    index: int,
    options: UploadOptions,
    states: Sequence[UploadState | None] | None,
    hooks: Hooks,
    totals: _Totals | None,
    now: float,
) -> Flow[Job | Exception]:
    """Return the job of one file, or the error that is its outcome once its turn comes."""
    saved = states[index] if states is not None else None
    if saved is not None:  # the saved upload of this request's file, wherever it lies now
        saved = attrs.evolve(saved, request=request)
    if totals is not None:
        hooks = attrs.evolve(hooks, on_progress=totals.for_file(index))
    try:
        job: Job = yield from prepare(request, _for(options, saved), saved, hooks, now)
    except (KalturaError, OSError) as exc:
        return exc
    return job


def _first_listing(requests: Sequence[UploadRequest]) -> list[int]:
    """Map each request to the first one that uploads the same file to the same target.

    Two such requests would share one referenceId, and each would take the other's half-made
    entry for a leftover of its own; only the first runs.
    """
    seen: dict[tuple[object, ...], int] = {}
    first = []
    for index, r in enumerate(requests):
        key = (r.path.resolve(), tuple(sorted(r.category_ids)), r.reference_id)
        first.append(seen.setdefault(key, index))
    return first


def _listed_twice(request: UploadRequest, first: int) -> Flow[UploadResult]:
    raise ConfigError(
        f"{request.path} is listed twice for the same categories (first at position {first + 1}):"
        " it is uploaded once"
    )
    yield  # a generator, so the error is this file's outcome, not the batch's


def _one(
    job: Job | Exception, checks: RunChecks, found: LookupFindings | None
) -> Flow[UploadResult]:
    if isinstance(job, Exception):
        raise job
    unknown = checks.missing & set(job.request.category_ids)
    if unknown:
        raise unknown_categories_error(set(unknown))
    if not job.state.entry_id and not (found and found.entries):  # it would make an entry
        needs = UploadNeeds(bool(job.request.category_ids), job.options.require_reference_id)
        lacking = first_missing(checks.held, needs)
        if lacking is not None:
            raise refused_before_create(job, *lacking)
    return (yield from upload_prepared(job, True, found))


def _for(options: UploadOptions, saved: UploadState | None) -> UploadOptions:
    """Return the options a saved upload resumes with: its own chunking, as it was planned."""
    if saved is None:
        return options
    return attrs.evolve(options, chunk_size=saved.chunk_size, edge_size=saved.edge_size)


def _turn(
    request: UploadRequest, flow: Flow[UploadResult], turns: _Turns, carries: bool
) -> Flow[UploadResult]:
    """Run one file's flow when its turn comes, unless cancelled first; report start and end.

    ``carries``: its first request is a create, which carries the markers decided before.
    """
    turns.unmarks.unstarted -= 1
    try:
        if not carries or turns.unmarks.due((yield Now())):  # else they ride its create
            yield from turns.unmarks.flush(turns.options)
        if turns.cancel is not None and turns.cancel.is_set():
            raise UploadCancelledError(
                f"the upload of {request.path} was not started: the batch was cancelled first"
            )
        if turns.on_start is not None:
            turns.on_start(request)
        result = yield from flow
        if turns.unmarks.unstarted == 0:  # no later turn carries its marker
            yield from turns.unmarks.settle_last(result.reference_id, turns.options)
    except (KalturaError, OSError) as exc:
        if turns.on_outcome is not None:
            turns.on_outcome(_outcome(request, exc))
        raise
    if turns.on_outcome is not None:  # once its marker is gone (``kaltura_mm.upload.unmark``)
        said = UploadOutcome(request=request, result=result)
        turns.unmarks.hold(result.reference_id, functools.partial(turns.on_outcome, said))
    return result


def creates_first(job: Job | Exception, found: LookupFindings | None) -> bool:
    """Return whether a file's first request is a create (it carries the decided markers): a
    fresh upload whose lookup found nothing under its names."""
    if not isinstance(job, Job) or job.state.entry_id is not None or found is None:
        return False
    return not (found.entries or found.receipts or found.markers)


def _ends_one_file(error: BaseException) -> bool:
    return isinstance(error, KalturaError | OSError)


def _outcome(request: UploadRequest, ended: object) -> UploadOutcome:
    if isinstance(ended, UploadResult):
        return UploadOutcome(request=request, result=ended)
    if isinstance(ended, KalturaError):
        return UploadOutcome(request=request, error=ended)
    return UploadOutcome(request=request, error=ConfigError(f"{request.path}: {ended}"))
