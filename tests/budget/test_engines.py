"""The shared rate budget's rules, on SQLite and on a real PostgreSQL, with a virtual clock.

Several connections to one budget stand for several processes (or machines)."""

from __future__ import annotations

import math
import random
import time

from kaltura_mm.budget import Key, Limit
from kaltura_mm.budget.ledger import HOLD, HOLD_AT_MOST
from kaltura_mm.budget.model import FORGET_AFTER, widened
from tests.budget.conftest import Opener, VirtualClock

DELETE = Key("https://kaltura.example", "100", "baseentry", "delete")
GET = Key("https://kaltura.example", "100", "baseentry", "get")


def test_any_fixed_window_whatever_its_offset_holds_at_most_the_limit(
    open_budget: Opener, clock: VirtualClock
) -> None:
    processes = [open_budget() for _ in range(3)]
    processes[0].set_limit(DELETE, Limit(30, 10.0))
    rng = random.Random(5)
    start, charged = clock.now, []
    while sum(n for _, n in charged) < 300:
        clock.now += rng.uniform(0.0, 0.4)
        n = rng.randint(1, 6)
        wait, _ = rng.choice(processes).claim([(DELETE, n)])
        if wait == 0:
            charged.append((clock.now, n))
    for offset in [k * 0.25 for k in range(40)]:  # the server's windows start anywhere
        counts: dict[int, int] = {}
        for at, n in charged:
            window = math.floor((at - start - offset) / 10.0)
            counts[window] = counts.get(window, 0) + n
        assert max(counts.values()) <= 30, f"a window at offset {offset} held too many"
    seconds = charged[-1][0] - start
    assert 300 / seconds >= 0.9 * 30 / 10.0 * (300 - 30) / 300  # nearly the whole allowance


def test_what_one_process_learns_from_a_block_every_process_uses(
    open_budget: Opener, clock: VirtualClock
) -> None:
    first, second = open_budget(), open_budget()
    assert first.claim([(DELETE, 20)])[0] == 0  # nothing known: charged at once
    clock.now += 0.1
    wait, claimed = second.claim([(DELETE, 15)])
    assert wait == 0 and claimed[DELETE] == (None, clock.now)
    limit = second.blocked(DELETE, 5, clock.now)  # the server ran 10 of those 15
    assert limit == Limit(30, 10.0, clock.now + widened(10.0))
    assert first.limit(DELETE) == limit
    clock.now += 1.0
    wait, _ = first.claim([(DELETE, 1)])
    assert wait > 0 and math.isclose(clock.now + wait, limit.blocked_until)  # slowed too
    assert first.claim([(GET, 1)])[0] == 0  # another action is counted apart


def test_each_sub_call_of_a_multirequest_is_charged_to_its_own_action(
    open_budget: Opener, clock: VirtualClock
) -> None:
    budget = open_budget()
    budget.set_limit(DELETE, Limit(4, 10.0))
    budget.set_limit(GET, Limit(4, 10.0))
    assert budget.claim([(DELETE, 3), (GET, 1)])[0] == 0
    clock.now += 1
    assert budget.claim([(GET, 3)])[0] == 0  # get still had room for 3
    clock.now += 1
    wait, claimed = budget.claim([(DELETE, 1), (GET, 1)])  # get is full: neither is charged
    assert wait > 0 and claimed == {}
    assert budget.claim([(DELETE, 1)])[0] == 0  # delete had room for 1 (nothing was charged)


def test_a_probing_batch_waits_for_another_process_probing_batch(
    open_budget: Opener, clock: VirtualClock
) -> None:
    first, second = open_budget(), open_budget()
    wait, claimed = first.claim([(DELETE, 20)], probe="first")
    assert wait == 0
    assert second.claim([(DELETE, 20)], probe="second") == (HOLD, {})
    assert second.claim([(DELETE, 1)])[0] == 0  # a plain call does not wait for probes
    first.answered(DELETE, "first", claimed[DELETE][1])
    assert second.claim([(DELETE, 20)], probe="second")[0] == 0
    clock.now += HOLD_AT_MOST + 0.1  # a probe never answered (its process died) holds no more
    assert first.claim([(DELETE, 20)], probe="first")[0] == 0


def test_a_larger_request_that_ran_raises_the_limit_and_an_unused_one_is_forgotten(
    open_budget: Opener, clock: VirtualClock
) -> None:
    budget = open_budget()
    budget.set_limit(DELETE, Limit(10, 10.0))
    wait, _ = budget.claim([(DELETE, 12)])  # more than the limit: waits for an empty interval
    assert wait == 0  # nothing charged yet, so the interval is empty
    budget.confirmed(DELETE, 12)
    assert budget.limit(DELETE) == Limit(12, 10.0)
    clock.now += FORGET_AFTER + 1
    assert budget.limit(DELETE) is None


def test_the_budget_counts_on_the_database_clock(engine: str) -> None:
    from kaltura_mm.budget import open_budget

    budget = open_budget(engine)
    try:
        wait, claimed = budget.claim([(DELETE, 1)])
        assert wait == 0 and abs(claimed[DELETE][1] - time.time()) < 5  # Unix seconds
        budget.set_limit(DELETE, Limit(5, 10.0, blocked_until=time.time() + 3))
        wait, _ = budget.claim([(DELETE, 1)])
        assert 1 < wait <= 3.5
    finally:
        budget.close()
