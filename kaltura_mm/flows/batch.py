"""The batch engine: apply one per-entry action to many entries in multiRequests, at a pace the
server accepts, with one outcome per entry.

Rules it keeps:

1. Calls go in multiRequests of ``Pace.batch_size``, at most ``Pace.parallel`` in flight.
2. An item answered ``ACTION_BLOCKED`` (or a whole batch answered 429, 5xx or no answer) is sent
   again, and only those items. An item blocked ``max_attempts`` times fails with the server's
   error.
3. What an answer means for an item (done, already done, failed, send again) is the operation's
   own ``classify``; a batch with no usable answer marks its items "may have run" for it.

Pacing. Until the first throttled answer everything goes as fast as ``parallel`` allows. After a
throttled answer nothing is sent until every batch of that burst is answered, then one window
(1 s) passes. The rate (items/second) is a search between two remembered rates:

- the first time, the items that ran in the burst are the estimate (they ran in one window);
- ``clean`` is the highest rate that ran clean, ``blocked`` the lowest that was throttled;
- after a throttle at rate r above ``clean``: ``blocked = r`` and the rate falls back to
  ``clean``; at or below ``clean`` (the limit dropped) the rate is cut by 30% and ``clean``
  forgotten;
- after ``PROBE_SECONDS`` worth of clean items the rate steps up: half way to ``blocked`` (at
  least one item), or by 10% (at least one) while nothing is blocked; when the next step would
  reach ``blocked`` the rate is found, and ``blocked`` is only forgotten (to look for a raised
  limit) after ``REPROBE_SECONDS`` clean;
- the rate never exceeds ``Pace.max_rate``; answers to batches sent before the last slow-down are
  not counted.

A rate r means at most ``floor(r)`` items in any window of ``THROTTLE_WINDOW * (1 + SLACK)``
seconds (one item per ``1/r`` windows below 1/s): batches of about a tenth of that are spread over
the window, and a log of what was sent holds a batch back until the window has room for it. The
log's clock only counts the flow's own sleeps, which real time never runs behind, so the real
rate can only be lower; ``SLACK`` covers requests reaching the server a few ms apart from when
they were sent.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any, Literal, TypeAlias, TypeVar, cast

import attrs

from kaltura_mm.errors import (
    ConfigError,
    KalturaError,
    ResponseError,
    TransportError,
    is_throttle,
)
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime.effects import Effect, Emit, Flow, NextDone, Sleep, Start

T = TypeVar("T")
Status = Literal["done", "already_done", "failed", "would_change"]
RETRY = "retry"  # what ``classify`` returns for an item to send again
THROTTLE_WINDOW = 1.0  # seconds a rate limiter remembers calls (a guess: Kaltura's is unpublished)
SLACK = 0.05  # widen the window by 5%: requests reach the server some ms apart from their sending
SPREAD = 10  # a window's items go in up to this many batches, spread over the window
PROBE_SECONDS = 2.0  # clean seconds before stepping the rate up
REPROBE_SECONDS = 30.0  # clean seconds at the found rate before looking for a raised limit


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
    clean: float | None = None  # the highest rate that ran clean
    blocked: float | None = None  # the lowest rate that was throttled
    streak: int = 0  # items that ran clean since the rate last changed

    @property
    def limit(self) -> float | None:
        """Return the items/second to keep to now, or None for as fast as possible."""
        rates = [r for r in (self.rate, self.max_rate) if r is not None]
        return min(rates) if rates else None

    def window(self) -> tuple[int, float] | None:
        """Return (items, seconds): at most that many items in any such window, or None."""
        limit = self.limit
        if limit is None:
            return None
        if limit >= 1:
            return int(limit), THROTTLE_WINDOW * (1 + SLACK)
        return 1, THROTTLE_WINDOW * (1 + SLACK) / limit

    def next_batch_size(self) -> int:
        """Return how many items the next batch takes (about a tenth of a window's worth)."""
        window = self.window()
        if window is None:
            return self.batch_size
        return max(1, min(self.batch_size, math.ceil(window[0] / SPREAD)))

    def gap(self, items: int) -> float:
        """Return the pause after sending ``items`` items that spreads them over the window."""
        window = self.window()
        return 0.0 if window is None else window[1] * items / window[0]

    def slowed(self, passed: int) -> Pace:
        """Return the pace after a throttled answer; ``passed`` items ran since the last change."""
        step = {"generation": self.generation + 1, "streak": 0}
        limit = self.limit
        if self.rate is None or limit is None:  # the first burst estimates the allowance
            rate = float(passed) if passed else max(1.0, self.batch_size / 2)
            return attrs.evolve(self, rate=rate, **step)
        if self.clean is not None and self.clean < limit:  # a step up was too far: step back
            return attrs.evolve(self, rate=self.clean, blocked=limit, **step)
        # throttled at a rate that ran clean before: the limit dropped, search again from lower
        rate = max(1.0, float(math.floor(limit * 0.7)))
        return attrs.evolve(self, rate=rate, clean=None, blocked=limit, **step)

    def sped_up(self, items: int) -> Pace:
        """Return the pace after ``items`` items ran clean: maybe one step up, to the ceiling."""
        limit = self.limit
        if self.rate is None or limit is None:
            return self
        clean = max(self.clean or 0.0, limit)
        streak = self.streak + items
        blocked = self.blocked
        if blocked is not None and limit + 1 >= blocked:  # found: look again only after a while
            if streak < REPROBE_SECONDS * limit:
                return attrs.evolve(self, clean=clean, streak=streak)
            blocked = None
        if streak < PROBE_SECONDS * limit:
            return attrs.evolve(self, clean=clean, streak=streak)
        if blocked is None:
            rate = max(limit * 1.1, limit + 1.0)
        else:
            rate = max(limit + 1.0, float(math.floor((limit + blocked) / 2)))
        if self.max_rate is not None:
            rate = min(rate, self.max_rate)
        return attrs.evolve(self, rate=rate, clean=clean, blocked=blocked, streak=0)


Classify = Callable[[str, Any, bool], "Status | str"]
OutcomeFilter = Callable[[EntryOutcome], bool]
"""Which outcomes a streaming batch ``Emit``s the moment they are final."""


@attrs.frozen
class Sending:
    """Emitted by a streaming batch just before ``entry_ids`` go to the server.

    Between this and their outcomes the entries may have been changed without the caller
    hearing of it (the process may be stopped): a caller that records ``Sending`` can tell a
    later run so.
    """

    entry_ids: tuple[str, ...]


Progress: TypeAlias = EntryOutcome | Sending
"""What a streaming batch emits: each batch before it goes, each outcome once final."""
Emitting: TypeAlias = Generator[Effect | Emit[Progress], Any, T]
"""A batch flow that may emit ``Progress`` (when asked to stream) and returns ``T``."""


@attrs.frozen
class Operation:
    """One per-entry action: the call to send and how to read each answer."""

    build: Callable[[str], Call[Any]]
    classify: Classify


def _unanswered(error: KalturaError) -> bool:
    """Return whether a whole batch got no usable answer (it may or may not have run)."""
    return isinstance(error, TransportError) or (
        isinstance(error, ResponseError) and error.status >= 500
    )


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


@attrs.define
class _SendLog:
    """What was sent when, on a clock of the flow's own sleeps (real time never runs behind it)."""

    clock: float = 0.0
    sends: deque[tuple[float, int]] = attrs.field(factory=deque)

    def slept(self, seconds: float) -> float:
        """Advance the clock by a sleep of ``seconds``; return ``seconds``."""
        self.clock += seconds
        return seconds

    def record(self, items: int) -> None:
        """Note ``items`` sent now."""
        self.sends.append((self.clock, items))

    def wait(self, items: int, window: tuple[int, float] | None) -> float:
        """Return the seconds until the last ``window`` holds room for ``items`` more items."""
        if window is None:
            return 0.0
        allowed, seconds = window
        while self.sends and self.clock - self.sends[0][0] >= seconds:
            self.sends.popleft()
        held = sum(n for _, n in self.sends)
        until = self.clock
        for at, n in self.sends:
            if held + items <= allowed:
                break
            held -= n
            until = at + seconds
        return until - self.clock


def run_batches(
    entry_ids: Sequence[str],
    op: Operation,
    pace: Pace,
    known: frozenset[str] = frozenset(),
    stream: OutcomeFilter | None = None,
) -> Emitting[dict[str, EntryOutcome]]:
    """Apply ``op`` to every entry in multiRequests; return each entry's outcome.

    ``known`` are entries known to have existed (an answer "not found" then means done). With
    ``stream``, ``Sending(ids)`` is emitted before each batch goes, and every outcome ``stream``
    accepts as soon as it is final (``client.iterate`` hands them over as they land).
    """
    pending = deque(entry_ids)
    ledger = _Ledger(maybe_ran=set(known))
    flying: dict[int, tuple[list[str], int]] = {}
    sent = _SendLog()
    tags = passed = 0
    hold = False  # throttled: send nothing until this burst's batches are all answered
    while pending or flying:
        while pending and len(flying) < pace.parallel and not hold:
            size = min(pace.next_batch_size(), len(pending))
            if wait := sent.wait(size, pace.window()):
                yield Sleep(sent.slept(wait))
            batch = [pending.popleft() for _ in range(size)]
            request = MultiRequest()
            for entry_id in batch:
                request.add(op.build(entry_id))
            tags += 1
            flying[tags] = (batch, pace.generation)
            sent.record(size)
            if stream is not None:
                yield Emit(Sending(tuple(batch)))
            yield Start(tags, request)
            if gap := pace.gap(size):
                yield Sleep(sent.slept(gap))
        tag, answer = yield NextDone()
        batch, generation = flying.pop(tag)
        retry, throttled = _settle(batch, answer, op, ledger)
        pending.extend(e for e, err in retry if ledger.again(e, err, pace.max_attempts))
        if stream is not None:
            for entry_id in batch:
                final = ledger.results.get(entry_id)  # set once, when the entry is settled
                if final is not None and stream(final):
                    yield Emit(final)
        if generation == pace.generation:
            passed += len(batch) - len(retry)
            hold = hold or throttled
        if hold and all(g != pace.generation for _, g in flying.values()):
            pace, passed, hold = pace.slowed(passed), 0, False
            # the burst filled the server's window: let it pass
            yield Sleep(sent.slept(THROTTLE_WINDOW))
        elif retry and not throttled:  # no usable answer: back off before sending again
            yield Sleep(sent.slept(min(0.25 * 2 ** ledger.attempts.get(retry[0][0], 1), 8.0)))
        elif not retry and generation == pace.generation:
            pace = pace.sped_up(len(batch))
    return {entry_id: ledger.results[entry_id] for entry_id in entry_ids}


def settle_all(
    entry_ids: Sequence[str], op: Operation, pace: Pace, known: frozenset[str] = frozenset()
) -> Flow[dict[str, EntryOutcome]]:
    """``run_batches`` without streaming: it emits nothing, so it is a plain flow."""
    return cast("Flow[dict[str, EntryOutcome]]", run_batches(entry_ids, op, pace, known))


def _settle(
    batch: list[str], answer: Any, op: Operation, ledger: _Ledger
) -> tuple[list[tuple[str, KalturaError | None]], bool]:
    """Record one answered batch; return the items to send again (with why) and if throttled."""
    if isinstance(answer, KalturaError):
        if is_throttle(answer):
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
        if verdict == RETRY:
            retry.append((entry_id, error))
        else:
            ledger.results[entry_id] = EntryOutcome(entry_id, verdict, error)  # type: ignore[arg-type]
    return retry, bool(retry)
