"""One poll for every wait (``runtime.poll``), on the driver's virtual clock: no real waiting.

A look that is not ready yet is made again after pauses that double up to a cap, shortened by a
jitter from the run's seeded random source; the poll gives up at its bound with an error naming
what it waited for, and a server that stops answering ends it within the patience.
"""

from __future__ import annotations

from typing import Any

import pytest

from kaltura_mm.errors import ServerSilentError, TransportError, WaitTimeoutError
from kaltura_mm.models import Pager
from kaltura_mm.runtime.effects import Flow, Now
from kaltura_mm.runtime.poll import Every, NotYet, Waited, poll, steady
from kaltura_mm.runtime.retry import RetryPolicy
from kaltura_mm.services import base_entry
from kaltura_mm.testing import ScriptedKaltura, drive

RESET = TransportError("connection reset", may_have_reached_server=True)


def _ready_at(seconds: float, looks: list[float]) -> Any:
    """Return a look that is ready once the clock reads ``seconds``, noting when it looked."""

    def look() -> Flow[str | NotYet[float]]:
        now: float = yield Now()
        looks.append(now)
        return "ready" if now >= seconds else NotYet(now)

    return look


def test_the_schedule_doubles_up_to_its_cap_and_jitter_only_shortens() -> None:
    every = Every(first=0.5, cap=4.0, spread=0.2)
    assert [every.pause(n, 0.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert every.pause(3, 0.999) == pytest.approx(2.0 * 0.8, rel=1e-3)
    assert steady(3.0).pause(9, 0.9) == 3.0  # a caller's own interval is kept exactly


def test_a_poll_returns_at_the_first_ready_look_after_the_schedules_pauses() -> None:
    looks: list[float] = []
    every = Every(first=1.0, cap=8.0, spread=0.0)
    flow = poll(_ready_at(20.0, looks), what="the index", bound=300, every=every)
    driven = drive(flow, ScriptedKaltura())
    assert driven.result == "ready"
    assert driven.slept == [1.0, 2.0, 4.0, 8.0, 8.0]  # ready at 23 s: the look after 20 s
    assert looks == [0.0, 1.0, 3.0, 7.0, 15.0, 23.0]


def test_the_jitter_comes_from_the_runs_seeded_random_source() -> None:
    def pauses(seed: int) -> list[float]:
        flow = poll(_ready_at(100.0, []), what="x", bound=600, every=Every(1.0, 15.0))
        return drive(flow, ScriptedKaltura(), seed=seed).slept

    assert pauses(7) == pauses(7)  # a seeded run replays
    assert pauses(7) != pauses(8)  # two runs do not look in step
    grown = [min(15.0, 2.0 ** (n - 1)) for n in range(1, len(pauses(7)) + 1)]
    assert all(0.8 * g <= p <= g for p, g in zip(pauses(7), grown, strict=True))


def test_the_bound_ends_the_wait_with_an_error_naming_what_was_awaited() -> None:
    looks: list[float] = []
    flow = poll(_ready_at(10_000.0, looks), what="entry 0_a to be READY", bound=60, every=steady(7))
    with pytest.raises(WaitTimeoutError, match=r"entry 0_a to be READY after 60 s") as caught:
        drive(flow, ScriptedKaltura())
    assert caught.value.waited == 60.0  # no pause runs past the bound: the last look is at 60 s
    assert looks[-1] == 60.0 and len(looks) == 10  # every 7 s, then the bound
    assert "look again later" in str(caught.value)


def test_the_callers_error_says_what_the_last_look_saw() -> None:
    def late(waited: Waited) -> ValueError:
        return ValueError(f"still {waited.why:g} after {waited.looks} looks")

    flow = poll(_ready_at(10_000.0, []), what="x", bound=10, every=steady(5), give_up=late)
    with pytest.raises(ValueError, match=r"still 10 after 3 looks"):
        drive(flow, ScriptedKaltura())


def test_a_silent_server_ends_a_long_poll_within_the_patience() -> None:
    # A poll bounded at 10 minutes whose looks get no answer: the patience (30 s) ends it.
    def look() -> Flow[object]:
        try:
            return (yield base_entry.list(pager=Pager(page_size=1)))
        except TransportError:
            return NotYet()

    server = ScriptedKaltura(*[("baseEntry.list", RESET)] * 40)
    retry = RetryPolicy(attempts=1, patience=30.0)
    flow = poll(look, what="the index", bound=600, every=Every(1.0, 15.0))
    with pytest.raises(ServerSilentError, match="patience of 30 s"):
        drive(flow, server, retry=retry)
    assert not server.done  # it stopped looking long before the poll's own bound
