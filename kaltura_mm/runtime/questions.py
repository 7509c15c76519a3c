"""The shared rate budget's questions a machine has out: who asked, and which are unanswered.

The budget lives in the store, so the machine never asks it itself: it gives out ``AskBudget``
and its adapter answers (``runtime.actions``). An adapter answers each question before its next
``next_action()``, so a run asks in a fixed order and replays; ``Questions`` keeps that rule.
"""

from __future__ import annotations

import itertools
from typing import Any

from kaltura_mm.runtime.actions import AskBudget, BudgetAnswer, BudgetQuestion
from kaltura_mm.runtime.tasks import Task


class Questions:
    """The questions asked and not yet answered: id -> (the task, the question, what about)."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._asked: dict[int, tuple[Task, BudgetQuestion, Any]] = {}
        self._given: set[int] = set()  # handed to the adapter, not answered yet

    def __bool__(self) -> bool:
        return bool(self._asked)

    def ask(self, task: Task, question: BudgetQuestion, about: Any) -> AskBudget:
        """Return the action asking ``question`` for ``task`` (``about``: what it waits with)."""
        ask = AskBudget(next(self._ids), question)
        self._asked[ask.id] = (task, question, about)
        return ask

    def given(self, ask: AskBudget) -> None:
        """``ask`` went to the adapter: it must be answered before the next action."""
        self._given.add(ask.id)

    def check_answered(self) -> None:
        """Raise if a question handed out is still unanswered (the adapter's rule)."""
        if self._given:
            raise RuntimeError("answer AskBudget with BudgetAnswer before the next action")

    def answered(self, answer: BudgetAnswer) -> tuple[Task, BudgetQuestion, Any] | None:
        """Return who asked what ``answer`` answers, or None (a question no task waits for)."""
        self._given.discard(answer.id)
        asked = self._asked.pop(answer.id, None)
        return None if asked is None or asked[0].over else asked

    def clear(self) -> None:
        """Forget every question (the run ended)."""
        self._asked.clear()
        self._given.clear()
