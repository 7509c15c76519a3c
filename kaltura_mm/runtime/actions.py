"""What the machine asks of its adapter (actions) and what the adapter tells it (answers).

Plain values at the seam: a request is an ``HttpRequest`` description (bytes and file parts), an
answer is a status, headers and body bytes, or the ``KalturaError`` that stands for no usable
answer. Nothing here knows about sockets, threads or event loops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from kaltura_mm.errors import KalturaError
from kaltura_mm.protocol.calls import Call, MultiRequest

if TYPE_CHECKING:
    from kaltura_mm.protocol.wire import HttpRequest

# ---- out: actions ------------------------------------------------------------------------------


@attrs.frozen
class Send:
    """Send ``request``; answer later with ``Reply(id, ...)`` or ``Failed(id, ...)``.

    Sends may overlap: start each as it comes and answer them in any order. ``target`` is the
    ``Call`` or ``MultiRequest`` the request encodes (for logs and call-level fakes). ``alone``
    says nothing else can happen before its answer (no other send, nothing ready or asleep): an
    adapter may send it in place instead of handing it to a thread or a task. ``deadline`` (on
    the machine's clock; None: none) bounds each wait of the request (connecting, each write,
    the answer: ``runtime.silence``): an adapter answers ``Failed`` with a ``TransportError``
    rather than wait past it, whatever its own timeouts say. ``ticket``: what the shared rate
    budget charged for it (the ``Charge`` the adapter answered; None without a budget), for the
    adapter to hand back with the answer (``Gate.after(target, ticket, body)``) so the budget
    learns what the answer said was blocked.
    """

    id: int
    request: HttpRequest
    target: Call[Any] | MultiRequest = attrs.field(eq=False, repr=False)
    alone: bool = attrs.field(default=False, eq=False)
    deadline: float | None = attrs.field(default=None, eq=False)
    ticket: Any = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Wait:
    """Nothing to do until an answer arrives or the clock reaches ``until`` (None: no deadline).

    Feed whatever answers arrived (or none, once ``until`` passed), then ask for the next action.
    """

    until: float | None


@attrs.frozen
class Item:
    """An item a stream emitted: hand ``value`` to the consumer before asking for more."""

    value: Any


@attrs.frozen
class Done:
    """The flow returned ``result``; the run is over (drop any send still in flight)."""

    result: Any


# ---- the shared rate budget's questions (``AskBudget``) ----------------------------------------


@attrs.frozen
class Charge:
    """Charge ``target``'s calls to the budget, each to its own (service, action): the answer is
    ``(0, ticket)`` (send now), or ``(seconds to wait before asking again, None)``
    (``Gate.before``)."""

    target: Call[Any] | MultiRequest = attrs.field(repr=False)


@attrs.frozen
class Learning:
    """Whether another process learns ``service.action``'s window: the answer is the seconds a
    paced batch waits before it is even sized, or 0 (``Gate.waits``)."""

    service: str
    action: str


@attrs.frozen
class KnownLimit:
    """What the processes learned of ``service.action``'s limit: the answer is ``(calls, window
    seconds)`` or None; ``learned``: what this run learned alone, offered (``Gate.known``)."""

    service: str
    action: str
    learned: tuple[int, float] | None = None


BudgetQuestion: TypeAlias = Charge | Learning | KnownLimit


@attrs.frozen
class AskBudget:
    """Put ``question`` to the shared rate budget (the store: the adapter's I/O, never the
    machine's) and answer ``BudgetAnswer(id, value)`` before the next ``next_action()``.

    Asked only when ``Settings.shared_budget`` is set. The budget decides a wait; the machine
    carries it out on its clock (a hold: not the server's silence, ``runtime.silence``).
    """

    id: int
    question: BudgetQuestion


Action: TypeAlias = Send | Wait | AskBudget | Item | Done

# ---- in: answers -------------------------------------------------------------------------------


@attrs.frozen
class Reply:
    """The server's answer to send ``id``: HTTP status, headers and the whole body."""

    id: int
    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict, eq=False)
    body: bytes = b""


@attrs.frozen
class Failed:
    """No usable answer to send ``id``: a ``TransportError`` (or the ``ConfigError`` of a file
    that could not be read), raised where the adapter met it."""

    id: int
    error: KalturaError


@attrs.frozen
class BudgetAnswer:
    """The shared rate budget's answer to ``AskBudget(id, ...)`` (see its question's type)."""

    id: int
    value: Any = attrs.field(repr=False)


Answer: TypeAlias = Reply | Failed | BudgetAnswer
