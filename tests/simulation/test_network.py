"""The seeded network: faults that did or did not run, 5xx pages, budgets, kills, replays."""

from __future__ import annotations

import json
import random

import pytest

from simulation.knobs import NetworkKnobs
from simulation.network import Answer, Budget, BudgetExceeded, Idle, Killed, Network
from simulation.runner import run_one
from tests.simulation.support import Bench


def _net(bench: Bench, budget: Budget | None = None, **knobs: float) -> Network:
    return Network(bench.model, NetworkKnobs(**knobs), random.Random(3), budget or Budget())


def _add(bench: Bench, reference: str) -> object:
    entry = {"objectType": "KalturaMediaEntry", "mediaType": 1, "referenceId": reference}
    return bench.request("baseentry", "add", entry=entry)


def _stored_references(bench: Bench) -> list[str]:
    return [e.reference_id for e in bench.model.truth().entries.values()]


def test_a_reset_request_never_ran_and_a_lost_answer_did() -> None:
    bench = Bench()
    reset = _net(bench, reset=1.0)
    answer = reset.wait_for(reset.send(_add(bench, "reset")))
    assert isinstance(answer, Answer) and answer.response is None
    lost = _net(bench, lost_answer=1.0)
    answer = lost.wait_for(lost.send(_add(bench, "lost")))
    assert isinstance(answer, Answer) and answer.response is None
    assert _stored_references(bench) == ["lost"]


def test_a_5xx_page_is_a_load_balancer_page() -> None:
    bench = Bench()
    net = _net(bench, error_5xx=1.0)
    answers = [net.wait_for(net.send(_add(bench, f"r{i}"))) for i in range(20)]
    statuses = {a.response.status for a in answers if isinstance(a, Answer) and a.response}
    assert statuses <= {502, 503, 504} and len(statuses) > 1
    assert 0 < len(_stored_references(bench)) < 20  # some ran before the gateway gave up


def test_requests_in_flight_interleave_by_latency() -> None:
    bench = Bench()
    net = _net(bench, latency=(0.1, 5.0))
    tickets = [net.send(_add(bench, f"r{i}")) for i in range(10)]
    order = [net.next_event().ticket for _ in tickets]
    assert sorted(order) == tickets and order != tickets


def test_more_requests_than_the_budget_raise() -> None:
    bench = Bench()
    net = _net(bench, Budget(requests=3))
    for index in range(3):
        net.wait_for(net.send(_add(bench, f"r{index}")))
    with pytest.raises(BudgetExceeded, match="3 requests"):
        net.send(_add(bench, "r3"))


def test_a_kill_point_kills_the_process_and_its_answers_are_dropped() -> None:
    bench = Bench()
    net = _net(bench, latency=(1.0, 1.0))
    net.kill_points = [2]
    net.send(_add(bench, "a"))
    net.send(_add(bench, "b"))
    with pytest.raises(Killed):
        net.send(_add(bench, "c"))
    net.restart()
    net.wait_for(net.sleep_until(bench.clock.now() + 60))
    assert sorted(_stored_references(bench)) == ["a", "b"]  # both ran; nobody heard back
    with pytest.raises(Idle):
        net.next_event()


def test_the_same_seed_replays_the_same_run() -> None:
    first = run_one("upload_many", 11, trace=True)
    second = run_one("upload_many", 11, trace=True)
    assert first.trace == second.trace and first.trace
    assert (first.requests, first.faults, first.events) == (
        second.requests,
        second.faults,
        second.events,
    )


def test_another_seed_makes_another_run() -> None:
    assert (
        run_one("upload_many", 11, trace=True).trace != run_one("upload_many", 12, trace=True).trace
    )


def test_a_request_body_reaches_the_model_as_sent() -> None:
    bench = Bench()
    net = _net(bench)
    answer = net.wait_for(net.send(_add(bench, "exact")))
    assert isinstance(answer, Answer) and answer.response is not None
    assert json.loads(answer.response.body)["referenceId"] == "exact"


def test_wait_returns_what_arrived_by_then_as_the_runtime_machine_asks() -> None:
    bench = Bench()
    net = _net(bench, latency=(1.0, 1.0))
    started = bench.clock.now()
    ticket = net.send(_add(bench, "a"))
    assert net.wait(started + 0.5) == [] and bench.clock.now() == started + 0.5
    answers = net.wait(None)
    assert [a.ticket for a in answers] == [ticket] and answers[0].response is not None
    assert net.wait(started + 100) == [] and bench.clock.now() == started + 100
    with pytest.raises(Idle):
        net.wait(None)


def test_a_refused_connection_never_reached_the_server_and_says_so() -> None:
    bench = Bench()
    net = _net(bench, refused=1.0)
    answer = net.wait_for(net.send(_add(bench, "never")))
    assert isinstance(answer, Answer) and answer.failure == "refused"
    assert _stored_references(bench) == []
