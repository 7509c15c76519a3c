"""Run several flows as one, at most ``limit`` at a time, so they share the client's pool.

Each sub-flow's effects are translated for the client: a ``Call`` or ``MultiRequest`` becomes a
background ``Start`` (so one sub-flow waiting on the network never blocks the others), its own
``Start``/``NextDone`` are routed by tag, and a ``Sleep`` parks only that sub-flow (it wakes when
its time has come and the interleaver next gets control). A sub-flow that raises ends with its
error as its outcome; the others go on.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import attrs

from kaltura_mm.flows.effects import Emit, Flow, NextDone, Sleep, Start
from kaltura_mm.protocol.calls import Call, MultiRequest

T = TypeVar("T")
Failure = Callable[[BaseException], bool]


@attrs.define
class _Sub:
    """One sub-flow's bookkeeping."""

    flow: Flow[Any]
    waiting_call: Hashable | None = None
    waiting_next: bool = False
    wake_at: float | None = None
    running: int = 0
    inbox: deque[tuple[Hashable, Any]] = attrs.field(factory=deque)


class _Interleaver:
    def __init__(self, flows: Sequence[Flow[Any]], limit: int, is_failure: Failure) -> None:
        self.queue = deque(enumerate(flows))
        self.limit = max(1, limit)
        self.is_failure = is_failure
        self.subs: dict[int, _Sub] = {}
        self.results: list[Any] = [None] * len(flows)
        self.outstanding = 0
        self.calls = 0

    def _finish(self, key: int, value: Any) -> None:
        self.results[key] = value
        self.subs.pop(key, None)

    def step(self, key: int, value: Any = None, error: BaseException | None = None) -> Flow[None]:
        """Advance sub-flow ``key`` until it waits for something; translate its effects."""
        sub = self.subs[key]
        while True:
            try:
                effect = sub.flow.throw(error) if error is not None else sub.flow.send(value)
            except StopIteration as stop:
                self._finish(key, stop.value)
                return
            except Exception as exc:
                if not self.is_failure(exc):
                    raise
                self._finish(key, exc)
                return
            value, error = None, None
            if isinstance(effect, Call | MultiRequest):
                self.calls += 1
                tag = (key, "call", self.calls)
                yield Start(tag, effect)
                self.outstanding += 1
                sub.waiting_call = tag
                return
            if isinstance(effect, Start):
                yield Start((key, "bg", effect.tag), effect.call)
                self.outstanding += 1
                sub.running += 1
            elif isinstance(effect, NextDone):
                if sub.inbox:
                    value = sub.inbox.popleft()
                elif not sub.running:
                    error = LookupError("NextDone() with no background call running")
                else:
                    sub.waiting_next = True
                    return
            elif isinstance(effect, Sleep):
                sub.wake_at = time.monotonic() + effect.seconds
                return
            elif isinstance(effect, Emit):
                yield effect

    def admit(self) -> Flow[None]:
        """Start queued sub-flows while fewer than ``limit`` run."""
        while self.queue and len(self.subs) < self.limit:
            key, flow = self.queue.popleft()
            self.subs[key] = _Sub(flow)
            yield from self.step(key)

    def wake(self) -> Flow[None]:
        """Resume sub-flows whose sleep is over."""
        now = time.monotonic()
        for key, sub in list(self.subs.items()):
            if sub.wake_at is not None and sub.wake_at <= now:
                sub.wake_at = None
                yield from self.step(key)

    def deliver(self, tag: Any, outcome: Any) -> Flow[None]:
        """Hand a finished background call to the sub-flow that started it."""
        self.outstanding -= 1
        key, kind, inner = tag
        sub = self.subs.get(key)
        if sub is None:
            return  # the sub-flow ended; its leftover calls are dropped
        if kind == "call":
            sub.waiting_call = None
            failed = isinstance(outcome, BaseException)
            yield from self.step(key, None if failed else outcome, outcome if failed else None)
            return
        sub.running -= 1
        if sub.waiting_next:
            sub.waiting_next = False
            yield from self.step(key, (inner, outcome))
        else:
            sub.inbox.append((inner, outcome))

    def run(self) -> Flow[list[Any]]:
        yield from self.admit()
        while self.subs or self.queue:
            yield from self.wake()
            yield from self.admit()
            if not self.subs:
                continue
            sleepers = [s.wake_at for s in self.subs.values() if s.wake_at is not None]
            if self.outstanding:
                tag, outcome = yield NextDone()
                yield from self.deliver(tag, outcome)
            elif sleepers:
                yield Sleep(max(0.0, min(sleepers) - time.monotonic()))
            else:
                raise RuntimeError("interleaved flows are all waiting and nothing runs")
        return self.results


def interleave(
    flows: Sequence[Flow[Any]], limit: int, is_failure: Failure = lambda exc: True
) -> Flow[list[Any]]:
    """Run ``flows`` concurrently (``limit`` at a time); return each one's result or exception.

    ``is_failure`` says which exceptions end only their own sub-flow (default: all of them);
    any other exception stops everything.
    """
    return _Interleaver(flows, limit, is_failure).run()
