"""Shared fixtures: the real Kaltura payloads kept in ``tests/payloads`` (see its README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
PAYLOADS = Path(__file__).resolve().parent / "payloads"

# A real PostgreSQL server (session) and a fresh database per test: ``postgres_url``.
pytest_plugins = ["tests.postgres_server"]


def load_payload(name: str) -> Any:
    """Return a real Kaltura payload by file name."""
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def own_rate_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Give each test its own shared rate budget file (kaltura_mm.budget, on by default as for a
    user), so that no test inherits what another one's server taught it."""
    path = tmp_path / "budget.sqlite3"
    monkeypatch.setenv("KALTURA_MM_BUDGET_FILE", str(path))
    monkeypatch.delenv("KALTURA_MM_SHARED_BUDGET", raising=False)
    monkeypatch.delenv("KALTURA_MM_STORE", raising=False)
    monkeypatch.delenv("KALTURA_MM_RATE_WINDOW", raising=False)
    return path


@pytest.fixture
def payloads() -> Path:
    """Return the directory of real Kaltura payloads."""
    assert PAYLOADS.is_dir(), f"expected the real payloads in the repository at {PAYLOADS}"
    return PAYLOADS
