"""The smoke versions of the suite's scenarios, each asserted on its verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.__main__ import run_one, scenarios
from reliability.harness import Context

SMOKE_SCENARIOS = [m.NAME for m in scenarios([]) if m.NAME != "bad_input"]  # table: own tests
# A product bug this suite found and that is not fixed yet (reported to the upload engine's
# owner): after a SIGKILL during the create multiRequest (which now carries the first chunk), the
# re-run deletes the half-made entry but leaves its upload token open, and can leave a duplicate.
# strict: the day it passes, this marker fails and must be removed.
KNOWN_BUGS = {
    "crash_resume": "upload engine: token left open / duplicate entry after SIGKILL mid-create",
}


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
