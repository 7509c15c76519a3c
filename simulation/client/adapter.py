"""The fourth adapter of ``kaltura_mm.runtime``: the client's machine driven over the network.

It keeps the adapter contract (``kaltura_mm.runtime``'s docstring) the way ``Client`` keeps it
over httpx, with the network's virtual time for the clock:

- ``Send``: the request the client encoded is put on the wire as it is: its path under the
  service URL, its headers, its body with every ``FilePart`` read from disk in place (what the
  client's transport streams), then ``net.send``. A kill point raises ``Killed`` there: the
  machine is closed and the process dies; its requests in flight still run on the server.
- ``Wait(until)``: ``net.wait`` until an answer arrives, ``until`` passes, or a request's read
  timeout (``Config.timeouts.read``, what httpx would give) runs out; every answer is fed back.
- answers: a response is a ``Reply`` whatever its status (a 5xx page too: the client's decoder
  reads it); no answer is a ``TransportError``, with ``may_have_reached_server`` False only for
  a connection that never opened (``refused``), as the client's transport says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kaltura_mm.client.shared_budget import budget_answer
from kaltura_mm.errors import TransportError
from kaltura_mm.protocol.calls import FilePart
from kaltura_mm.protocol.wire import HttpRequest as WireRequest
from kaltura_mm.runtime import AskBudget, Done, Failed, Item, Machine, Reply, Send, Wait
from kaltura_mm.runtime.actions import Answer as MachineAnswer
from simulation.http import HttpRequest
from simulation.network import Answer, Network

if TYPE_CHECKING:
    from kaltura_mm.budget import Gate

_FAILURES = {
    "refused": ("could not reach the server: ConnectError: connection refused", False),
    "reset": ("the connection failed: RemoteProtocolError: connection reset", True),
    "lost": ("the connection failed: ReadError: the answer never came", True),
}


def on_the_wire(request: WireRequest, service_url: str) -> HttpRequest:
    """Return ``request`` as the server receives it: file parts read from disk, in order."""
    body = b"".join(
        segment if isinstance(segment, bytes) else _read(segment) for segment in request.body
    )
    return HttpRequest(request.method, service_url + request.path, dict(request.headers), body)


def _read(part: FilePart) -> bytes:
    with open(part.path, "rb") as handle:
        handle.seek(part.offset)
        return handle.read(-1 if part.length is None else part.length)


class Adapter:
    """Drive one machine over ``net`` until its flow is done (or the process is killed)."""

    def __init__(self, net: Network, service_url: str, read_timeout: float) -> None:
        self.net, self.service_url, self.read_timeout = net, service_url, read_timeout
        self._sends: dict[int, Send] = {}  # network ticket -> the send it carries
        self._deadlines: dict[int, float] = {}  # network ticket -> when the read times out
        self.gate: Gate | None = None  # the shared rate budget's, told each answer (as sync.py)

    def run(self, machine: Machine, on_item: Callable[[Any], None] | None = None) -> Any:
        """Return the flow's result; hand each item to ``on_item``; raise what the flow raised."""
        try:
            while True:
                action = machine.next_action()
                if isinstance(action, Send):
                    self.send(action)
                elif isinstance(action, AskBudget):  # the store is the adapter's, as a client's
                    assert self.gate is not None
                    machine.answer(budget_answer(self.gate, action))
                elif isinstance(action, Wait):
                    for answer in self._arrivals(action.until):
                        machine.answer(answer)
                elif isinstance(action, Item):
                    if on_item is not None:
                        on_item(action.value)
                else:
                    assert isinstance(action, Done)
                    return action.result
        finally:
            machine.close()
            self._sends.clear()
            self._deadlines.clear()

    def send(self, send: Send) -> int:
        """Put ``send`` on the wire; return the network's ticket for it."""
        ticket = self.net.send(on_the_wire(send.request, self.service_url))
        self._sends[ticket] = send
        self._deadlines[ticket] = self.net.clock.now() + self.read_timeout
        return ticket

    def due(self) -> list[float]:
        """Return when each request in flight times out."""
        return list(self._deadlines.values())

    def timed_out(self, now: float) -> list[tuple[int, MachineAnswer]]:
        """Return (ticket, a timeout) for each request in flight whose read wait ran out."""
        due = [t for t, at in self._deadlines.items() if at <= now and t in self._sends]
        return [(ticket, self._timed_out(ticket)) for ticket in due]

    def _arrivals(self, until: float | None) -> list[MachineAnswer]:
        deadline = min(self._deadlines.values(), default=None)
        if deadline is not None and (until is None or deadline < until):
            until = deadline
        answers = [self.answer(a) for a in self.net.wait(until) if a.ticket in self._sends]
        now = self.net.clock.now()
        for ticket, due in list(self._deadlines.items()):
            if due <= now and ticket in self._sends:
                answers.append(self._timed_out(ticket))
        return answers

    def answer(self, arrived: Answer) -> MachineAnswer:
        """Return what the machine is told of an answer the network brought."""
        send = self._sends.pop(arrived.ticket)
        del self._deadlines[arrived.ticket]
        response = arrived.response
        if response is None:
            message, maybe = _FAILURES[arrived.failure]
            error = TransportError(message, may_have_reached_server=maybe, call=send.target.label)
            return Failed(send.id, error)
        if self.gate is not None and send.ticket:  # the shared rate budget learns
            self.gate.after(send.target, send.ticket, response.body)
        return Reply(send.id, response.status, dict(response.headers), response.body)

    def _timed_out(self, ticket: int) -> MachineAnswer:
        send = self._sends.pop(ticket)
        del self._deadlines[ticket]
        self.net.faults["read_timeout"] += 1
        error = TransportError(
            "no answer in time: ReadTimeout", may_have_reached_server=True, call=send.target.label
        )
        return Failed(send.id, error)
