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
from kaltura_mm.flows.pacing import (
    FIRST_ROUND,
    LONGEST,
    NARROW_TO,
    SLACK,
    SLACK_SECONDS,
    Learner,
    Step,
    past,
)
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
    # rounds of 20, 30, 45, 68, 102, 153, 230, then full batches (ROUND_GROWTH 1.5)
    assert server.fake.requests <= 16
    assert server.now < 0.8


# ---- the pacing rules, directly (kaltura_mm.flows.pacing) ------------------------------------


def test_rounds_grow_until_something_is_blocked() -> None:
    learner = Learner()
    assert learner.next(0.0) == Step(0.0, FIRST_ROUND)
    learner = learner.after(Step(0.0, 20), 0.0, accepted=20, blocked=0)
    assert learner.next(0.1) == Step(0.1, 30)  # grown by half: half the overshoot of doubling
    learner = learner.after(Step(0.1, 30), 0.1, accepted=10, blocked=20)
    assert (learner.phase, learner.allowance) == ("learning", 30)


def test_probes_look_for_the_windows_end_just_past_1_s_then_past_10_s_then_further() -> None:
    learner = Learner(phase="learning", allowance=30, start=0.0)
    assert learner.next(0.2) == Step(past(1.0), 1, probe=True)  # 1-s windows are seen
    learner = learner.after(Step(1.05, 1, True), 1.05, accepted=0, blocked=1)
    assert learner.next(1.1) == Step(past(10.0), 1, probe=True)  # Kaltura's default
    learner = learner.after(Step(10.14, 1, True), 10.14, accepted=0, blocked=1)
    assert learner.next(10.2).at == pytest.approx(past(10.0) * 1.5)
    learner = learner.after(Step(15.21, 1, True), 15.21, accepted=1, blocked=0)
    assert (learner.phase, learner.low, learner.high, learner.start) == (
        "paced",
        10.14,
        15.21,
        15.21,
    )
    assert learner.next(15.3) == Step(15.3, 29)  # the rest of the window the probe opened


def test_a_paced_window_spends_the_allowance_then_waits_for_the_end() -> None:
    learner = Learner(phase="paced", allowance=3, low=0.99, high=1.0, start=5.0, sent=3)
    step = learner.next(5.2)
    assert step.items == 3 and step.at == pytest.approx(5.0 + 1.0 * (1 + SLACK) + SLACK_SECONDS)
    after = learner.after(step, step.at, accepted=3, blocked=0)
    assert (after.start, after.sent, after.accepted) == (step.at, 3, 3)


def test_wide_bounds_narrow_from_just_under_the_upper_one_then_at_their_middle() -> None:
    learner = Learner(phase="paced", allowance=30, low=7.5, high=11.4, start=0.0, sent=30)
    step = learner.next(1.0)  # windows are round numbers: first just under the upper bound
    assert step == Step(pytest.approx(11.4 * (1 - NARROW_TO / 2)), 1, probe=True)
    opened = learner.after(step, step.at, accepted=1, blocked=0)  # free: the window starts early
    assert (opened.high, opened.start, opened.sent) == (pytest.approx(step.at), step.at, 1)
    burst = opened.next(step.at + 0.1)
    assert burst.items == 29  # the rest of the window the probe opened
    full = opened.after(burst, burst.at, accepted=29, blocked=0)
    further = full.next(burst.at + 0.1)
    assert further.probe and further.at - step.at == pytest.approx(step.at * (1 - NARROW_TO))
    blocked = learner.after(step, step.at, accepted=0, blocked=1)
    assert (blocked.low, blocked.high) == (pytest.approx(step.at), 11.4)
    assert blocked.learned == (30, 11.4)  # one blocked probe there: narrow enough (2%)
    assert blocked.next(1.0).at == pytest.approx(past(11.4))
    wider = attrs.evolve(learner, low=5.0, reach=0.5)  # after a blocked probe far under it
    assert wider.next(1.0).at == pytest.approx((5.0 + 11.4) / 2)  # their middle


def test_a_run_held_past_every_window_it_saw_does_not_time_from_them() -> None:
    """A learner that takes over after another went idle times the window from the window its
    first probe opens, not from its own first send minutes before (``clients`` seed 31)."""
    learning = Learner(phase="learning", allowance=23, start=6.0)
    assert learning.held(LONGEST - 1) == learning  # a short hold: its windows may still run
    held = learning.held(121.0)
    probe = held.next(127.0)
    assert (probe.at, probe.items, probe.probe) == (127.0, 1, True)
    again = held.after(probe, 127.0, accepted=1, blocked=0)
    assert (again.phase, again.first_send, again.high) == ("open", 127.0, None)
    assert again.next(127.5).items == 23  # one more than the window holds: one item blocked
    learned = again.after(Step(127.5, 23), 127.5, accepted=22, blocked=1)
    assert (learned.phase, learned.start, learned.allowance) == ("learning", 127.0, 23)
    opened = Learner(first_send=5.0, accepted_open=20, round_size=30).held(LONGEST)
    assert (opened.first_send, opened.accepted_open) == (None, 0)  # it counts afresh


def test_a_window_bound_from_answers_slower_than_the_window_is_capped() -> None:
    learner = Learner(phase="learning", allowance=3, start=0.0, low=1.05)
    slow = learner.after(Step(1.05, 1, True), 300.0, accepted=1, blocked=0)
    assert slow.high == LONGEST and slow.window == past(LONGEST)


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
