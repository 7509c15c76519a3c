"""A server that stops answering in the middle of a job is reported within the patience bound.

On the virtual clock (``kaltura_mm.testing``'s machine, no sockets): a server answers a few
requests, then refuses connections, answers 502 pages, or dies while its rate limiter was
blocking the batch. Whatever the flow and however many retries each layer has left, the run ends
within ``RetryPolicy.patience`` seconds of the first request left unanswered. Before the bound
existed, the server that died while throttling a batch had the batch engine probing its window
for ever (the clock passed 1e308 s, 7,000 requests); a live server that throttles is not cut.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator
from random import Random
from typing import Any

import pytest

from kaltura_mm.errors import ApiError, ServerSilentError, TransportError
from kaltura_mm.flows.entries import delete_entries, detach_entries
from kaltura_mm.flows.listing import collect_entries
from kaltura_mm.flows.query import EntryQuery
from kaltura_mm.ks import FixedKs
from kaltura_mm.models import Category, CategoryEntry, ListPage, MediaEntry
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime import Done, Failed, Item, Machine, Reply, RetryPolicy, Send, Settings
from kaltura_mm.runtime.silence import Silence
from kaltura_mm.testing import answer_for

IDS = [f"0_{n:05d}" for n in range(300)]
BLOCKED = ApiError.create("ACTION_BLOCKED", "Action is blocked")


def _value(call: Call[Any]) -> Any:
    """What a healthy server answers each call the flows below make."""
    name = f"{call.service}.{call.action}"
    if name == "category.get":
        return Category(id=7, parent_id=0, name="c", full_name="c", full_ids="7")
    if name == "categoryEntry.list":
        links = [CategoryEntry(category_id=7, entry_id=e) for e in IDS]
        return ListPage(objects=links, total_count=len(links))
    if name == "baseEntry.list":
        entries = [
            MediaEntry(id=e, name=e, created_at=1_700_000_000 + n) for n, e in enumerate(IDS[:50])
        ]
        return ListPage(objects=entries, total_count=len(entries))
    return None


class DyingServer:
    """Answers ``alive`` requests (then ``throttled`` more with ACTION_BLOCKED), then fails all:
    ``refused`` connections, ``502`` pages. Notes the virtual time of its death."""

    def __init__(self, clock: list[float], how: str, alive: int = 1, throttled: int = 0) -> None:
        self.clock, self.how, self.alive, self.throttled = clock, how, alive, throttled
        self.requests = 0
        self.died_at: float | None = None

    def respond(self, send: Send) -> Failed | Reply:
        self.requests += 1
        if self.requests <= self.alive + self.throttled:
            blocked = self.requests > self.alive
            if isinstance(send.target, MultiRequest):
                return answer_for(
                    send, [BLOCKED if blocked else _value(c) for c in send.target.calls]
                )
            return answer_for(send, BLOCKED if blocked else _value(send.target))
        if self.died_at is None:
            self.died_at = self.clock[0]
        if self.how == "refused":
            error = TransportError("connection refused", may_have_reached_server=False)
            return Failed(send.id, error)
        return Reply(send.id, 502, {"Content-Type": "text/html"}, b"<html>Bad Gateway</html>")


def _run(flow: Generator[Any, Any, Any], server: Callable[[list[float]], Any], patience: float):
    """Drive ``flow``; return (its result or the error it raised, the clock at its end, server)."""
    clock = [0.0]
    kaltura = server(clock)
    settings = Settings(ks=FixedKs("djJ8fixed"), retry=RetryPolicy(patience=patience))
    machine = Machine(flow, settings, clock=lambda: clock[0], random=Random(5), streaming=None)
    unanswered: deque[Send] = deque()
    outcome: Any
    try:
        while not isinstance(action := machine.next_action(), Done):
            if isinstance(action, Send):
                unanswered.append(action)
            elif isinstance(action, Item):
                pass
            elif unanswered:
                machine.answer(kaltura.respond(unanswered.popleft()))
            else:
                assert action.until is not None, "the run waits for ever"
                assert action.until < 10**6, f"the run would wait until {action.until:g} s"
                clock[0] = max(clock[0], action.until)
        outcome = action.result
    except Exception as exc:
        outcome = exc
    finally:
        machine.close()
    return outcome, clock[0], kaltura


FLOWS = {
    "delete": lambda: delete_entries(IDS, known_to_exist=True),
    "detach": lambda: detach_entries(IDS, 7),
    "list": lambda: collect_entries(EntryQuery(category_id=7)),
}


@pytest.fixture(autouse=True)
def _quiet() -> Generator[None, None, None]:
    logging.disable(logging.WARNING)  # every retry logs a warning; thousands here
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("patience", [120.0, 30.0])
@pytest.mark.parametrize("how", ["refused", "502", "throttled"])
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_a_server_that_stops_answering_is_reported_within_the_patience(
    flow: str, how: str, patience: float
) -> None:
    throttled = 4 if how == "throttled" else 0
    way = "refused" if how == "throttled" else how
    outcome, ended, server = _run(
        FLOWS[flow](), lambda clock: DyingServer(clock, way, throttled=throttled), patience
    )
    assert server.died_at is not None, "the server never died: the test proves nothing"
    assert ended <= server.died_at + patience, (flow, how, ended, server.died_at)
    failures = [outcome] if isinstance(outcome, Exception) else _failures(outcome)
    assert failures, f"{flow} reported nothing wrong after the server died"
    assert server.requests < 400  # bounded: it is not sending for ever either


def _failures(outcome: Any) -> list[Any]:
    if isinstance(outcome, list):
        return [o for o in outcome if getattr(o, "status", "") == "failed"]
    return []


def test_the_silence_error_names_the_bound_and_the_last_failure() -> None:
    outcome, ended, _ = _run(
        collect_entries(EntryQuery(category_id=7)),
        lambda clock: DyingServer(clock, "refused"),
        patience=20.0,
    )
    assert isinstance(outcome, ServerSilentError)
    assert ended <= 20.0
    message = str(outcome)
    assert "connection refused" in message and "--patience" in message and "20 s" in message
    assert outcome.silent_for <= 20.0


class ThrottlingServer:
    """A live server whose limiter blocks every call for ``blocked_for`` s, then lets all pass."""

    def __init__(self, clock: list[float], blocked_for: float) -> None:
        self.clock, self.blocked_for = clock, blocked_for
        self.requests = 0

    def respond(self, send: Send) -> Reply | Failed:
        self.requests += 1
        blocked = self.clock[0] < self.blocked_for
        if isinstance(send.target, MultiRequest):
            return answer_for(send, [BLOCKED if blocked else _value(c) for c in send.target.calls])
        return answer_for(send, BLOCKED if blocked else _value(send.target))


def test_a_live_server_that_throttles_longer_than_the_patience_is_not_given_up_on() -> None:
    outcome, ended, _ = _run(
        delete_entries(IDS[:40], known_to_exist=True),
        lambda clock: ThrottlingServer(clock, blocked_for=45.0),
        patience=20.0,
    )
    assert not isinstance(outcome, Exception), outcome
    assert ended >= 45.0
    assert [o.status for o in outcome] == ["done"] * 40


def test_silence_starts_at_the_first_unanswered_send_and_ends_at_any_answer() -> None:
    silence = Silence(patience=10.0)
    assert silence.deadline(0.0) is None and silence.overdue(100.0, 1e6) is None
    assert silence.deadline_for(5.0) == 15.0  # no request waits longer than the patience
    silence.failed(3.0, "connection reset", may_have_reached_server=True)
    silence.failed(1.0, "connection refused", may_have_reached_server=False)
    assert silence.deadline(8.0) == 11.0 and silence.deadline_for(8.0) == 11.0
    assert silence.overdue(9.0, 2.0) is None  # 11.0 exactly: still within
    error = silence.overdue(9.0, 2.5)
    assert isinstance(error, ServerSilentError) and not error.may_have_reached_server
    assert error.silent_for == 8.0 and "connection refused" in str(error)
    silence.heard(503, 12.0)  # a 5xx page is not the server answering
    assert silence.deadline(12.0) == 11.0
    silence.heard(200, 12.0)
    assert silence.deadline(12.0) is None


def test_the_patience_counts_only_time_the_run_was_free_to_send() -> None:
    silence = Silence(patience=10.0)
    silence.failed(2.0, "HTTP 503", may_have_reached_server=True)
    assert silence.deadline(2.0) == 12.0
    silence.hold(4.0)  # two requests held by our own budget, from 4 s...
    silence.hold(5.0)
    assert silence.overdue(30.0, 5.0) is None  # its clock stopped: no silence is declared
    silence.free(20.0)
    assert silence.deadline(30.0) == 2.0 + 26.0 + 10.0  # one is still held
    silence.free(50.0)  # ...until 50 s: 46 s of the silence held, not the server's
    assert silence.deadline(50.0) == 2.0 + 46.0 + 10.0
    error = silence.overdue(55.0, 4.0)  # 2 s free before the hold and 5 s after: 7 s silent
    assert isinstance(error, ServerSilentError) and error.silent_for == 7.0
    silence.heard(200, 56.0)
    silence.failed(60.0, "HTTP 502", may_have_reached_server=True)
    assert silence.deadline(60.0) == 70.0  # an answer ended that silence and its holds


def test_retries_are_not_what_ends_a_silent_run_with_many_of_them() -> None:
    generous = RetryPolicy(attempts=20, throttled_attempts=20, patience_rounds=20, patience=15.0)
    clock = [0.0]
    server = DyingServer(clock, "refused")
    settings = Settings(ks=FixedKs("djJ8fixed"), retry=generous)
    flow = collect_entries(EntryQuery(category_id=7))
    machine = Machine(flow, settings, clock=lambda: clock[0], random=Random(1), streaming=None)
    with pytest.raises(ServerSilentError):
        while not isinstance(action := machine.next_action(), Done):
            if isinstance(action, Send):
                machine.answer(server.respond(action))
            elif action.until is not None:  # type: ignore[union-attr]
                clock[0] = max(clock[0], action.until)  # type: ignore[union-attr]
    assert clock[0] <= 15.0
