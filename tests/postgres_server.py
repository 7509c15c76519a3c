"""A real PostgreSQL server for the tests: one per session, a fresh database per test.

The server is the one the ``pgserver`` wheel ships (PostgreSQL binaries built for manylinux, in the
``dev`` extra), so README's ``pip install -e '.[dev]' && pytest`` needs nothing else on the machine.
It runs in a temporary folder and listens on a unix socket only (no TCP port to collide with).

PostgreSQL refuses to run as root (``initdb`` and ``postgres`` both check). When the tests run as
root (here and in CI), ``pgserver`` runs the server as a system user ``pgserver`` it creates with
``useradd`` and makes the folders on the way to the data folder and its binaries traversable.

If the server cannot start, every test that asks for it FAILS with the reason and the server's
log: the PostgreSQL tests are never skipped.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest


def _server_log(pgdata: Path) -> str:
    log = pgdata / "log"
    if not log.exists():
        return "(no server log was written)"
    return log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Start one PostgreSQL server for the session; yield its URL (the ``postgres`` database)."""
    folder = Path(tempfile.mkdtemp(prefix="kmm-pg-"))
    pgdata = folder / "data"
    pgdata.mkdir()
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(pgdata, cleanup_mode="delete")
    except Exception as error:  # any reason at all: the tests must fail, with what went wrong
        pytest.fail(
            "could not start the test PostgreSQL server (pgserver, in the 'dev' extra: "
            f"pip install -e '.[dev]'): {type(error).__name__}: {error}\n"
            f"server log:\n{_server_log(pgdata)}",
            pytrace=False,
        )
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def database_url(server_url: str, name: str) -> str:
    """Return ``server_url`` pointing at database ``name`` (the socket folder is kept)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """Yield the URL of a fresh, empty database of its own; drop it after the test."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(postgres_server, name)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
