"""The shared rate budget's engines, each on a virtual clock the test moves: SQLite (a file in the
test's folder) and PostgreSQL (a fresh database on the real test server, never skipped)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kaltura_mm.budget import Budget, StoreBudget
from kaltura_mm.store import open_store

Opener = Callable[[], Budget]


class VirtualClock:
    """Unix seconds that move only when the test says."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return where an engine's budget lives: a SQLite path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "budget.sqlite3")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def window() -> float | None:
    """The server's window the budgets are told (``KALTURA_MM_RATE_WINDOW``); None: learned."""
    return 10.0


@pytest.fixture
def open_budget(engine: str, clock: VirtualClock, window: float | None) -> Iterator[Opener]:
    """Return an opener: each call is one more process's connection to the same budget."""
    opened: list[Budget] = []

    def opener() -> Budget:
        budget = StoreBudget(open_store(engine, file=True), window, clock=clock)
        opened.append(budget)
        return budget

    yield opener
    for budget in opened:
        budget.close()


@pytest.fixture
def shared_budget_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn the shared budget on, as a user does (it is off unless asked for)."""
    monkeypatch.setenv("KALTURA_MM_SHARED_BUDGET", "on")
