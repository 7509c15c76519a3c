"""The seed runner: careful flows pass, careless ones are caught, a failure replays in one line."""

from __future__ import annotations

import pytest

import simulation.drivers
from simulation.__main__ import main
from simulation.runner import run_one
from simulation.scenarios import SCENARIOS
from tests.simulation.careless import CarelessDriver


@pytest.fixture
def careless(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(simulation.drivers.DRIVERS, "careless", CarelessDriver)
    return "careless"


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_reference_flows_meet_every_invariant(scenario: str) -> None:
    for seed in range(3):
        result = run_one(scenario, seed, driver="reference")
        assert result.passed, [str(v) for v in result.violations] or result.model_gap


def test_a_walk_that_ends_on_a_short_page_is_caught(careless: str) -> None:
    runs = (run_one("list_all", seed, driver=careless) for seed in range(12))
    result = next(run for run in runs if not run.passed)  # seed 3: deletes the index still lists
    assert {v.invariant for v in result.violations} == {"listed_once"}
    assert "lived throughout missed" in result.violations[0].detail
    command = f"python -m simulation --seed {result.seed} --scenario list_all --driver careless"
    assert result.replay() == command


def test_an_add_sent_again_after_a_lost_answer_is_caught_as_a_duplicate(careless: str) -> None:
    runs = (run_one("upload_many", seed, driver=careless) for seed in range(60))
    result = next(run for run in runs if not run.passed)
    assert {v.invariant for v in result.violations} == {"no_duplicate"}
    # the first add ran: left empty
    assert any("stray duplicate" in v.detail for v in result.violations)
    # the careful flow, same seed and faults
    assert run_one("upload_many", result.seed, driver="reference").passed


def test_a_replay_finds_the_same_violations(careless: str) -> None:
    first = run_one("list_all", 3, driver=careless)
    again = run_one("list_all", 3, driver=careless)
    assert [str(v) for v in first.violations] == [str(v) for v in again.violations]
    assert first.violations


def test_the_command_line_runs_seeds_and_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--seeds", "2", "--scenario", "upload_one", "--scenario", "batches"]
    assert main([*argv, "--driver", "reference"]) == 0
    out = capsys.readouterr().out
    assert "upload_one" in out and "batches" in out and "4 runs in" in out


def test_a_failing_run_prints_its_replay_command_and_exits_1(
    careless: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--seeds", "1", "--first", "3", "--scenario", "list_all", "--driver", careless]) == 1
    )
    out = capsys.readouterr().out
    assert "replay: python -m simulation --seed 3 --scenario list_all --driver careless" in out
    assert "listed_once" in out


def test_a_replay_prints_the_schedule_and_the_trace(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--seed", "4", "--scenario", "upload_one", "--trace", "--driver", "reference"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "schedule:" in out and "-> uploadtoken.upload" in out
