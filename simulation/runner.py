"""Run scenarios over seeds, check the invariants, and say how to replay a failure.

A run is (scenario, seed, driver): the world, the schedule and every random choice come from
the seed, so ``replay_command`` reproduces a failing run exactly.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from simulation.drivers import DEFAULT_DRIVER, DRIVERS
from simulation.invariants import Checker, Violation
from simulation.job_workers import JOB_SCENARIOS
from simulation.knobs import Schedule
from simulation.model import NotModelled
from simulation.network import BudgetExceeded
from simulation.scenarios import SCENARIOS
from simulation.world import World, build


@dataclass
class RunResult:
    """What one (scenario, seed) run found and what it cost."""

    scenario: str
    seed: int
    driver: str
    violations: list[Violation]
    model_gap: str | None
    requests: int
    server_calls: int
    virtual_seconds: float
    wall_seconds: float
    budget: int = 0  # the requests the scenario allowed (``bounds``)
    faults: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    trace: list[str] | None = None
    schedule: Schedule | None = None
    accounts: bool = False  # run with ``--accounts`` (the account drawn too)

    @property
    def passed(self) -> bool:
        """Return True when no invariant broke and the model covered every request."""
        return not self.violations and self.model_gap is None

    def replay(self) -> str:
        """Return the one command that replays this run."""
        return replay_command(self.scenario, self.seed, self.driver, self.accounts)


def replay_command(
    scenario: str, seed: int, driver: str = DEFAULT_DRIVER, accounts: bool = False
) -> str:
    """Return ``python -m simulation --seed N --scenario X`` (plus the driver if not default,
    and ``--accounts`` if the run drew its account)."""
    tail = "" if driver == DEFAULT_DRIVER else f" --driver {driver}"
    tail += " --accounts" if accounts else ""
    return f"python -m simulation --seed {seed} --scenario {scenario}{tail}"


def run_one(
    scenario: str,
    seed: int,
    driver: str = DEFAULT_DRIVER,
    trace: bool = False,
    schedule: Schedule | None = None,
    accounts: bool = False,
) -> RunResult:
    """Run one scenario at one seed and check it (``accounts``: draw the account too)."""
    world = build(scenario, seed, schedule, trace=trace, accounts=accounts)
    checker = Checker(scenario, seed)
    started = time.perf_counter()
    gap = _drive(world, driver, checker)
    wall = time.perf_counter() - started
    return RunResult(
        scenario,
        seed,
        driver,
        checker.violations,
        gap,
        world.net.requests,
        sum(world.model.state.calls.values()),
        world.clock.now() - world.net.started,
        wall,
        world.net.budget.requests,
        world.net.faults,
        world.model.state.events,
        world.trace,
        world.schedule,
        accounts,
    )


def _drive(world: World, name: str, checker: Checker) -> str | None:
    driver = DRIVERS[name]()
    try:
        (SCENARIOS | JOB_SCENARIOS)[world.scenario](world, driver, checker)
        world.net.settle()
        truth = world.model.truth()
        checker.no_open_token(truth)
        checker.nothing_foreign(truth)
    except BudgetExceeded as exceeded:
        checker.fail("bounded", f"the flows did not end: {exceeded}")
    except NotModelled as gap:
        return f"the model does not implement {gap}"
    except Exception as error:  # the flow itself broke: that is a finding too
        checker.fail("flow_failed", f"{type(error).__name__}: {error}")
    finally:
        for failure in getattr(driver, "failures", ()):
            checker.fail("flow_failed", failure)
        getattr(driver, "close", lambda: None)()
    return None
