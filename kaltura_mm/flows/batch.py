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

The engine is here; its vocabulary (``EntryOutcome``, ``Sending``, ``Operation``...) is in
``kaltura_mm.flows.batch_outcomes`` and ``Pace`` in ``kaltura_mm.flows.batch_pace``, every name
importable from here as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Sequence
from typing import Any, cast

import attrs

from kaltura_mm.errors import (
    KalturaError,
    ResponseError,
    TransportError,
)
from kaltura_mm.flows.batch_outcomes import (
    RETRY,
    BatchProgress,
    Classify,
    Emitting,
    EntryOutcome,
    Operation,
    OutcomeFilter,
    Sending,
    Status,
)
from kaltura_mm.flows.batch_pace import SLACK, SPREAD, THROTTLE_WINDOW, Pace, SendLog
from kaltura_mm.flows.pacing import Learner
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse
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

__all__ = [
    "RETRY",
    "SLACK",
    "SPREAD",
    "THROTTLE_WINDOW",
    "BatchProgress",
    "Classify",
    "Emitting",
    "EntryOutcome",
    "Operation",
    "OutcomeFilter",
    "Pace",
    "Sending",
    "Status",
    "run_batches",
    "settle_all",
]


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
    measured: int = 0  # blocked window-opening steps in a row, not charged to their items

    def tried(self, entry_id: str) -> int:
        """Count one more failed try of ``entry_id``; return how many so far."""
        self.attempts[entry_id] = self.attempts.get(entry_id, 0) + 1
        return self.attempts[entry_id]


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
        run.measuring = learner.opens_window
        answered = yield from _send_step(run, min(step.items, len(run.pending)))
        if answered.accepted:
            run.ledger.measured = 0
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
    log: SendLog = attrs.field(factory=lambda: SendLog())
    tags: int = 0
    measuring: bool = False  # the step looks for a learned window's end (``_charged``)


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
    free = throttled and not (yield from _charged(run))
    for entry_id, error in retry:
        if free:  # the engine's timing was blocked, not the item: it goes again uncounted
            run.pending.append(entry_id)
            continue  # again if the runtime allows (the retry policy, --retries)
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


def _charged(run: _Run) -> Generator[Effect, Any, bool]:
    """Return whether a blocked answer counts as a failed try of its items.

    Not when the step looked for the end of a window the engine had learned (a probe, or the
    first items after the window's learned end): the block says the engine's timing was wrong,
    not that the item cannot go. A learner misled by one stray block (another client's call on
    the counter, an injected fault) learns a short window and walks its end up 10% a step,
    one item blocked per step: charged, that item failed after ten steps while the server's
    window was still ending (simulation ``job_workers`` seed 2181). Such free steps are bounded
    as one item's tries are (``Backoff``: the retry policy, ``--retries``), counted in a row
    until an item is accepted; past that, blocks are charged again, so a server that blocks
    every call still ends the run.
    """
    if not run.measuring:
        return True
    run.ledger.measured += 1
    free = yield Backoff(run.ledger.measured, limit=run.pace.max_attempts, paced=True)
    return free is None


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
