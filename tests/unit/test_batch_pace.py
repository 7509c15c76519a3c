"""The batch engine's pacing against a server that throttles per sliding window, on a fake clock.

``ThrottlingServer`` is a discrete-event adapter of the runtime's machine: a wait moves the
virtual clock, a batch reaches the server some ms after it was sent (seeded jitter) and is
answered later, and the server blocks every delete past ``per_second`` in any sliding 1 s window,
as the sandbox and Kaltura's limiter do. Nothing really waits.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Generator
from typing import Any

import attrs
import pytest

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.ks import FixedKs
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime import Answer, Done, Machine, Send, Settings, Wait
from tests.unit.test_listing_fakes import InMemoryKaltura


@attrs.define
class ThrottlingServer:
    """Deletes in memory, at most ``limit(now)`` per sliding second; a clock moved by the flow."""

    limit: Callable[[float], float | None]
    now: float = 0.0
    accepted: list[float] = attrs.field(factory=list)  # arrival times of deletes that ran
    blocked: int = 0
    fake: InMemoryKaltura = attrs.field(factory=InMemoryKaltura)
    _arrival: float = 0.0
    _rng: random.Random = attrs.field(factory=lambda: random.Random(7))

    def seed(self, count: int) -> list[str]:
        """Store ``count`` entries; return their ids."""
        ids = [f"0_{n:08d}" for n in range(count)]
        for n, entry_id in enumerate(ids):
            self.fake.add(entry_id, created_at=1_000 + n)
        self.fake.blocked = self._over_limit
        return ids

    def _over_limit(self, call: Call[Any]) -> bool:
        allowed = self.limit(self._arrival)
        recent = sum(1 for t in self.accepted if self._arrival - t < 1.0)
        if allowed is not None and recent >= allowed:
            self.blocked += 1
            return True
        self.accepted.append(self._arrival)
        return False

    def run(self, flow: Generator[Any, Any, Any]) -> Any:
        """Run ``flow`` to its end; return its result."""
        machine = Machine(
            flow, Settings(ks=FixedKs("ks")), clock=lambda: self.now, random=self._rng
        )
        answers: list[tuple[float, int, Answer]] = []  # (answered at, order, answer)
        while not isinstance(action := machine.next_action(), Done):
            if isinstance(action, Send):
                # reaches the server 20-50 ms after sending, answered 30 ms after that
                self._arrival = self.now + self._rng.uniform(0.02, 0.05)
                answer = self.fake.respond(action)
                heapq.heappush(answers, (self._arrival + 0.03, action.id, answer))
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


def _delete_all(server: ThrottlingServer, count: int, pace: Pace) -> float:
    """Delete ``count`` entries through ``server``; check each ran once; return items/second."""
    ids = server.seed(count)
    outcomes = server.run(delete_entries(ids, pace=pace))
    assert [o.status for o in outcomes] == ["done"] * count
    assert not server.fake.entries
    assert len(server.accepted) == count, "every entry deleted exactly once"
    assert server.fake.calls.count("baseEntry.delete") == count + server.blocked
    return count / server.now


def test_a_throttled_run_uses_most_of_the_allowance() -> None:
    server = ThrottlingServer(limit=lambda now: 3)
    rate = _delete_all(server, 500, Pace())
    assert rate >= 0.85 * 3, f"{rate:.2f}/s against 3/s allowed"
    # the first burst (400 items) is the only big one; the search costs a few items after it
    assert server.blocked < 400 + 40, f"{server.blocked} throttled answers"


@pytest.mark.parametrize("per_second", [1, 7, 40, 250])
def test_the_rate_is_found_without_knowing_the_limit(per_second: int) -> None:
    server = ThrottlingServer(limit=lambda now: per_second)
    rate = _delete_all(server, per_second * 60, Pace())
    assert rate >= 0.8 * per_second, f"{rate:.2f}/s against {per_second}/s allowed"


def test_the_rate_follows_a_limit_that_drops_and_rises() -> None:
    def limit(now: float) -> float:
        return 10 if now < 40 else 4 if now < 100 else 8

    server = ThrottlingServer(limit=limit)
    _delete_all(server, 1_500, Pace())
    assert server.now > 140, "the run reached the raised limit"
    low = sum(1 for t in server.accepted if 60 <= t < 100) / 40
    high = [t for t in server.accepted if t >= 140]
    assert low >= 0.8 * 4, f"{low:.2f}/s after the drop to 4/s"
    assert len(high) / (max(high) - 140) >= 0.75 * 8, "climbs back after the rise to 8/s"


@pytest.mark.parametrize(("max_rate", "window"), [(25.0, 1.0), (3.0, 1.0), (0.5, 2.0)])
def test_the_ceiling_is_never_exceeded_in_any_window(max_rate: float, window: float) -> None:
    server = ThrottlingServer(limit=lambda now: None)
    rate = _delete_all(server, 60, Pace(batch_size=50, max_rate=max_rate))
    assert server.most_in_a_window(window) <= max(1, int(max_rate * window))
    assert rate >= 0.85 * max_rate, f"{rate:.2f}/s under a ceiling of {max_rate}/s"


def test_a_server_limit_below_the_ceiling_is_found() -> None:
    server = ThrottlingServer(limit=lambda now: 3)
    rate = _delete_all(server, 200, Pace(max_rate=10))
    assert rate >= 0.8 * 3, f"{rate:.2f}/s against 3/s allowed"
    assert server.blocked < 30, f"{server.blocked} throttled answers"


def test_unthrottled_runs_send_full_batches_at_once() -> None:
    server = ThrottlingServer(limit=lambda now: None)
    _delete_all(server, 300, Pace(batch_size=100))
    assert server.fake.requests == 3
    assert server.now < 0.2


# ---- the pacing rules, directly ---------------------------------------------------------------


def test_the_first_throttle_takes_what_ran_as_the_rate() -> None:
    assert Pace(batch_size=50).slowed(passed=120).rate == 120
    assert Pace(batch_size=50).slowed(passed=0).rate == 25
    assert Pace(batch_size=50).slowed(passed=3).generation == 1
    assert Pace(max_rate=25).slowed(passed=3).rate == 3, "a ceiling is no estimate"


def test_a_throttled_step_up_falls_back_to_the_clean_rate() -> None:
    found = Pace(rate=3).sped_up(6)  # two clean seconds at 3/s
    assert (found.rate, found.clean) == (4, 3)
    back = found.slowed(passed=2)
    assert (back.rate, back.clean, back.blocked) == (3, 3, 4)
    assert back.sped_up(60).rate == 3, "the next step would hit the throttled rate: stay"
    assert back.sped_up(60).sped_up(30).rate == 4, "after 30 clean seconds, look again"


def test_steps_go_half_way_to_the_throttled_rate() -> None:
    pace = Pace(rate=20, clean=20, blocked=40)
    assert pace.sped_up(40).rate == 30
    assert Pace(rate=20).sped_up(40).rate == 22, "10% while nothing was throttled"
    assert Pace(rate=20).sped_up(39).rate == 20, "not before two clean seconds"


def test_a_throttle_at_a_clean_rate_means_the_limit_dropped() -> None:
    dropped = Pace(rate=10, clean=10, blocked=11).slowed(passed=5)
    assert (dropped.rate, dropped.clean, dropped.blocked) == (7, None, 10)


def test_steps_stop_at_the_ceiling_and_batches_spread_the_window() -> None:
    assert Pace(rate=28, max_rate=30).sped_up(60).rate == 30
    assert Pace().sped_up(1_000) == Pace()
    pace = Pace(batch_size=50, max_rate=30)
    assert (pace.next_batch_size(), pace.gap(3)) == (3, pytest.approx(0.105))
    assert Pace(batch_size=50).next_batch_size() == 50
    assert Pace(rate=2.5).next_batch_size() == 1


def test_bad_pace_settings_fail_clearly() -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        Pace(batch_size=0)
    with pytest.raises(ConfigError, match="max_rate"):
        Pace(max_rate=-1)
