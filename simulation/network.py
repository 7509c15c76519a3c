"""The seeded network between a driver and the model: a discrete-event loop on virtual time.

A driver ``send``s requests (each gets a ticket), asks to ``sleep_until`` a time, and takes
``next_event()``s: the answer to one of its tickets (a response, or a transport failure) or a
wake-up. Everything else happens in between, in virtual time, decided by the seed:
- each request reaches the server after a drawn latency and is served in steps (see
  ``model.jobs``), each step taking a drawn server time; requests in flight interleave there,
  which is where upload chunks race;
- faults (per request, by seed): refused (the connection never opened: provably not sent), lost
  before it runs (a reset: the client cannot tell), run but its answer lost, a 5xx page instead
  of the answer (before or after running), ``ACTION_BLOCKED`` on every call;
- a scenario's background actions (another user deleting entries during a walk…) at set times;
- budgets: more requests, virtual seconds or server steps than the scenario allows raises
  ``BudgetExceeded`` (a loop that does not end); a kill point raises ``Killed`` in the driver.

The client's runtime plugs in here (``simulation.client.adapter``): its "send request N" and
"wait until T" map one to one onto ``send`` and ``wait``.
"""

from __future__ import annotations

import hashlib
import heapq
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulation.http import HttpRequest, HttpResponse
from simulation.knobs import NetworkKnobs
from simulation.model import Job, KalturaModel, Pause

_SERVICE = re.compile(r"/service/([^/?]+)(?:/action/([^/?]+))?", re.IGNORECASE)
_PAGES = {
    502: b"<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>",
    503: b"<html><head><title>503 Service Unavailable</title></head><body></body></html>",
    504: b"<html><head><title>504 Gateway Time-out</title></head><body></body></html>",
}


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to ticket ``ticket``: a response, or a transport failure (``response`` None):
    ``failure`` is ``refused`` (provably never sent), ``reset`` or ``lost`` (it may have run)."""

    ticket: int
    response: HttpResponse | None
    failure: str = ""


@dataclass(frozen=True, slots=True)
class Wakeup:
    """A driver's ``sleep_until`` came due."""

    ticket: int


Event = Answer | Wakeup


@dataclass(frozen=True, slots=True)
class Budget:
    """How much a scenario may take before its loops count as endless."""

    requests: int = 5_000
    virtual_seconds: float = 6 * 3600.0
    steps: int = 200_000


class BudgetExceeded(Exception):
    """A driver went past its budget: a loop that did not end within bounds."""


class Killed(Exception):
    """The scenario's kill point: the driver process dies here."""


class Idle(Exception):
    """The driver waits for an event while nothing is in flight or due."""


@dataclass(slots=True)
class _Flight:
    ticket: int
    process: int
    name: str
    job: Job | None
    fate: str


def action_name(request: HttpRequest) -> str:
    """Return ``service.action`` (lower case) named by a request's URL, or ``multirequest``."""
    match = _SERVICE.search(request.path)
    if not match:
        return "?"
    service = match.group(1).lower()
    return service if service == "multirequest" else f"{service}.{(match.group(2) or '').lower()}"


def error_page(status: int) -> HttpResponse:
    """Return a load balancer's 5xx page."""
    return HttpResponse(status, {"Content-Type": "text/html"}, _PAGES[status])


class Network:
    """Carry a driver's requests to the model and the answers back, by seed."""

    def __init__(
        self,
        model: KalturaModel,
        knobs: NetworkKnobs,
        rng: random.Random,
        budget: Budget = Budget(),
        trace: list[str] | None = None,
    ) -> None:
        self.model, self.knobs, self.rng, self.budget = model, knobs, rng, budget
        self.clock = model.clock
        self.started = self.clock.now()
        self.trace = trace
        self.sent: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.steps = 0
        self.process = 1
        self.kill_points: list[int] = []  # requests into each process at which it dies
        self._process_start = 0
        self._heap: list[tuple[float, int, str, Any]] = []
        self._serial = 0
        self._tickets = 0
        self._requests = 0
        self._mailbox: dict[int, Event] = {}

    @property
    def requests(self) -> int:
        """Return how many requests the drivers sent."""
        return self._requests

    def _push(self, when: float, kind: str, payload: Any) -> None:
        self._serial += 1
        heapq.heappush(self._heap, (when, self._serial, kind, payload))

    def _log(self, text: str) -> None:
        if self.trace is not None:
            self.trace.append(f"{self.clock.now() - self.started:10.3f}s {text}")

    def _latency(self) -> float:
        low, high = self.knobs.latency
        value = self.rng.uniform(low, high) if high > 0 else 0.0
        if self.knobs.slow_tail and self.rng.random() < self.knobs.slow_tail:
            value *= 20
        return value

    def _step_time(self) -> float:
        low, high = self.knobs.step_time
        return self.rng.uniform(low, high) if high > 0 else 0.0

    def _draw_fate(self) -> str:
        k, roll = self.knobs, self.rng.random()
        for fate, chance in (
            ("refused", k.refused),
            ("reset", k.reset),
            ("lost", k.lost_answer),
            ("5xx-before", k.error_5xx / 2),
            ("5xx-after", k.error_5xx / 2),
            ("blocked", k.blocked),
        ):
            if roll < chance:
                return fate
            roll -= chance
        return "ok"

    def send(self, request: HttpRequest) -> int:
        """Send a request; return its ticket (its answer comes as an ``Answer`` event)."""
        if self.kill_points and self._requests - self._process_start >= self.kill_points[0]:
            self.kill_points.pop(0)
            raise Killed(f"killed after {self._requests} requests")
        if self._requests >= self.budget.requests:
            raise BudgetExceeded(f"more than {self.budget.requests} requests")
        self._requests += 1
        self._tickets += 1
        ticket, name, fate = self._tickets, action_name(request), self._draw_fate()
        self.sent[name] += 1
        if self.trace is not None:
            digest = hashlib.sha256(request.url.encode() + request.body).hexdigest()[:12]
            self._log(f"#{ticket} -> {name} {digest}" + ("" if fate == "ok" else f" [{fate}]"))
        arrive = self.clock.now() + self._latency()
        if fate in ("refused", "reset", "5xx-before"):
            self.faults[fate] += 1
            answer = None if fate == "5xx-before" else Answer(ticket, None, fate)
            self._push(arrive + self._latency(), "deliver", (self.process, answer, ticket))
            return ticket
        job = self.model.submit(request, blocked=fate == "blocked")
        self._push(arrive, "step", _Flight(ticket, self.process, name, job, fate))
        return ticket

    def sleep_until(self, when: float) -> int:
        """Ask for a ``Wakeup`` event at ``when``; return its ticket."""
        self._tickets += 1
        self._push(max(when, self.clock.now()), "wake", (self.process, self._tickets))
        return self._tickets

    def at(self, when: float, action: Callable[[], object]) -> None:
        """Run ``action`` (a background actor's move) at virtual time ``when``."""
        self._push(when, "background", action)

    def next_event(self) -> Event:
        """Run the world until the driver has something to take, and return it."""
        self._run_until(lambda: bool(self._mailbox))
        return self._mailbox.pop(min(self._mailbox))

    def wait(self, until: float | None) -> list[Answer]:
        """Run the world until an answer arrives or the clock reaches ``until`` (None: until an
        answer); return the answers that arrived, oldest ticket first (maybe none).

        This is the runtime machine's ``Wait(until)``, one to one."""
        while not any(isinstance(e, Answer) for e in self._mailbox.values()):
            if not self._heap and until is None:
                raise Idle("the driver waits but nothing is in flight")
            if not self._heap or (until is not None and self._heap[0][0] > until):
                self.clock.advance_to(until or self.clock.now())
                return []
            self._pop_one()
        answers = [e for _, e in sorted(self._mailbox.items()) if isinstance(e, Answer)]
        for answer in answers:
            del self._mailbox[answer.ticket]
        return answers

    def wait_for(self, ticket: int) -> Event:
        """Return the event for ``ticket``, keeping others for later ``next_event`` calls."""
        self._run_until(lambda: ticket in self._mailbox)
        return self._mailbox.pop(ticket)

    def _run_until(self, done: Callable[[], bool]) -> None:
        while not done():
            if not self._heap:
                raise Idle("the driver waits but nothing is in flight")
            self._pop_one()

    def _pop_one(self) -> None:
        when, _, kind, payload = heapq.heappop(self._heap)
        self.clock.advance_to(when)
        if self.clock.now() - self.started > self.budget.virtual_seconds:
            raise BudgetExceeded(f"more than {self.budget.virtual_seconds:.0f} virtual s")
        self._handle(kind, payload)

    def _handle(self, kind: str, payload: Any) -> None:
        if kind == "step":
            self._step(payload)
        elif kind == "deliver":
            process, answer, ticket = payload
            if answer is None:
                answer = Answer(ticket, error_page(self.rng.choice((502, 503, 504))))
            self._deliver(process, answer)
        elif kind == "wake":
            process, ticket = payload
            if process == self.process:
                self._mailbox[ticket] = Wakeup(ticket)
        else:
            payload()

    def _step(self, flight: _Flight) -> None:
        self.steps += 1
        if self.steps > self.budget.steps:
            raise BudgetExceeded(f"more than {self.budget.steps} server steps")
        assert flight.job is not None
        outcome = flight.job.step()
        done = self.clock.now() + self._step_time()
        if isinstance(outcome, Pause):
            self._push(max(done, outcome.until or 0.0), "step", flight)
            return
        answer = Answer(flight.ticket, outcome)
        if flight.fate == "lost":
            answer = Answer(flight.ticket, None, "lost")
        elif flight.fate == "5xx-after":
            answer = Answer(flight.ticket, error_page(504))
        if flight.fate != "ok":
            self.faults[flight.fate] += 1
        self._push(done + self._latency(), "deliver", (flight.process, answer, flight.ticket))

    def _deliver(self, process: int, answer: Answer) -> None:
        if process != self.process:
            self._log(f"#{answer.ticket} answer dropped (its process was killed)")
            return
        if answer.response is None:
            self._log(f"#{answer.ticket} <- transport failure ({answer.failure})")
        else:
            self._log(f"#{answer.ticket} <- {answer.response.status} {_summary(answer.response)}")
        self._mailbox[answer.ticket] = answer

    def restart(self) -> None:
        """Start a new driver process: answers still owed to the killed one are dropped."""
        self.process += 1
        self._process_start = self._requests
        self._mailbox.clear()
        self._log(f"process {self.process} starts")

    def settle(self, horizon: float = 900.0) -> None:
        """Let every request in flight finish and the world run ``horizon`` more seconds."""
        end = self.clock.now() + horizon
        while self._heap and self._heap[0][0] <= end:
            when, _, kind, payload = heapq.heappop(self._heap)
            self.clock.advance_to(when)
            if kind != "wake":
                self._handle(kind, payload)
        self.clock.advance_to(end)
        self._mailbox.clear()


def _summary(response: HttpResponse) -> str:
    body = response.body
    if b'"KalturaAPIException"' in body[:400]:
        code = re.search(rb'"code":"([^"]+)"', body)
        return f"error {code.group(1).decode() if code else '?'}"
    match = re.search(rb'"objectType":"([A-Za-z]+)"\}?\]?$', body[-80:])
    if not match:
        return f"{len(body)} bytes"
    kind = match.group(1).decode()
    if kind in ("KalturaUploadToken", "KalturaMediaEntry") and body.startswith(b"{"):
        fields = re.findall(rb'"(status|uploadedFileSize)":"?(\d+)', body)
        return kind + "".join(f" {k.decode()}={v.decode()}" for k, v in fields[:2])
    return kind
