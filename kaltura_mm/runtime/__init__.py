"""The runtime: one pure machine that runs flows, and the contract its adapters keep.

Flows (``kaltura_mm.runtime.effects``) say *what* to do; the ``Machine`` decides *when*: it runs
the flow and everything it starts (calls, background calls, interleaved sub-flows, sleeps), with
the one retry policy (``retry``) and KS renewal (``renewal``) wrapped around each call. It does no
I/O: it gives out actions and takes in answers. An *adapter* does the I/O. ``Client`` (threads),
``AsyncClient`` (asyncio) and ``kaltura_mm.testing.drive`` (a script and a virtual clock) are the
three adapters in this package; a simulation is a fourth.

Actions out (``next_action()``):

| action                  | the adapter                                                        |
|-------------------------|--------------------------------------------------------------------|
| ``Send(id, request)``   | starts sending ``request`` (an ``HttpRequest``: method, path,     |
|                         | headers, body of bytes and ``FilePart`` segments); sends overlap.  |
|                         | ``alone`` says nothing else can happen before its answer: the      |
|                         | adapter may send it in place (no thread or task to start).         |
|                         | ``ticket``: the shared budget's charge, handed back with the       |
|                         | answer (``Gate.after``: what it said was blocked); the machine     |
|                         | already waited for its turn                                        |
| ``AskBudget(id, q)``    | asks the shared rate budget (the store: I/O, so the adapter's)     |
|                         | ``q``: ``Charge(target)``, ``Learning(svc, action)`` or            |
|                         | ``KnownLimit(svc, action, learned)``; answers ``BudgetAnswer(id,   |
|                         | value)`` at once, before the next ``next_action()``                |
| ``Wait(until)``         | waits until an answer arrives or its clock reaches ``until``      |
|                         | (``None``: until an answer), then feeds what arrived               |
| ``Item(value)``         | hands ``value`` to whoever iterates the flow                       |
| ``Done(result)``        | returns ``result``; sends still in flight are dropped             |

Answers in (``answer(...)``): ``Reply(id, status, headers, body)`` for a response, whatever its
status; ``BudgetAnswer(id, value)`` for a budget question (only asked when
``Settings.shared_budget`` is set; ``client.shared_budget.budget_answer`` asks a ``Gate``);
``Failed(id, error)`` when no usable answer came (a ``TransportError``, with
``may_have_reached_server`` set truthfully). Answers may come in any order; an answer to a send
the run no longer waits for is dropped. Errors the flow does not handle are raised by
``next_action()``; ``close()`` ends a run early (the consumer stopped iterating).

Time and chance are injected: ``clock`` (monotonic seconds) dates sleeps, backoffs and
``Now()``; ``random`` (a ``random.Random``) draws backoff jitter, ``Draw()`` and multipart
boundaries. Every wait of a run is the machine's: flows ask for it (``runtime.poll`` for the
server to reach a state, ``Backoff``: ``runtime.throttle``), and so does the shared rate
budget's turn before a send (the budget says how long: ``AskBudget``); the adapter only
carries out ``Wait`` on its clock (``runtime.clock``: ``SystemTime``, or ``VirtualTime`` for
simulated time). Fed the same answers at the same clock
readings with the same seed, a run makes the same actions, byte for byte, given a KS that does
not change by itself: ``SecretKs`` makes its KS from the wall clock and fresh random bytes, so a
replay uses a ``FixedKs`` (or a provider of its own).

How to write an adapter::

    machine = Machine(flow, settings, clock=my_clock, random=Random(seed))
    try:
        while True:
            action = machine.next_action()
            if isinstance(action, Send):
                start_sending(action)          # later: machine.answer(Reply(...) or Failed(...))
            elif isinstance(action, Wait):
                for answer in answers_until(action.until):   # blocks; may return none
                    machine.answer(answer)
            elif isinstance(action, AskBudget):
                machine.answer(budget_answer(my_gate, action))   # the store's I/O, now
            elif isinstance(action, Item):
                hand_out(action.value)
            else:
                return action.result           # Done
    finally:
        machine.close()
        drop_sends_in_flight()

The three rules an adapter keeps: feed answers only between ``next_action()`` calls (the machine
is not thread-safe; one thread or task drives it); use the same clock it gave the machine; map
its transport's exceptions to ``TransportError``/``ConfigError`` in one place and nowhere else.
"""

from __future__ import annotations

import typing as _typing

from kaltura_mm import lazy_import as _lazy_import

# public name -> module; loaded on first use, so that building a client stays fast.
_EXPORTS = {
    "Action": "kaltura_mm.runtime.actions",
    "Answer": "kaltura_mm.runtime.actions",
    "AskBudget": "kaltura_mm.runtime.actions",
    "BudgetAnswer": "kaltura_mm.runtime.actions",
    "Charge": "kaltura_mm.runtime.actions",
    "Clock": "kaltura_mm.runtime.machine",
    "Done": "kaltura_mm.runtime.actions",
    "Failed": "kaltura_mm.runtime.actions",
    "Item": "kaltura_mm.runtime.actions",
    "KnownLimit": "kaltura_mm.runtime.actions",
    "Learning": "kaltura_mm.runtime.actions",
    "Machine": "kaltura_mm.runtime.machine",
    "Reply": "kaltura_mm.runtime.actions",
    "RetryPolicy": "kaltura_mm.runtime.retry",
    "Send": "kaltura_mm.runtime.actions",
    "Settings": "kaltura_mm.runtime.settings",
    "SystemTime": "kaltura_mm.runtime.clock",
    "TimeSource": "kaltura_mm.runtime.clock",
    "VirtualTime": "kaltura_mm.runtime.clock",
    "Wait": "kaltura_mm.runtime.actions",
}

if _typing.TYPE_CHECKING:
    from kaltura_mm.runtime.actions import Action as Action
    from kaltura_mm.runtime.actions import Answer as Answer
    from kaltura_mm.runtime.actions import AskBudget as AskBudget
    from kaltura_mm.runtime.actions import BudgetAnswer as BudgetAnswer
    from kaltura_mm.runtime.actions import Charge as Charge
    from kaltura_mm.runtime.actions import Done as Done
    from kaltura_mm.runtime.actions import Failed as Failed
    from kaltura_mm.runtime.actions import Item as Item
    from kaltura_mm.runtime.actions import KnownLimit as KnownLimit
    from kaltura_mm.runtime.actions import Learning as Learning
    from kaltura_mm.runtime.actions import Reply as Reply
    from kaltura_mm.runtime.actions import Send as Send
    from kaltura_mm.runtime.actions import Wait as Wait
    from kaltura_mm.runtime.clock import SystemTime as SystemTime
    from kaltura_mm.runtime.clock import TimeSource as TimeSource
    from kaltura_mm.runtime.clock import VirtualTime as VirtualTime
    from kaltura_mm.runtime.machine import Clock as Clock
    from kaltura_mm.runtime.machine import Machine as Machine
    from kaltura_mm.runtime.retry import RetryPolicy as RetryPolicy
    from kaltura_mm.runtime.settings import Settings as Settings
else:
    __all__, __getattr__, __dir__ = _lazy_import.exports(__name__, _EXPORTS)
