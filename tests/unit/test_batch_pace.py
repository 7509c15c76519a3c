"""The batch engine's pacing against the server's rate limiter, on a virtual clock.

``LimitedServer`` is a discrete-event adapter of the runtime's machine: a wait moves the virtual
clock, a batch reaches the server some ms after it was sent (seeded jitter) and is answered
later, and each delete of it is counted by the sandbox's own ``RateLimiter``, as Kaltura's
limiter counts (``KalturaResponseCacher::rateLimit``): fixed windows of ``window`` seconds from a
key's first call, every attempt counted (blocked ones too), each multiRequest item on its own,
blocked while the count exceeds the limit. Nothing really waits.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Generator
from typing import Any

import attrs
import pytest

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.flows.pacing import FIRST_ROUND, SLACK, SLACK_SECONDS, Learner, Step
from kaltura_mm.ks import FixedKs
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime import Answer, Done, Machine, Send, Settings, Wait
from kaltura_mm.sandbox.ratelimit import RateLimiter, RateRule
from tests.unit.test_listing_fakes import InMemoryKaltura


@attrs.define
class VirtualClock:
    """The sandbox clock's interface over the driver's virtual time."""

    at: float = 0.0

    def now(self) -> float:
        return self.at


@attrs.define
class LimitedServer:
    """Deletes in memory, counted by the sandbox's fixed-window ``RateLimiter``."""

    limit: int | None
    window: float = 10.0
    clock: VirtualClock = attrs.field(factory=VirtualClock)
    now: float = 0.0
    accepted: list[float] = attrs.field(factory=list)  # arrival times of deletes that ran
    blocked: int = 0
    fake: InMemoryKaltura = attrs.field(factory=InMemoryKaltura)
    limiter: RateLimiter | None = None
    _rng: random.Random = attrs.field(factory=lambda: random.Random(7))

    def seed(self, count: int) -> list[str]:
        """Store ``count`` entries; return their ids."""
        ids = [f"0_{n:08d}" for n in range(count)]
        for n, entry_id in enumerate(ids):
            self.fake.add(entry_id, created_at=1_000 + n)
        self.limiter = RateLimiter(self.clock)  # type: ignore[arg-type]
        if self.limit is not None:
            self.set_limit(self.limit, self.window)
        self.fake.blocked = self._blocked
        return ids

    def set_limit(self, limit: int, window: float) -> None:
        """Replace the rule (a deployment changed its limit)."""
        assert self.limiter is not None
        self.limiter.clear()
        self.limiter.add(RateRule("baseentry", "delete", limit, window))

    def _blocked(self, call: Call[Any]) -> bool:
        assert self.limiter is not None
        if self.limiter.admit("baseentry", call.action.lower(), 1, {}).blocked:
            self.blocked += 1
            return True
        self.accepted.append(self.clock.at)
        return False

    def run(self, flow: Generator[Any, Any, Any], on_time: Any = None) -> Any:
        """Run ``flow`` to its end; return its result. ``on_time(now)`` hears the clock."""
        machine = Machine(
            flow, Settings(ks=FixedKs("ks")), clock=lambda: self.now, random=self._rng
        )
        answers: list[tuple[float, int, Answer]] = []  # (answered at, order, answer)
        while not isinstance(action := machine.next_action(), Done):
            if on_time is not None:
                on_time(self, self.now)
            if isinstance(action, Send):
                # reaches the server 20-50 ms after sending, answered 30 ms after that
                self.clock.at = self.now + self._rng.uniform(0.02, 0.05)
                answer = self.fake.respond(action)
                heapq.heappush(answers, (self.clock.at + 0.03, action.id, answer))
            elif isinstance(action, Wait) and answers and answers[0][0] <= (action.until or 1e18):
                at, _, answer = heapq.heappop(answers)
                self.now = max(self.now, at)
                machine.answer(answer)
            elif isinstance(action, Wait) and action.until is not None:
                self.now = max(self.now, action.until)
            else:
                raise AssertionError(f"unexpected action {action!r}")
        return action.result

    def most_in_a_window(self, seconds: float = 1.0) -> int:
        """Return the most deletes that ran within any window of ``seconds``."""
        times = sorted(self.accepted)
        return max(
            (sum(1 for t in times[i:] if t - s < seconds) for i, s in enumerate(times)), default=0
        )


def _delete_all(server: LimitedServer, count: int, pace: Pace, on_time: Any = None) -> float:
    """Delete ``count`` entries through ``server``; check each ran once; return items/second."""
    ids = server.seed(count)
    outcomes = server.run(delete_entries(ids, pace=pace), on_time)
    assert [o.status for o in outcomes] == ["done"] * count
    assert not server.fake.entries
    assert len(server.accepted) == count, "every entry deleted exactly once"
    assert server.fake.calls.count("baseEntry.delete") == count + server.blocked
    return count / server.now


@pytest.mark.parametrize(("limit", "window"), [(30, 10.0), (3, 1.0)])
def test_a_2000_item_run_uses_90_percent_of_the_allowance_with_5_percent_blocked(
    limit: int, window: float
) -> None:
    # The figures: at least 90% of the allowed rate, at most 5% of calls blocked (the
    # engine knows neither the window nor the limit).
    server = LimitedServer(limit=limit, window=window)
    rate = _delete_all(server, 2_000, Pace())
    allowed = limit / window
    assert rate >= 0.9 * allowed, f"{rate:.2f}/s against {allowed:.2f}/s allowed"
    calls = server.blocked + 2_000
    assert server.blocked <= 0.05 * calls, f"{server.blocked} blocked of {calls} calls"


def test_the_first_burst_costs_a_round_not_parallel_times_batch_size() -> None:
    server = LimitedServer(limit=3, window=1.0)
    _delete_all(server, 200, Pace())
    first_second = [t for t in server.accepted if t < 1.0]
    assert len(first_second) == 3
    assert server.blocked < FIRST_ROUND + 15, f"{server.blocked} blocked"


@pytest.mark.parametrize(("limit", "window"), [(1, 1.0), (7, 1.0), (250, 1.0), (100, 10.0)])
def test_the_allowance_is_found_without_knowing_limit_or_window(limit: int, window: float) -> None:
    server = LimitedServer(limit=limit, window=window)
    count = int(limit / window * 60)
    rate = _delete_all(server, count, Pace())
    assert rate >= 0.8 * limit / window, f"{rate:.2f}/s against {limit / window}/s allowed"


def test_the_pace_follows_a_limit_that_drops_and_rises() -> None:
    def change(server: LimitedServer, now: float) -> None:
        if now >= 100 and server.limiter and server.limiter.rules[0].limit == 30:
            server.set_limit(12, 10.0)
        if now >= 250 and server.limiter and server.limiter.rules[0].limit == 12:
            server.set_limit(40, 10.0)

    server = LimitedServer(limit=30, window=10.0)
    _delete_all(server, 1_000, Pace(), change)
    low = sum(1 for t in server.accepted if 150 <= t < 250) / 100
    assert low >= 0.9 * 1.2, f"{low:.2f}/s after the drop to 1.2/s"
    high = [t for t in server.accepted if t >= 400]
    assert high and len(high) / (max(high) - 400) >= 0.75 * 3, "climbs back after the rise"


@pytest.mark.parametrize(("max_rate", "window"), [(25.0, 1.0), (3.0, 1.0), (0.5, 2.0)])
def test_the_ceiling_is_never_exceeded_in_any_window(max_rate: float, window: float) -> None:
    server = LimitedServer(limit=None)
    rate = _delete_all(server, 60, Pace(batch_size=50, max_rate=max_rate))
    assert server.most_in_a_window(window) <= max(1, int(max_rate * window))
    assert rate >= 0.85 * max_rate, f"{rate:.2f}/s under a ceiling of {max_rate}/s"


def test_a_server_limit_below_the_ceiling_is_found() -> None:
    server = LimitedServer(limit=3, window=1.0)
    rate = _delete_all(server, 200, Pace(max_rate=10))
    assert rate >= 0.8 * 3, f"{rate:.2f}/s against 3/s allowed"
    assert server.blocked < 30, f"{server.blocked} throttled answers"


def test_unthrottled_runs_grow_to_full_batches_quickly() -> None:
    server = LimitedServer(limit=None)
    _delete_all(server, 1_000, Pace(batch_size=100))
    assert server.fake.requests <= 14  # rounds of 20, 40, 80, 160, 320 then full batches
    assert server.now < 0.8


# ---- the pacing rules, directly (kaltura_mm.flows.pacing) ------------------------------------


def test_rounds_double_until_something_is_blocked() -> None:
    learner = Learner()
    assert learner.next(0.0) == Step(0.0, FIRST_ROUND)
    learner = learner.after(Step(0.0, 20), 0.0, accepted=20, blocked=0)
    assert learner.next(0.1) == Step(0.1, 40)
    learner = learner.after(Step(0.1, 40), 0.1, accepted=10, blocked=30)
    assert (learner.phase, learner.allowance) == ("learning", 30)


def test_probes_look_for_the_windows_end_further_and_further() -> None:
    learner = Learner(phase="learning", allowance=30, start=0.0)
    assert learner.next(0.2) == Step(1.0, 1, probe=True)
    learner = learner.after(Step(1.0, 1, True), 1.0, accepted=0, blocked=1)
    assert learner.next(1.1) == Step(1.5, 1, probe=True)
    learner = learner.after(Step(1.5, 1, True), 1.5, accepted=1, blocked=0)
    assert (learner.phase, learner.low, learner.high, learner.start) == ("paced", 1.0, 1.5, 1.5)
    assert learner.next(1.6) == Step(1.6, 29)  # the rest of the window the probe opened


def test_a_paced_window_spends_the_allowance_then_waits_for_the_end() -> None:
    learner = Learner(phase="paced", allowance=3, low=0.99, high=1.0, start=5.0, sent=3)
    step = learner.next(5.2)
    assert step.items == 3 and step.at == pytest.approx(5.0 + 1.0 * (1 + SLACK) + SLACK_SECONDS)
    after = learner.after(step, step.at, accepted=3, blocked=0)
    assert (after.start, after.sent, after.accepted) == (step.at, 3, 3)


def test_wide_bounds_narrow_with_a_probe_at_their_middle() -> None:
    learner = Learner(phase="paced", allowance=30, low=7.5, high=11.4, start=0.0, sent=30)
    step = learner.next(1.0)
    assert step == Step(pytest.approx(9.45), 1, probe=True)
    blocked = learner.after(step, step.at, accepted=0, blocked=1)
    assert (blocked.low, blocked.high) == (pytest.approx(9.45), 11.4)
    opened = learner.after(step, step.at, accepted=1, blocked=0)
    assert (opened.high, opened.start, opened.sent) == (pytest.approx(9.45), step.at, 1)


def test_a_blocked_burst_takes_what_ran_as_the_allowance() -> None:
    learner = Learner(phase="paced", allowance=30, low=9.9, high=10.0, start=0.0, sent=30)
    step = learner.next(1.0)
    dropped = learner.after(step, step.at, accepted=12, blocked=18)
    assert dropped.allowance == 12 and dropped.next(step.at + 0.1).at > step.at


def test_after_clean_windows_one_more_item_is_tried() -> None:
    learner = Learner(phase="paced", allowance=3, low=0.99, high=1.0, sent=3, accepted=3)
    for _ in range(8):  # eight windows ran clean
        step = learner.next(learner.start + 0.1)
        learner = learner.after(step, step.at, accepted=3, blocked=0)
    step = learner.next(learner.start + 0.1)
    assert (learner.sent, step.items) == (3, 1)  # rule 5: one more in the window just opened
    refused = learner.after(step, step.at, accepted=0, blocked=1)
    assert (refused.allowance, refused.raise_every) == (3, 16)
    raised = learner.after(step, step.at, accepted=1, blocked=0)
    step = raised.next(raised.start + 0.1)  # the next window: the four that ran
    raised = raised.after(step, step.at, accepted=step.items, blocked=0)
    assert (raised.allowance, raised.next(raised.start).items) == (4, 2)  # then two more


def test_bad_pace_settings_fail_clearly() -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        Pace(batch_size=0)
    with pytest.raises(ConfigError, match="max_rate"):
        Pace(max_rate=-1)
    assert Pace(batch_size=50, max_rate=30).next_batch_size() == 3


def test_a_server_that_blocks_every_call_after_a_window_still_ends_the_run() -> None:
    # The steps that look for a window's end go uncharged only so often in a row (as a try
    # goes, --retries): a limit that drops to nothing ends the run with the items failed.
    def close(server: LimitedServer, now: float) -> None:
        if now >= 12 and server.limiter and server.limiter.rules[0].limit == 30:
            server.set_limit(0, 10.0)

    server = LimitedServer(limit=30, window=10.0)
    ids = server.seed(200)
    outcomes = server.run(delete_entries(ids, pace=Pace()), close)
    statuses = [o.status for o in outcomes]
    assert statuses.count("done") == len(server.accepted) >= 30
    assert statuses.count("failed") == 200 - len(server.accepted)
    assert server.blocked <= 10 * 200 + 10  # each item's 10 tries, and 10 free steps in a row
