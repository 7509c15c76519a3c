"""How the shared budget learns, on SQLite and on a real PostgreSQL, on a virtual clock: who
learns the window, and what a block teaches once a window is known."""

from __future__ import annotations

import pytest

from kaltura_mm.budget import Budget, Key, Limit
from kaltura_mm.budget.ledger import ANSWER_AT_MOST
from kaltura_mm.budget.model import LEARNER_IDLE, widened
from tests.budget.conftest import Opener, VirtualClock

DELETE = Key("https://kaltura.example", "100", "baseentry", "delete")


@pytest.fixture
def window() -> float | None:
    """No window told: the budget learns it (the default)."""
    return None


def _learning(open_budget: Opener) -> tuple[Budget, Budget]:
    """Return two processes' budgets: the first learns the window (its first round was blocked)."""
    learner, other = open_budget(), open_budget()
    _, claimed = learner.claim([(DELETE, 20)], probe="learner")
    learner.answered(DELETE, "learner", claimed[DELETE][1])  # the gate's order: answered first
    learner.blocked(DELETE, 10, claimed[DELETE][1], owner="learner")
    return learner, other


def test_a_learner_waiting_for_a_slow_answer_keeps_its_part(
    open_budget: Opener, clock: VirtualClock
) -> None:
    learner, other = _learning(open_budget)
    assert learner.limit(DELETE) == Limit(10, 0.0, 0.0, "learner")
    clock.now += 5.0
    _, claimed = learner.claim([(DELETE, 1)], probe="learner")  # a probe the server sits on
    clock.now += LEARNER_IDLE + 1
    assert other.learning(DELETE, "other")  # not idle: it waits for an answer
    learner.answered(DELETE, "learner", claimed[DELETE][1])
    assert not other.learning(DELETE, "other")  # answered, and no send since: idle
    assert other.limit(DELETE) == Limit(10, 0.0, 0.0, "other")  # the part is handed over


def test_a_learner_whose_answer_never_came_hands_its_part_over(
    open_budget: Opener, clock: VirtualClock
) -> None:
    learner, other = _learning(open_budget)
    learner.claim([(DELETE, 1)], probe="learner")  # then the process died
    clock.now += ANSWER_AT_MOST - 1
    assert other.learning(DELETE, "other")
    clock.now += 2
    assert not other.learning(DELETE, "other")
    assert other.limit(DELETE) == Limit(10, 0.0, 0.0, "other")


@pytest.mark.parametrize("window", [10.0])
def test_a_whole_request_blocked_widens_a_short_window_and_keeps_the_limit(
    open_budget: Opener, clock: VirtualClock
) -> None:
    """A window learned too short (5 s where the server counts 10): the next window's request
    is blocked whole. The limit stays; the window widens to reach the calls the server counted
    (it used to drop the limit to what ran in the short window: 1)."""
    budget = open_budget()
    budget.set_limit(DELETE, Limit(10, 5.0))
    first = clock.now
    assert budget.claim([(DELETE, 10)])[0] == 0
    wait, _ = budget.claim([(DELETE, 10)])
    clock.now += wait
    _, claimed = budget.claim([(DELETE, 10)])
    at = claimed[DELETE][1]
    clock.now += 0.3  # the answer: 0.3 s after the send
    limit = budget.blocked(DELETE, 10, at)
    assert limit.calls == 10
    assert limit.window == pytest.approx(at - first + 0.3)
    assert limit.blocked_until == pytest.approx(at + widened(limit.window))


@pytest.mark.parametrize("window", [10.0])
def test_a_request_partly_run_lowers_the_limit(open_budget: Opener, clock: VirtualClock) -> None:
    budget = open_budget()
    budget.set_limit(DELETE, Limit(10, 10.0))
    _, claimed = budget.claim([(DELETE, 10)])
    clock.now += 0.3
    limit = budget.blocked(DELETE, 6, claimed[DELETE][1])  # another client took 6
    assert (limit.calls, limit.window) == (4, 10.0)


@pytest.mark.parametrize("window", [10.0])
def test_a_window_widens_at_most_twice_over_in_one_block(
    open_budget: Opener, clock: VirtualClock
) -> None:
    budget = open_budget()
    budget.set_limit(DELETE, Limit(10, 5.0))
    assert budget.claim([(DELETE, 10)])[0] == 0
    clock.now += 9.0
    _, claimed = budget.claim([(DELETE, 10)])
    clock.now += 60.0  # a very slow answer
    limit = budget.blocked(DELETE, 10, claimed[DELETE][1])
    assert (limit.calls, limit.window) == (10, 10.0)


def test_a_first_block_counts_only_the_probing_rounds_that_were_answered(
    open_budget: Opener, clock: VirtualClock
) -> None:
    """A round whose answer was lost may not have run: the limit the first block teaches is what
    surely ran (it took every charge as run, and a lost round of 45 made a limit of 30 into 84)."""
    budget = open_budget()
    _, first = budget.claim([(DELETE, 20)], probe="p")
    budget.answered(DELETE, "p", first[DELETE][1])  # 20 ran
    clock.now += 0.3
    budget.claim([(DELETE, 30)], probe="p")  # its answer never comes
    clock.now += 0.3
    _, third = budget.claim([(DELETE, 45)], probe="p")
    budget.answered(DELETE, "p", third[DELETE][1])
    limit = budget.blocked(DELETE, 40, third[DELETE][1], owner="p")  # 5 of 45 ran
    assert (limit.calls, limit.window, limit.learner) == (25, 0.0, "p")
