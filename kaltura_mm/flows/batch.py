"""The batch engine: apply one per-entry action to many entries in multiRequests, at a pace the
server accepts, with one outcome per entry.

Rules it keeps:

1. Calls go in multiRequests of at most ``Pace.batch_size``, at most ``Pace.parallel`` in flight.
2. An item answered ``ACTION_BLOCKED`` (or a whole batch answered 429, 5xx or no answer) is sent
   again, and only those, as often as the runtime says (``Backoff``: the run's
   ``RetryPolicy.throttled_attempts``, ``--retries``; ``Pace.max_attempts`` when a caller set
   it); then it fails with the server's error. A blocked item waits for the learned window
   (below), an item with no usable answer for the runtime's backoff.
3. What an answer means for an item (done, already done, failed, send again) is the operation's
   own ``classify``; a batch with no usable answer marks its items "may have run" for it.

Pacing. The items go in *steps* that ``kaltura_mm.flows.pacing`` decides from what the server's
rate limiter did so far (its rules: rounds doubling until something is blocked, then the window's
length and allowance learned from when blocks start and stop, and each window's allowance spent
at its start; the limit the processes sharing a rate budget learned, when there is one). A
step's items are all answered before the next step goes. ``Pace.max_rate`` is
a ceiling kept apart: at most ``floor(max_rate)`` items in any window of ``THROTTLE_WINDOW * (1 +
SLACK)`` seconds, spread in batches of about a tenth of that, a log of what was sent holding a
batch back until the window has room for it (the log's clock only counts the flow's own sleeps,
which real time never runs behind, so the real rate can only be lower).
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
)
from kaltura_mm.flows.pacing import Learner
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.runtime.effects import (
    Backoff,
    Effect,
    Emit,
    Flow,
    NextDone,
    Now,
    SharedLimit,
    Sleep,
    Start,
)
from kaltura_mm.runtime.throttle import is_blocked

T = TypeVar("T")
Status = Literal["done", "already_done", "failed", "would_change"]
RETRY = "retry"  # what ``classify`` returns for an item to send again
THROTTLE_WINDOW = 1.0  # seconds a ceiling (``max_rate``) is counted over
SLACK = 0.05  # widen it by 5%: requests reach the server some ms apart from their sending
SPREAD = 10  # a window's items go in up to this many batches, spread over the window


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
    """How batches are sent: size, how many in flight, a rate ceiling.

    ``rate`` is a ceiling too (items per second), for a caller that knows the allowance; the
    engine otherwise learns the server's limiter itself (``kaltura_mm.flows.pacing``).
    ``generation``, ``clean``, ``blocked`` and ``streak`` are kept for code that sets them; the
    engine no longer reads them.
    """

    # From the benchmark sweep (2,000 detaches + 2,000 deletes at 50 ms): 50 -> 2.3 s, 100 -> 1.4 s,
    # 200 -> 1.2 s. 100, not 200: a real server runs sub-requests one after another, so a batch's
    # time grows with its size, and throttling adapts in coarser steps with bigger batches.
    batch_size: int = attrs.field(default=100, validator=_positive)
    parallel: int = attrs.field(default=4, validator=_positive)
    max_rate: float | None = attrs.field(default=None, validator=_positive)
    rate: float | None = None
    # None: as often as the run's retry policy lets a blocked request go (``--retries``).
    max_attempts: int | None = attrs.field(default=None, validator=_positive)
    generation: int = 0
    clean: float | None = None
    blocked: float | None = None
    streak: int = 0

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
        items = max(1, math.floor(limit * THROTTLE_WINDOW))  # 2.5/s: 2 items per 0.8 s
        return items, THROTTLE_WINDOW * (1 + SLACK) * items / (limit * THROTTLE_WINDOW)

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


BatchProgress: TypeAlias = EntryOutcome | Sending
"""What a streaming batch emits: each batch before it goes, each outcome once final."""
Emitting: TypeAlias = Generator[Effect | Emit[BatchProgress], Any, T]
"""A batch flow that may emit ``BatchProgress`` (when asked to stream) and returns ``T``."""


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

    def tried(self, entry_id: str) -> int:
        """Count one more failed try of ``entry_id``; return how many so far."""
        self.attempts[entry_id] = self.attempts.get(entry_id, 0) + 1
        return self.attempts[entry_id]


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
    run = _Run(deque(entry_ids), _Ledger(maybe_ran=set(known)), op, pace, stream)
    learner = Learner()
    while run.pending:
        now: float = yield Now()
        first = op.build(run.pending[0])
        shared = yield SharedLimit(first.service, first.action, learner.learned)
        sized_at: float = yield Now()
        if sized_at > now:  # the runtime held the step while another process learned (pacing 6)
            learner, now = learner.held(sized_at - now), sized_at
        if shared is not None:  # what every process sharing the budget knows wins (pacing 6)
            calls, window = shared
            learner = learner.sharing(calls, window, now) if window else learner.allowing(calls)
        step = learner.next(now)
        if step.at > now:
            yield Sleep(run.log.slept(step.at - now))
        asked_at: float = yield Now()
        answered = yield from _send_step(run, min(step.items, len(run.pending)))
        # the step went out when its first request did, after the budget's hold in the runtime
        # (a handed-over learner's probe waits there): not when it was asked for
        sent_at = asked_at if answered.sent_at is None else answered.sent_at
        learner = learner.after(step, sent_at, answered.accepted, answered.blocked)
        if answered.pause:  # no usable answer: back off (the runtime's) before sending again
            yield Sleep(run.log.slept(answered.pause))
    if entry_ids and learner.bounds is not None:  # the others may be waiting for it (pacing 6)
        last = op.build(entry_ids[0])
        yield SharedLimit(last.service, last.action, learner.bounds)
    return {entry_id: run.ledger.results[entry_id] for entry_id in entry_ids}


@attrs.define
class _Run:
    """One ``run_batches`` call's working state."""

    pending: deque[str]
    ledger: _Ledger
    op: Operation
    pace: Pace
    stream: OutcomeFilter | None
    log: _SendLog = attrs.field(factory=lambda: _SendLog())
    tags: int = 0


@attrs.frozen
class _Answered:
    """What one step's answers said: items accepted, blocked, and the pause the runtime asked
    before items with no usable answer go again."""

    accepted: int = 0
    blocked: int = 0
    pause: float = 0.0
    sent_at: float | None = None  # when the step's first answered request went out

    def add(self, accepted: int, blocked: int, pause: float, sent_at: float | None) -> _Answered:
        """Return the tally with one batch's answers added (``sent_at``: its sending)."""
        first = sent_at if self.sent_at is None else min(self.sent_at, sent_at or self.sent_at)
        return _Answered(
            self.accepted + accepted, self.blocked + blocked, max(self.pause, pause), first
        )


def _send_step(run: _Run, count: int) -> Emitting[_Answered]:
    """Send ``count`` items in batches, at most ``parallel`` in flight; return once all answered."""
    items = deque(run.pending.popleft() for _ in range(count))
    flying: dict[int, list[str]] = {}
    answered = _Answered()
    while items or flying:
        while items and len(flying) < run.pace.parallel:
            size = min(run.pace.next_batch_size(), len(items))
            if wait := run.log.wait(size, run.pace.window()):
                yield Sleep(run.log.slept(wait))
            batch = [items.popleft() for _ in range(size)]
            request = MultiRequest(paced=True)  # blocked items come back to the pace
            for entry_id in batch:
                request.add(run.op.build(entry_id))
            run.tags += 1
            flying[run.tags] = batch
            run.log.record(size)
            if run.stream is not None:
                yield Emit(Sending(tuple(batch)))
            yield Start(run.tags, request)
            if gap := run.pace.gap(size):
                yield Sleep(run.log.slept(gap))
        tag, answer = yield NextDone()
        answered = yield from _answered(run, flying.pop(tag), answer, answered)
    return answered


def _answered(run: _Run, batch: list[str], answer: Any, so_far: _Answered) -> Emitting[_Answered]:
    """Settle one batch's answer; queue what must go again; emit what is final."""
    retry, throttled = _settle(batch, answer, run.op, run.ledger)
    pause = 0.0
    for entry_id, error in retry:  # again if the runtime allows (the retry policy, --retries)
        tries = run.ledger.tried(entry_id)
        # an item with no usable answer counts as a blocked one: it may not have run, and the
        # runtime already sent its batch as often as a call goes (``attempts``)
        wait = yield Backoff(tries, limit=run.pace.max_attempts, paced=throttled)
        if wait is None:
            run.ledger.results[entry_id] = EntryOutcome(entry_id, "failed", error)
        else:
            run.pending.append(entry_id)
            pause = max(pause, wait)
    if run.stream is not None:
        for entry_id in batch:
            final = run.ledger.results.get(entry_id)  # set once, when the entry is settled
            if final is not None and run.stream(final):
                yield Emit(final)
    blocked = len(retry) if throttled else 0
    sent_at = answer.sent_at if isinstance(answer, MultiResponse) else None
    return so_far.add(len(batch) - len(retry), blocked, 0.0 if throttled else pause, sent_at)


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
        if is_blocked(answer):
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
