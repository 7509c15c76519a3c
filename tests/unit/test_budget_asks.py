"""The machine asks the shared rate budget with an action; it never calls the store itself.

The budget lives in the store (SQLite, PostgreSQL): asking it is I/O, so the machine gives out
``AskBudget`` and the adapter answers ``BudgetAnswer`` before its next ``next_action()``, as
the clients do (``client.shared_budget``). Driven by hand here, on a list clock.
"""

from __future__ import annotations

from random import Random
from typing import Any

import pytest

from kaltura_mm.ks import FixedKs
from kaltura_mm.models import MediaEntry
from kaltura_mm.runtime import (
    AskBudget,
    BudgetAnswer,
    Charge,
    Done,
    KnownLimit,
    Learning,
    Machine,
    Send,
    Settings,
    Wait,
)
from kaltura_mm.runtime.effects import Flow, SharedLimit, single
from kaltura_mm.services import base_entry
from kaltura_mm.testing import answer_for


def _machine(flow: Flow[Any], clock: list[float], shared: bool = True) -> Machine:
    settings = Settings(ks=FixedKs("ks"), shared_budget=shared)
    return Machine(flow, settings, clock=lambda: clock[0], random=Random(0))


def test_without_a_shared_budget_nothing_is_asked() -> None:
    machine = _machine(single(base_entry.get("0_a")), [0.0], shared=False)
    send = machine.next_action()
    assert isinstance(send, Send) and send.ticket is None


def test_each_send_is_charged_first_and_carries_the_budgets_ticket() -> None:
    clock = [0.0]
    machine = _machine(single(base_entry.get("0_a")), clock)
    ask = machine.next_action()
    assert isinstance(ask, AskBudget) and isinstance(ask.question, Charge)
    assert ask.question.target.action == "get"
    machine.answer(BudgetAnswer(ask.id, (12.0, None)))  # not yet: wait 12 s, then ask again
    wait = machine.next_action()
    assert isinstance(wait, Wait) and wait.until == 12.0
    clock[0] = 12.0
    again = machine.next_action()
    assert isinstance(again, AskBudget) and isinstance(again.question, Charge)
    machine.answer(BudgetAnswer(again.id, (0.0, "ticket")))
    send = machine.next_action()
    assert isinstance(send, Send) and send.ticket == "ticket"
    machine.answer(answer_for(send, MediaEntry(id="0_a", name="a")))
    assert isinstance(machine.next_action(), Done)


def test_a_question_must_be_answered_before_the_next_action() -> None:
    machine = _machine(single(base_entry.get("0_a")), [0.0])
    assert isinstance(machine.next_action(), AskBudget)
    with pytest.raises(RuntimeError, match="answer AskBudget"):
        machine.next_action()


def test_a_paced_batch_is_held_while_another_process_learns_then_told_the_limit() -> None:
    def sizing() -> Flow[Any]:
        return (yield SharedLimit("baseEntry", "delete"))

    clock = [0.0]
    machine = _machine(sizing(), clock)
    learning = machine.next_action()
    assert isinstance(learning, AskBudget) and learning.question == Learning("baseEntry", "delete")
    machine.answer(BudgetAnswer(learning.id, 5.0))  # another process learns: hold 5 s
    wait = machine.next_action()
    assert isinstance(wait, Wait) and wait.until == 5.0
    clock[0] = 5.0
    learning = machine.next_action()
    assert isinstance(learning, AskBudget) and isinstance(learning.question, Learning)
    machine.answer(BudgetAnswer(learning.id, 0.0))
    known = machine.next_action()
    assert isinstance(known, AskBudget)
    assert known.question == KnownLimit("baseEntry", "delete", None)
    machine.answer(BudgetAnswer(known.id, (30, 10.0)))
    done = machine.next_action()
    assert isinstance(done, Done) and done.result == (30, 10.0)
