"""Get, detach, delete, add and move entries in batches, with a per-entry outcome for each.

Rules the batch engine keeps:

1. Calls go in multiRequests of ``Pace.batch_size``, at most ``Pace.parallel`` in flight.
2. An item answered ``ACTION_BLOCKED`` (or a whole batch answered 429, 5xx or no answer) is sent
   again, and only those items. After a throttled answer nothing is sent until every batch of
   that burst is answered; then the first time, the items that ran in the burst set an adaptive
   rate (items/second), later a throttle cuts it by 30%; clean batches raise it by 10%; it never
   exceeds ``Pace.max_rate``. Answers to batches sent before the last slow-down are not counted.
   An item blocked ``max_attempts`` times fails with the server's error.
3. Idempotent outcomes: ``ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY`` on detach and
   ``CATEGORY_ENTRY_ALREADY_EXISTS`` on add are "already_done"; ``ENTRY_ID_NOT_FOUND`` on delete is
   "already_done" when the entry is known to have existed (listed by ``delete_where``) or an
   earlier attempt may have reached the server, else "failed" (the id may never have existed).
   Detach checks the entries it found not assigned: a missing entry is "failed", not "done".
4. Move adds to the target first and detaches from the source only the entries now in the
   target, so an entry is never left in neither category.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import attrs

from kaltura_mm.errors import (
    ActionBlockedError,
    CategoryEntryExistsError,
    ConfigError,
    EntryNotFoundError,
    EntryNotInCategoryError,
    KalturaError,
    ResponseError,
    TransportError,
)
from kaltura_mm.flows.effects import Emit, Flow, NextDone, Sleep, Start
from kaltura_mm.flows.listing import EntryQuery, Keyset
from kaltura_mm.models import BaseEntry
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.services import base_entry, category, category_entry

Status = Literal["done", "already_done", "failed", "would_change"]
_RETRY = "retry"
GET_CHUNK = 500  # ids per getByIds call
THROTTLE_WINDOW = 1.0  # seconds a rate limiter remembers calls (a guess: Kaltura's is unpublished)


@attrs.frozen
class EntryOutcome:
    """What happened to one entry: ``done``, ``already_done``, ``failed`` (and why), or
    ``would_change`` in a dry run."""

    entry_id: str
    status: Status
    error: KalturaError | None = None

    @property
    def ok(self) -> bool:
        """Return whether the entry ended in the wanted state (or would, in a dry run)."""
        return self.status != "failed"


def _positive(_: Any, attribute: Any, value: float | None) -> None:
    if value is not None and value <= 0:
        raise ConfigError(f"Pace.{attribute.name} must be positive, got {value}")


@attrs.frozen(kw_only=True)
class Pace:
    """How batches are sent: size, how many in flight, a rate ceiling and the adaptive rate."""

    # From the benchmark sweep (2,000 detaches + 2,000 deletes at 50 ms): 50 -> 2.3 s, 100 -> 1.4 s,
    # 200 -> 1.2 s. 100, not 200: a real server runs sub-requests one after another, so a batch's
    # time grows with its size, and throttling adapts in coarser steps with bigger batches.
    batch_size: int = attrs.field(default=100, validator=_positive)
    parallel: int = attrs.field(default=4, validator=_positive)
    max_rate: float | None = attrs.field(default=None, validator=_positive)
    rate: float | None = None
    max_attempts: int = attrs.field(default=10, validator=_positive)
    generation: int = 0

    @property
    def limit(self) -> float | None:
        """Return the items/second to keep to now, or None for as fast as possible."""
        rates = [r for r in (self.rate, self.max_rate) if r is not None]
        return min(rates) if rates else None

    def next_batch_size(self) -> int:
        """Return how many items the next batch takes (no more than a second's worth)."""
        limit = self.limit
        return self.batch_size if limit is None else max(1, min(self.batch_size, int(limit)))

    def gap(self, items: int) -> float:
        """Return the pause after sending ``items`` items that keeps to the rate."""
        limit = self.limit
        # 10% slack: a batch runs as one burst, and when the server sees it varies by some ms.
        return 0.0 if limit is None else 1.1 * items / limit

    def slowed(self, passed: int) -> Pace:
        """Return the pace after a throttled answer; ``passed`` items ran since the last change.

        The first time, what ran in that burst estimates the server's allowance per second;
        afterwards the rate drops by 30%.
        """
        if self.rate is None:
            rate = float(passed) if passed else max(1.0, self.batch_size / 2)
        else:
            rate = max(1.0, self.rate * 0.7)
        return attrs.evolve(self, rate=rate, generation=self.generation + 1)

    def sped_up(self) -> Pace:
        """Return the pace after a clean batch: 10% faster (at least one item), to the ceiling."""
        if self.rate is None:
            return self
        rate = max(self.rate * 1.1, self.rate + 1.0)
        if self.max_rate is not None:
            rate = min(rate, self.max_rate)
        return attrs.evolve(self, rate=rate)


Classify = Callable[[str, Any, bool], "Status | str"]


@attrs.frozen
class Operation:
    """One per-entry action: the call to send and how to read each answer."""

    build: Callable[[str], Call[Any]]
    classify: Classify


def _throttled(error: KalturaError) -> bool:
    return isinstance(error, ActionBlockedError) or (
        isinstance(error, ResponseError) and error.status == 429
    )


def _unanswered(error: KalturaError) -> bool:
    """Return whether a whole batch got no usable answer (it may or may not have run)."""
    return isinstance(error, TransportError) or (
        isinstance(error, ResponseError) and error.status >= 500
    )


def _unique(entry_ids: Iterable[str]) -> list[str]:
    if isinstance(entry_ids, str):
        raise ConfigError(
            f"entry_ids must be a list of ids such as ['0_abc12345'], got {entry_ids!r}"
        )
    ids = list(dict.fromkeys(entry_ids))
    bad = [i for i in ids if not isinstance(i, str) or not i.strip()]
    if bad:
        raise ConfigError(
            f"entry ids must be non-empty strings such as '0_abc12345', got {bad[:3]}"
        )
    return ids


@attrs.define
class _Ledger:
    """The engine's bookkeeping: outcomes so far, attempts, entries that may have run."""

    results: dict[str, EntryOutcome] = attrs.field(factory=dict)
    attempts: dict[str, int] = attrs.field(factory=dict)
    maybe_ran: set[str] = attrs.field(factory=set)

    def again(self, entry_id: str, error: KalturaError | None, max_attempts: int) -> bool:
        """Count one more try of ``entry_id``; record it failed and return False past the limit."""
        self.attempts[entry_id] = self.attempts.get(entry_id, 0) + 1
        if self.attempts[entry_id] < max_attempts:
            return True
        self.results[entry_id] = EntryOutcome(entry_id, "failed", error)
        return False


def run_batches(
    entry_ids: Sequence[str], op: Operation, pace: Pace, known: frozenset[str] = frozenset()
) -> Flow[dict[str, EntryOutcome]]:
    """Apply ``op`` to every entry in multiRequests; return each entry's outcome.

    ``known`` are entries known to have existed (an answer "not found" then means done).
    """
    pending = deque(entry_ids)
    ledger = _Ledger(maybe_ran=set(known))
    flying: dict[int, tuple[list[str], int]] = {}
    tags = passed = 0
    hold = False  # throttled: send nothing until this burst's batches are all answered
    while pending or flying:
        while pending and len(flying) < pace.parallel and not hold:
            batch = [pending.popleft() for _ in range(min(pace.next_batch_size(), len(pending)))]
            request = MultiRequest()
            for entry_id in batch:
                request.add(op.build(entry_id))
            tags += 1
            flying[tags] = (batch, pace.generation)
            yield Start(tags, request)
            if pace.gap(len(batch)):
                yield Sleep(pace.gap(len(batch)))
        tag, answer = yield NextDone()
        batch, generation = flying.pop(tag)
        retry, throttled = _settle(batch, answer, op, ledger)
        pending.extend(e for e, err in retry if ledger.again(e, err, pace.max_attempts))
        if generation == pace.generation:
            passed += len(batch) - len(retry)
            hold = hold or throttled
        if hold and all(g != pace.generation for _, g in flying.values()):
            pace, passed, hold = pace.slowed(passed), 0, False
            yield Sleep(THROTTLE_WINDOW)  # the burst filled the server's window: let it pass
        elif retry and not throttled:  # no usable answer: back off before sending again
            yield Sleep(min(0.25 * 2 ** ledger.attempts.get(retry[0][0], 1), 8.0))
        elif not retry:
            pace = pace.sped_up()
    return {entry_id: ledger.results[entry_id] for entry_id in entry_ids}


def _settle(
    batch: list[str], answer: Any, op: Operation, ledger: _Ledger
) -> tuple[list[tuple[str, KalturaError | None]], bool]:
    """Record one answered batch; return the items to send again (with why) and if throttled."""
    if isinstance(answer, KalturaError):
        if _throttled(answer):
            return [(e, answer) for e in batch], True
        if _unanswered(answer):
            ledger.maybe_ran.update(batch)
            return [(e, answer) for e in batch], False
        ledger.results.update({e: EntryOutcome(e, "failed", answer) for e in batch})
        return [], False
    retry: list[tuple[str, KalturaError | None]] = []
    for entry_id, outcome in zip(batch, answer.outcomes, strict=True):
        verdict = op.classify(entry_id, outcome, entry_id in ledger.maybe_ran)
        error = outcome if isinstance(outcome, KalturaError) else None
        if verdict == _RETRY:
            retry.append((entry_id, error))
        else:
            ledger.results[entry_id] = EntryOutcome(entry_id, verdict, error)  # type: ignore[arg-type]
    return retry, bool(retry)


def _common(outcome: Any) -> str | None:
    if isinstance(outcome, ActionBlockedError):
        return _RETRY
    if not isinstance(outcome, KalturaError):
        return "done"
    return None


def _classify_detach(_: str, outcome: Any, __: bool) -> str:
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, EntryNotInCategoryError) else "failed"


def _classify_delete(_: str, outcome: Any, maybe_ran: bool) -> str:
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, EntryNotFoundError) and maybe_ran else "failed"


def _classify_add(_: str, outcome: Any, __: bool) -> str:
    common = _common(outcome)
    if common:
        return common
    return "already_done" if isinstance(outcome, CategoryEntryExistsError) else "failed"


def _delete_call(entry_id: str) -> Call[None]:
    # Marked not idempotent so that the client hands an unanswered batch back to the engine
    # instead of re-sending it: only the engine knows that a later "not found" then means done.
    return attrs.evolve(base_entry.delete(entry_id), idempotent=False)


# ---- get ---------------------------------------------------------------------------------------


def get_entry(entry_id: str) -> Flow[BaseEntry]:
    """Return one entry, typed by kind (``EntryNotFoundError`` if missing or deleted)."""
    entry: BaseEntry = yield base_entry.get(entry_id)
    return entry


def get_entries(entry_ids: Iterable[str]) -> Flow[dict[str, BaseEntry]]:
    """Return the entries that exist among ``entry_ids``, by id in the order asked.

    One multiRequest of ``getByIds`` calls of up to 500 ids; missing ids are simply absent.
    """
    ids = _unique(entry_ids)
    if not ids:
        return {}
    request = MultiRequest()
    refs = [
        request.add(base_entry.get_by_ids(ids[i : i + GET_CHUNK]))
        for i in range(0, len(ids), GET_CHUNK)
    ]
    answer: MultiResponse = yield request
    found: dict[str, BaseEntry] = {}
    for ref in refs:
        for entry in answer[ref]:
            if entry.id:
                found[entry.id] = entry
    return {i: found[i] for i in ids if i in found}


# ---- detach, delete, add, move -----------------------------------------------------------------


def detach_entries(
    entry_ids: Iterable[str], category_id: int, *, pace: Pace | None = None
) -> Flow[list[EntryOutcome]]:
    """Remove entries from a category (the entries stay); one outcome per distinct id."""
    ids = _unique(entry_ids)
    yield category.get(category_id)  # a missing category must not read as "already detached"
    op = Operation(lambda i: category_entry.delete(i, category_id), _classify_detach)
    results = yield from run_batches(ids, op, pace or Pace())
    unassigned = [i for i, r in results.items() if r.status == "already_done"]
    if unassigned:
        existing = yield from get_entries(unassigned)
        for entry_id in unassigned:
            if entry_id not in existing:
                error = EntryNotFoundError("ENTRY_ID_NOT_FOUND", f'Entry id "{entry_id}" not found')
                results[entry_id] = EntryOutcome(entry_id, "failed", error)
    return list(results.values())


def delete_entries(
    entry_ids: Iterable[str], *, pace: Pace | None = None, known_to_exist: bool = False
) -> Flow[list[EntryOutcome]]:
    """Delete entries; "not found" counts as already done only after a possible earlier try
    or when ``known_to_exist`` (the ids came from a listing)."""
    ids = _unique(entry_ids)
    op = Operation(_delete_call, _classify_delete)
    known = frozenset(ids) if known_to_exist else frozenset()
    results = yield from run_batches(ids, op, pace or Pace(), known)
    return list(results.values())


def add_to_category(
    entry_ids: Iterable[str], category_id: int, *, pace: Pace | None = None
) -> Flow[list[EntryOutcome]]:
    """Assign existing entries to a category; already assigned counts as done."""
    ids = _unique(entry_ids)
    yield category.get(category_id)
    op = Operation(lambda i: category_entry.add(i, category_id), _classify_add)
    results = yield from run_batches(ids, op, pace or Pace())
    return list(results.values())


def move_entries(
    entry_ids: Iterable[str], from_category: int, to_category: int, *, pace: Pace | None = None
) -> Flow[list[EntryOutcome]]:
    """Move entries between categories: add to the target, then detach from the source."""
    if from_category == to_category:
        raise ConfigError(f"moving from category {from_category} to itself changes nothing")
    added = yield from add_to_category(entry_ids, to_category, pace=pace)
    in_target = [o.entry_id for o in added if o.ok]
    detached = (
        yield from detach_entries(in_target, from_category, pace=pace) if in_target else _nothing()
    )
    by_id = {o.entry_id: o for o in detached}
    return [by_id.get(o.entry_id, o) if o.ok else o for o in added]


def _nothing() -> Flow[list[EntryOutcome]]:
    return []
    yield  # pragma: no cover - makes this a generator


# ---- by filter ---------------------------------------------------------------------------------


def detach_where(
    query: EntryQuery, *, dry_run: bool = False, pace: Pace | None = None
) -> Flow[list[EntryOutcome]]:
    """Detach every entry matching ``query`` from ``query.category_id``, page by page.

    Emits each page's outcomes as it goes; a dry run lists what would change and changes nothing.
    """
    if query.category_id is None or query.include_subcategories:
        raise ConfigError(
            "detach_where needs query.category_id (the category to detach from) and "
            "include_subcategories=False: entries of sub-categories are not assigned to it"
        )
    category_id = query.category_id
    op = Operation(lambda i: category_entry.delete(i, category_id), _classify_detach)
    return (yield from _where(query, op, dry_run, pace or Pace()))


def delete_where(
    query: EntryQuery, *, dry_run: bool = False, pace: Pace | None = None
) -> Flow[list[EntryOutcome]]:
    """Delete every entry matching ``query``, page by page (dry run: list what would go)."""
    op = Operation(_delete_call, _classify_delete)
    return (yield from _where(query, op, dry_run, pace or Pace()))


def _where(query: EntryQuery, op: Operation, dry_run: bool, pace: Pace) -> Flow[list[EntryOutcome]]:
    """Walk ``query`` with the keyset (stable while entries leave it) and apply ``op``."""
    cursor = Keyset.start(query)
    outcomes: list[EntryOutcome] = []
    while not cursor.done:
        page = yield cursor.request()
        cursor, fresh = cursor.advance(page)
        ids = [e.id for e in fresh if e.id]
        if dry_run:
            done = [EntryOutcome(i, "would_change") for i in ids]
        else:
            settled = yield from run_batches(ids, op, pace, frozenset(ids))
            done = list(settled.values())
        for outcome in done:
            yield Emit(outcome)
        outcomes.extend(done)
    return outcomes
