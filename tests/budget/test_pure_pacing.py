"""The batch engine sizes its steps by the limit the processes sharing the budget learned (pure:
the flow is stepped by hand, as the runtime would)."""

from __future__ import annotations

from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.flows.pacing import Learner
from kaltura_mm.runtime.effects import Now, SharedLimit, Start


def test_a_batch_sends_the_shared_limit_at_once_not_its_own_first_round() -> None:
    flow = delete_entries([f"0_{n}" for n in range(50)], pace=Pace())
    assert isinstance(next(flow), Now)
    asked = flow.send(100.0)
    assert asked == SharedLimit("baseEntry", "delete")
    effect = flow.send((7, 10.0))  # what the other processes learned: 7 per 10 s
    while not isinstance(effect, Start):
        assert isinstance(effect, Now)
        effect = flow.send(100.0)
    assert len(effect.call) == 7  # type: ignore[arg-type]
    flow.close()


def test_the_shared_limit_wins_over_what_a_run_learned_alone() -> None:
    alone = Learner(phase="paced", allowance=3, low=4.0, high=5.0, start=90.0, sent=3)
    shared = alone.sharing(12, 10.0, now=100.0)
    assert (shared.allowance, shared.low, shared.high) == (12, 10.0, 10.0)
    assert shared.next(100.0).items == 9  # the window still has room for 12 - 3
    opened = Learner().sharing(12, 10.0, now=100.0)
    step = opened.next(100.0)
    assert (step.at, step.items) == (100.0, 12)
    assert opened.raise_every > 10**9  # no raise is tried on a shared limit
