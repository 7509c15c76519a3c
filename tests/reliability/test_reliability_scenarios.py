"""The smoke versions of the suite's scenarios, each asserted on its verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.__main__ import run_one, scenarios
from reliability.harness import Context

SMOKE_SCENARIOS = [m.NAME for m in scenarios([]) if m.NAME != "bad_input"]  # table: own tests
# Product bugs this suite found and that are not fixed yet, each a strict xfail: the day it
# passes, its marker fails and must be removed. (None open: crash_resume's open tokens and
# duplicates after SIGKILL mid-create were fixed in the upload engine.)
KNOWN_BUGS: dict[str, str] = {}


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[n]))
        if n in KNOWN_BUGS
        else n
        for n in SMOKE_SCENARIOS
    ],
)
def test_smoke_scenario_passes(name: str, tmp_path: Path) -> None:
    (module,) = scenarios([name])
    verdict = run_one(module, Context(smoke=True, workdir=tmp_path, say=lambda _: None))
    assert verdict.error is None, verdict.error
    assert verdict.failed_checks() == [], verdict.survived
    assert verdict.passed and verdict.tried and verdict.survived
