"""Deletes against the server's rate limiter in virtual time: the pacing benchmark's harness.

A discrete-event adapter of the runtime's machine (``kaltura_mm.runtime``): a wait moves a
virtual clock, each request reaches the server 20-50 ms after it was sent (seeded jitter) and is
answered 30 ms later, and every ``baseEntry.delete`` of it is counted by the sandbox's own
``RateLimiter`` (fixed windows from a key's first call, every attempt counted, each multiRequest
item on its own) on that clock. 2,000 deletes at 3/s are 11 minutes of server time; here they
take a second or two of CPU.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.ks import FixedKs
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime import Answer, Done, Machine, Send, Settings, Wait
from kaltura_mm.sandbox.ratelimit import RateLimiter, RateRule
from kaltura_mm.testing import answer_for, api_error


@dataclass
class _Clock:
    at: float = 0.0

    def now(self) -> float:
        return self.at


@dataclass
class Measured:
    """What a paced run achieved: seconds of virtual time, calls accepted and blocked."""

    seconds: float
    accepted: int
    blocked: int

    def rate(self) -> float:
        """Return the deletes per second that ran."""
        return self.accepted / self.seconds

    def share(self, limit: int, window: float) -> float:
        """Return the fastest possible time over the time taken: the first ``limit`` at once,
        the next ``window`` seconds later, and so on (so a short run's last, partial window does
        not read as more than the allowed rate)."""
        fastest = (math.ceil(self.accepted / limit) - 1) * window
        return fastest / self.seconds if self.seconds else 1.0

    def blocked_share(self) -> float:
        """Return the share of calls the limiter blocked."""
        return self.blocked / max(1, self.accepted + self.blocked)


@dataclass
class _Server:
    limiter: RateLimiter
    clock: _Clock
    live: set[str]
    accepted: int = 0
    blocked: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def one(self, call: Call[Any]) -> Any:
        if self.limiter.admit("baseentry", "delete", 100, {}).blocked:
            self.blocked += 1
            return api_error("ACTION_BLOCKED")
        entry_id = str(call.params["entryId"])
        if entry_id not in self.live:
            return api_error("ENTRY_ID_NOT_FOUND")
        self.live.discard(entry_id)
        self.accepted += 1
        return None

    def respond(self, send: Send) -> Answer:
        target = send.target
        if isinstance(target, MultiRequest):
            return answer_for(send, [self.one(call) for call in target.calls])
        return answer_for(send, self.one(target))


def run_deletes(count: int, limit: int, window: float, pace: Pace) -> Measured:
    """Delete ``count`` entries at ``pace`` against ``limit`` calls per ``window`` seconds."""
    clock = _Clock()
    limiter = RateLimiter(clock)  # type: ignore[arg-type]
    limiter.add(RateRule("baseentry", "delete", limit, window))
    ids = [f"0_{n:08d}" for n in range(count)]
    server = _Server(limiter, clock, set(ids))
    outcomes = _drive(delete_entries(ids, pace=pace), server)
    assert all(o.status == "done" for o in outcomes), "every entry deleted"
    assert server.accepted == count, "every entry deleted exactly once"
    return Measured(clock.at, server.accepted, server.blocked)


def _drive(flow: Generator[Any, Any, Any], server: _Server) -> Any:
    now = 0.0
    machine = Machine(flow, Settings(ks=FixedKs("ks")), clock=lambda: now, random=server.rng)
    answers: list[tuple[float, int, Answer]] = []  # (answered at, order, answer)
    while not isinstance(action := machine.next_action(), Done):
        if isinstance(action, Send):
            server.clock.at = now + server.rng.uniform(0.02, 0.05)
            heapq.heappush(answers, (server.clock.at + 0.03, action.id, server.respond(action)))
        elif isinstance(action, Wait) and answers and answers[0][0] <= (action.until or 1e18):
            at, _, answer = heapq.heappop(answers)
            now = max(now, at)
            machine.answer(answer)
        elif isinstance(action, Wait) and action.until is not None:
            now = max(now, action.until)
        else:
            raise AssertionError(f"unexpected action {action!r}")
    server.clock.at = now
    return action.result
