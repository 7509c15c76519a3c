"""The test PostgreSQL server (tests/postgres_server.py) is real, and each test's database fresh."""

from __future__ import annotations

import psycopg


def test_each_test_gets_a_fresh_empty_database_on_a_real_server(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        name, version = connection.execute(
            "SELECT current_database(), current_setting('server_version_num')::int"
        ).fetchone() or ("", 0)
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        connection.execute("CREATE TABLE probe (id integer PRIMARY KEY)")
        connection.execute("INSERT INTO probe VALUES (1)")
        stored = connection.execute("SELECT id FROM probe").fetchall()
    assert name.startswith("test_") and name != "postgres"
    assert version >= 140000
    assert tables == (0,)
    assert stored == [(1,)]
