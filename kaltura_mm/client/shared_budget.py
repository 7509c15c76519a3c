"""The adapters' side of the shared rate budget: they answer the machine's ``AskBudget``.

The budget lives in the store (SQLite, PostgreSQL: ``kaltura_mm.budget``), so asking it is I/O,
and I/O is the adapters' (the runtime stays pure, as it is for HTTP): the machine says what it
needs to know (``Charge``, ``Learning``, ``KnownLimit``, in ``runtime.actions``), an adapter asks
the client's ``Gate`` here and feeds the ``BudgetAnswer`` back before its next ``next_action()``.
What an answer said was blocked goes back the same way: the adapter hands the answer's body to
``Gate.after`` with the ticket its ``Send`` carried.
"""

from __future__ import annotations

from typing import Any, Protocol

from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime.actions import AskBudget, BudgetAnswer, Charge, Learning


class SharedLimits(Protocol):
    """The rate budget the processes share, as an adapter asks it (``kaltura_mm.budget.Gate``)."""

    def known(
        self, service: str, action: str, learned: tuple[int, float] | None = None
    ) -> tuple[int, float] | None:
        """Return (calls, window seconds) for ``service.action``, or None if nothing is known;
        ``learned``: what this run learned alone, for the processes that share the budget."""

    def waits(self, service: str, action: str) -> float:
        """Return the seconds a paced batch of ``service.action`` waits before it is even sized
        (another process is learning the server's window), or 0."""

    def before(self, target: Call[Any] | MultiRequest) -> tuple[float, Any]:
        """Charge ``target``'s calls and return (0, a ticket), or (seconds to wait before
        asking again, None). The machine waits on its own clock, within the patience."""


def budget_answer(limits: SharedLimits, ask: AskBudget) -> BudgetAnswer:
    """Return the answer ``limits`` gives to the machine's question ``ask``."""
    question = ask.question
    if isinstance(question, Charge):
        return BudgetAnswer(ask.id, limits.before(question.target))
    if isinstance(question, Learning):
        return BudgetAnswer(ask.id, limits.waits(question.service, question.action))
    return BudgetAnswer(ask.id, limits.known(question.service, question.action, question.learned))
