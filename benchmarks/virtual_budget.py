"""Independent processes deleting against one rate limiter, in virtual time, with and without
the shared rate budget (``kaltura_mm.budget``).

A discrete-event adapter of several machines (``kaltura_mm.runtime``) on one virtual clock: each
"process" runs its own ``delete_entries`` flow with its own budget connection (a
``StoreBudget`` on one SQLite file, reading the virtual clock, as separate processes would open
it); each request waits its turn at the process's gate (asking again when told to wait),
reaches the server 20-50 ms later and is answered 30 ms after that; the sandbox's own
``RateLimiter`` counts every delete (fixed windows from a key's first call, blocked calls
included, each multiRequest item on its own).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.virtual_limiter import Measured, _Clock, _Server
from kaltura_mm.budget import Gate, StoreBudget, Ticket
from kaltura_mm.client.shared_budget import budget_answer
from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.ks import FixedKs
from kaltura_mm.runtime import Answer, Done, Machine, Send, Settings, Wait
from kaltura_mm.runtime.actions import AskBudget
from kaltura_mm.sandbox.ratelimit import RateLimiter, RateRule
from kaltura_mm.store import open_store


@dataclass
class _Process:
    machine: Machine
    gate: Gate | None
    wakes: set[float] = field(default_factory=set)
    result: Any = None
    done: bool = False


@dataclass(order=True)
class _Event:
    at: float
    order: int
    process: int = field(compare=False)
    kind: str = field(compare=False)
    send: Send | None = field(default=None, compare=False)
    ticket: Ticket | None = field(default=None, compare=False)
    answer: Answer | None = field(default=None, compare=False)


def run_processes(
    parts: int, each: int, limit: int, window: float, budget_file: Path | None, seed: int = 7
) -> Measured:
    """Delete ``parts`` x ``each`` entries, each part by its own process, against ``limit``
    calls per ``window`` seconds; with the shared budget in ``budget_file`` (None: off)."""
    clock = _Clock()
    limiter = RateLimiter(clock)  # type: ignore[arg-type]
    limiter.add(RateRule("baseentry", "delete", limit, window))
    ids = [[f"0_{p}{n:07d}" for n in range(each)] for p in range(parts)]
    server = _Server(limiter, clock, {i for part in ids for i in part}, rng=random.Random(seed))
    now = [0.0]
    processes = [_process(part, now, budget_file, window, server.rng) for part in ids]
    events: list[_Event] = []
    order = itertools.count()

    def push(at: float, process: int, kind: str, **data: Any) -> None:
        heapq.heappush(events, _Event(at, next(order), process, kind, **data))

    def step(index: int) -> None:
        process = processes[index]
        while not process.done:
            action = process.machine.next_action()
            if isinstance(action, AskBudget):  # the store is the adapter's, as a client's
                assert process.gate is not None
                process.machine.answer(budget_answer(process.gate, action))
            elif isinstance(action, Send):
                claim(index, action)
            elif isinstance(action, Wait):
                if action.until is not None and action.until not in process.wakes:
                    process.wakes.add(action.until)
                    push(action.until, index, "wake")
                return
            elif isinstance(action, Done):
                process.done, process.result = True, action.result
            else:
                raise AssertionError(f"unexpected action {action!r}")

    def claim(index: int, send: Send) -> None:  # the machine waited for the budget's turn
        push(
            now[0] + server.rng.uniform(0.02, 0.05), index, "arrive", send=send, ticket=send.ticket
        )

    for index in range(parts):
        step(index)
    while events:
        event = heapq.heappop(events)
        now[0] = clock.at = max(now[0], event.at)
        process = processes[event.process]
        if event.kind == "arrive":
            assert event.send is not None
            answer = server.respond(event.send)
            push(
                now[0] + 0.03,
                event.process,
                "answer",
                send=event.send,
                ticket=event.ticket,
                answer=answer,
            )
            continue
        if event.kind == "answer":
            assert event.send is not None and event.answer is not None
            if process.gate is not None and event.ticket is not None:
                body = getattr(event.answer, "body", b"")
                process.gate.after(event.send.target, event.ticket, body)
            process.machine.answer(event.answer)
        else:
            process.wakes.discard(event.at)
        step(event.process)
    for process in processes:
        assert process.done and all(o.status == "done" for o in process.result)
        if process.gate is not None:
            process.gate.close()
    assert server.accepted == parts * each, "every entry deleted exactly once"
    return Measured(now[0], server.accepted, server.blocked)


def _process(
    ids: list[str], now: list[float], budget_file: Path | None, window: float, rng: random.Random
) -> _Process:
    clock: Callable[[], float] = lambda: now[0]  # noqa: E731 - the one virtual clock
    gate = None
    if budget_file is not None:
        budget = StoreBudget(open_store(budget_file, file=True), None, clock=clock)  # learned
        gate = Gate(lambda: budget, "http://virtual", "100")
    settings = Settings(ks=FixedKs("ks"), shared_budget=gate is not None)
    machine = Machine(delete_entries(ids, pace=Pace()), settings, clock=clock, random=rng)
    return _Process(machine, gate)
