"""Every store test runs against both engines: a SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kaltura_mm.store import Store, open_store


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new, empty store is: a folder (its state.db), or a fresh PostgreSQL database."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return str(tmp_path / "state")


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    """An open, migrated store of either engine."""
    opened = open_store(location)
    try:
        yield opened
    finally:
        opened.close()
