"""The client driver: kaltura-mm's own flows through its runtime, over the seeded network.

A handful of seeds of every scenario run the client's flows; each must pass, or fail exactly as
``simulation/known_bugs.py`` lists it (strict both ways: a listed seed that passes fails here
too, so a fix is noticed). The seeds include one that failed with each bug fixed since. A
replay in a new interpreter (another hash seed) sends the same bytes in the same order. The
adapter maps the network's faults the way the client's transport does: a refused connection was
never sent, a late answer is a read timeout that may have run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.errors import TransportError
from kaltura_mm.models import MediaEntryParams, MediaType
from kaltura_mm.runtime.effects import Flow, NextDone, Start, single
from kaltura_mm.services import base_entry
from simulation.client.process import ClientDriver, ClientProcess
from simulation.knobs import ModelKnobs, NetworkKnobs, Schedule
from simulation.known_bugs import verdict
from simulation.network import Killed
from simulation.runner import run_one
from simulation.scenarios import DEFAULT_SCENARIOS
from simulation.world import World, build

REPO = Path(__file__).resolve().parents[2]
SEEDS = {  # a few seeds each, among them a failure of every bug fixed (docs/simulation.md)
    "upload_one": (0, 1, 24, 33),
    "upload_many": (1, 2, 10, 45, 161, 189),
    "resume_after_kill": (0, 1, 13, 124),
    "list_all": (0, 3),
    "batches": (0, 1, 128),
}


def test_the_seeds_cover_every_scenario() -> None:
    assert set(SEEDS) == set(DEFAULT_SCENARIOS)


# 0 and 18 ended in ServerSilentError (a hold by the budget counted as the server's silence);
# 5, 9 and 32 blocked more deletes than the bound (each send charged twice, steps timed and
# sized before the budget's hold) until issue 18's fixes
@pytest.mark.parametrize("seed", [2, 4, 6, 0, 18, 5, 9, 32])
def test_processes_sharing_one_budget_delete_every_entry_once_within_the_bounds(seed: int) -> None:
    result = run_one("clients", seed)  # 2-4 client processes at once, one budget (issue 18 F)
    assert result.driver == "client" and result.model_gap is None
    assert result.passed, [str(v) for v in result.violations]
    assert result.events["rate_limiter.blocked"] > 0  # the limiter did push back


@pytest.mark.parametrize(
    ("scenario", "seed"), [(s, n) for s, seeds in SEEDS.items() for n in seeds]
)
def test_the_clients_flows_meet_every_invariant_but_the_known_bugs(
    scenario: str, seed: int
) -> None:
    result = run_one(scenario, seed)
    said = verdict(result)
    assert result.driver == "client" and result.model_gap is None
    assert said.status in ("passed", "known"), [said.detail, *map(str, result.violations)]


def _replay(seed: int, scenario: str, hash_seed: str) -> list[str]:
    command = [sys.executable, "-m", "simulation", "--seed", str(seed), "--scenario", scenario]
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run(
        [*command, "--trace"], capture_output=True, text=True, cwd=REPO, env=env, check=False
    ).stdout
    return [line for line in out.splitlines() if " ms, " not in line]  # wall time varies


def test_a_replay_in_a_new_interpreter_sends_the_same_bytes_in_the_same_order() -> None:
    # seed 0: two kills, lost answers, 5xx pages; each sent line carries its body's digest
    first, again = _replay(0, "resume_after_kill", "1"), _replay(0, "resume_after_kill", "2")
    sends = [line for line in first if " -> " in line]
    assert len(sends) > 70 and any("process 3 starts" in line for line in first)
    assert first == again


def _world(**network: Any) -> tuple[World, ClientProcess]:
    schedule = replace(Schedule.kind(), network=NetworkKnobs(**network))
    world = build("upload_one", 0, schedule)
    return world, ClientDriver().process(world)


def test_an_answer_later_than_the_read_timeout_is_a_failure_that_may_have_run() -> None:
    world, process = _world(latency=(200.0, 200.0))
    with pytest.raises(TransportError, match="no answer in time") as raised:
        process.run(single(base_entry.get("0_missing")))
    assert raised.value.may_have_reached_server
    world.net.settle()
    # Once: the first attempt's read timeout (120 s) spent the run's patience (120 s) with a
    # silent server, so no retry is sent (runtime.silence); it was sent 4 times, for 480 s.
    assert world.model.state.calls["baseentry.get"] == 1


def test_a_refused_connection_was_never_sent_so_even_an_add_is_sent_again() -> None:
    world, process = _world(refused=1.0)
    entry = MediaEntryParams(name="talk", media_type=MediaType.VIDEO)
    with pytest.raises(TransportError, match="could not reach") as raised:
        process.run(single(base_entry.add(entry)))
    assert not raised.value.may_have_reached_server
    assert world.net.requests == 4
    assert not world.model.truth().entries


def test_a_killed_process_stops_sending_and_its_request_in_flight_still_runs() -> None:
    world, process = _world(latency=(1.0, 1.0))
    world.net.kill_points = [1]

    def two_adds() -> Flow[None]:
        for name in ("first", "second"):
            yield Start(
                name, base_entry.add(MediaEntryParams(name=name, media_type=MediaType.VIDEO))
            )
        yield NextDone()

    with pytest.raises(Killed):
        process.run(two_adds())
    world.net.restart()
    world.net.settle()
    names = [e.name for e in world.model.truth().entries.values()]
    assert names == ["first"]


def test_a_short_session_is_renewed_and_the_upload_still_passes() -> None:
    # A KS of 120 s renewed 12 s before its end, requests 50 s on the way, transcoding 300 s:
    # requests arrive past their KS's expiry and are sent again with a new KS.
    model = ModelKnobs(ks_max_expiry=120, transcode_delay=(300.0, 300.0))
    schedule = Schedule(model, NetworkKnobs(latency=(50.0, 50.0)))
    result = run_one("upload_one", 3, schedule=schedule)
    assert result.passed, [str(v) for v in result.violations]
    assert result.events["ks.expired"] > 0
