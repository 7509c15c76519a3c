"""The bad-input table as ordinary tests: one test per case, against one shared sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reliability.bad_input_cases import CASES, Case
from reliability.bad_input_world import World, world
from reliability.scenario_bad_input import problems, run_case


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One sandbox with the table's categories, entries and partners."""
    with world(Path(tmp_path_factory.mktemp("bad-input"))) as shared:
        yield shared


def test_the_table_has_at_least_25_cases_on_both_surfaces() -> None:
    surfaces = {c.surface for c in CASES}
    assert len(CASES) >= 25 and surfaces == {"cli", "library"}
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.timeout(90)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_ends_in_its_family_and_changes_nothing(stage: World, case: Case) -> None:
    outcome = run_case(stage, case)
    assert problems(case, outcome) == [], outcome
