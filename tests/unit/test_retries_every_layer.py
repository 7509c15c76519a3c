"""One retries knob bounds every layer (issue 18 A), on the virtual clock.

``--retries N`` makes the run's ``RetryPolicy`` send a request N + 1 times in all, blocked or
failed, with no patient rounds beyond (``commands/context.py``). A server whose rate limiter
blocks everything for ever is sent each request exactly that often, whichever layer sends
again: the runtime's own retries, the batch engine's blocked items, the reads of a sync's link
lists, a membership read. And the shared rate budget's wait runs on the same clock: within the
patience, the request's deadline counted from its sending after the wait.
"""

from __future__ import annotations

from collections import Counter
from random import Random
from typing import Any

import pytest

from kaltura_mm.client.shared_budget import budget_answer
from kaltura_mm.errors import ActionBlockedError, ApiError, ServerSilentError, TransportError
from kaltura_mm.flows.entries import delete_entries
from kaltura_mm.flows.membership import read_membership
from kaltura_mm.ks import FixedKs
from kaltura_mm.models import MediaEntry
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime import Done, Failed, Machine, Reply, RetryPolicy, Send, Settings, Wait
from kaltura_mm.runtime.actions import Action, Answer, AskBudget
from kaltura_mm.runtime.effects import Flow, single
from kaltura_mm.runtime.patience import patiently
from kaltura_mm.services import base_entry
from kaltura_mm.sync.server import _batched
from kaltura_mm.testing import answer_for, drive

BLOCKED = ApiError.create("ACTION_BLOCKED", "Action is blocked")


def retries(n: int) -> RetryPolicy:
    """The policy ``--retries n`` gives a run (``commands/context.py``)."""
    return RetryPolicy(attempts=n + 1, throttled_attempts=n + 1, patience_rounds=1)


class BlockingServer:
    """A rate limiter that blocks every call, counting what it was sent per (service.action)."""

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    def respond(self, send: Send) -> Reply | Failed:
        calls = send.target.calls if isinstance(send.target, MultiRequest) else (send.target,)
        self.sent.update(f"{c.service}.{c.action}" for c in calls)
        if isinstance(send.target, MultiRequest):
            return answer_for(send, [BLOCKED] * len(calls))
        return answer_for(send, BLOCKED)


@pytest.mark.parametrize("n", [0, 2])
def test_a_single_call_is_sent_retries_plus_one_times(n: int) -> None:
    server = BlockingServer()
    with pytest.raises(ActionBlockedError):
        drive(single(base_entry.get("0_a")), server, retry=retries(n))
    assert server.sent == {"baseEntry.get": n + 1}


@pytest.mark.parametrize("n", [0, 3])
def test_a_patient_read_is_sent_retries_plus_one_times(n: int) -> None:
    server = BlockingServer()
    with pytest.raises(ActionBlockedError):
        drive(patiently(base_entry.get("0_a")), server, retry=retries(n))
    assert server.sent == {"baseEntry.get": n + 1}


@pytest.mark.parametrize("n", [0, 4])
def test_the_batch_engine_sends_a_blocked_item_retries_plus_one_times(n: int) -> None:
    server = BlockingServer()
    ids = [f"0_{i}" for i in range(5)]
    outcomes = drive(delete_entries(ids), server, retry=retries(n)).result
    assert [o.status for o in outcomes] == ["failed"] * 5
    assert all(isinstance(o.error, ActionBlockedError) for o in outcomes)
    assert server.sent == {"baseEntry.delete": 5 * (n + 1)}


@pytest.mark.parametrize("n", [0, 2])
def test_a_membership_read_sends_a_blocked_list_retries_plus_one_times(n: int) -> None:
    server = BlockingServer()
    with pytest.raises(ActionBlockedError):
        drive(read_membership(["0_a"], [7]), server, retry=retries(n))
    assert server.sent == {"categoryEntry.list": n + 1}


@pytest.mark.parametrize("n", [0, 2])
def test_a_syncs_batched_reads_send_a_blocked_call_retries_plus_one_times(n: int) -> None:
    server = BlockingServer()
    reads = [base_entry.get("0_a"), base_entry.get("0_b")]
    with pytest.raises(ActionBlockedError):
        drive(_batched(reads), server, retry=retries(n))
    assert server.sent == {"baseEntry.get": 2 * (n + 1)}


def test_the_default_policy_still_rides_out_a_few_blocked_windows() -> None:
    server = BlockingServer()
    ids = [f"0_{i}" for i in range(3)]
    driven = drive(delete_entries(ids), server)
    assert server.sent == {"baseEntry.delete": 3 * RetryPolicy().throttled_attempts}
    assert sum(driven.slept) > 10  # the windows were waited for, on the virtual clock


# ---- the shared rate budget's wait --------------------------------------------------------------


class SlowBudget:
    """A shared budget that makes each request wait ``wait`` s, ``turns`` times, then charges."""

    def __init__(self, wait: float, turns: int) -> None:
        self.wait, self.turns = wait, turns
        self.asked = 0

    def known(
        self, service: str, action: str, learned: tuple[int, float] | None = None
    ) -> tuple[int, float] | None:
        return None

    def waits(self, service: str, action: str) -> float:
        return 0.0

    def before(self, target: Call[Any] | MultiRequest) -> tuple[float, Any]:
        self.asked += 1
        if self.asked <= self.turns:
            return self.wait, None
        return 0.0, f"ticket {self.asked}"


class Budgeted:
    """A machine whose shared-budget questions are answered from ``budget`` in place, as the
    clients answer them (``client.shared_budget``): the machine never asks the budget itself."""

    def __init__(self, machine: Machine, budget: SlowBudget) -> None:
        self.machine, self.budget = machine, budget

    def next_action(self) -> Action:
        while isinstance(action := self.machine.next_action(), AskBudget):
            self.machine.answer(budget_answer(self.budget, action))
        return action

    def answer(self, answer: Answer) -> None:
        self.machine.answer(answer)


def _machine(
    flow: Flow[Any], budget: SlowBudget, clock: list[float], patience: float, attempts: int = 2
) -> Budgeted:
    settings = Settings(
        ks=FixedKs("ks"),
        retry=RetryPolicy(patience=patience, attempts=attempts),
        shared_budget=True,
    )
    return Budgeted(Machine(flow, settings, clock=lambda: clock[0], random=Random(0)), budget)


def test_a_request_that_waited_for_the_budget_gets_its_whole_patience_after_the_wait() -> None:
    clock, budget = [0.0], SlowBudget(wait=45.0, turns=2)
    machine = _machine(single(base_entry.get("0_a")), budget, clock, patience=60.0)
    waits = []
    while isinstance(action := machine.next_action(), Wait):
        assert action.until is not None
        waits.append(action.until)
        clock[0] = action.until
    assert waits == [45.0, 90.0]  # the machine waited, on its clock, for the budget's turn
    assert isinstance(action, Send) and action.ticket == "ticket 3"  # the adapter hands it back
    assert action.deadline == 90.0 + 60.0  # counted from the sending, not from the first ask
    machine.answer(answer_for(action, MediaEntry(id="0_a", name="a")))
    assert isinstance(machine.next_action(), Done)


def _held_after_a_failure(attempts: int) -> tuple[Budgeted, list[float], Send]:
    """A run whose first request failed at 10 s (the server silent since 0), and whose budget
    then holds its next send 25 s five times: 125 s, longer than the patience of 30 s."""
    clock, budget = [0.0], SlowBudget(wait=0.0, turns=0)
    machine = _machine(single(base_entry.get("0_a")), budget, clock, 30.0, attempts=attempts)
    send = machine.next_action()
    assert isinstance(send, Send)
    clock[0] = 10.0
    machine.answer(
        Failed(send.id, TransportError("connection reset", may_have_reached_server=True))
    )
    budget.turns, budget.wait = budget.asked + 5, 25.0
    while isinstance(action := machine.next_action(), Wait):
        assert action.until is not None
        clock[0] = action.until
    assert isinstance(action, Send)
    return machine, clock, action


def test_a_hold_by_the_budget_is_not_the_servers_silence() -> None:
    machine, clock, send = _held_after_a_failure(attempts=3)
    assert clock[0] > 125.0  # the hold was waited, past the patience: it is ours, not the server's
    assert send.deadline == pytest.approx(0.0 + 125.0 + 30.0)  # silent since 0, held 125 s
    machine.answer(answer_for(send, MediaEntry(id="0_a", name="a")))
    done = machine.next_action()
    assert isinstance(done, Done) and done.result.id == "0_a"


def test_a_dead_server_is_still_reported_after_a_hold_within_the_patience_of_sending() -> None:
    machine, clock, send = _held_after_a_failure(attempts=8)
    sent_after_hold = clock[0]
    reset = TransportError("connection reset", may_have_reached_server=True)
    with pytest.raises(ServerSilentError) as caught:
        while True:
            if isinstance(send, Send):
                machine.answer(Failed(send.id, reset))
            elif isinstance(send, Wait) and send.until is not None:
                clock[0] = send.until
            send = machine.next_action()
    # the silence counts the 10 s before the hold and the time since: not the hold itself
    assert caught.value.silent_for <= 30.0
    assert clock[0] <= sent_after_hold + 30.0


def test_a_batch_answer_says_when_it_went_out_after_the_budgets_hold() -> None:
    clock, budget = [0.0], SlowBudget(wait=45.0, turns=1)
    batch = MultiRequest(paced=True)
    batch.add(base_entry.delete("0_a"))
    machine = _machine(single(batch), budget, clock, patience=60.0)
    while isinstance(action := machine.next_action(), Wait):
        assert action.until is not None
        clock[0] = action.until
    assert isinstance(action, Send)
    clock[0] = 46.0
    machine.answer(Reply(action.id, 200, {}, b"[null]"))
    done = machine.next_action()
    assert isinstance(done, Done)
    # the batch engine times the server's window from this, not from when it asked to send
    assert done.result.sent_at == 45.0
