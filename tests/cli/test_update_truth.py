"""``update`` reports what the server holds: a field the role may not write is ``failed``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kaltura_mm.services.user_role import ROLE_PRESETS
from tests.cli.ground import as_role

Runner = Callable[..., Any]


def _as_uploader(sb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the next commands with an app token whose role lacks CONTENT_MANAGE_METADATA."""
    as_role(sb, monkeypatch, "kmm-uploader", ROLE_PRESETS["uploader"])


def _name(sb: Any, entry_id: str) -> str:
    return str(sb.core.store.one("SELECT name FROM entries WHERE id = ?", (entry_id,))["name"])


def test_a_name_the_server_dropped_is_failed_naming_the_permission(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (entry,) = sandbox_env.seed_entries(None, 1)
    _as_uploader(sandbox_env, monkeypatch)
    result = cli("--json", "update", entry, "--name", "Renamed")
    assert _name(sandbox_env, entry) == "entry 1"  # the server kept it
    assert result.code == 4, result.err  # a permission problem, not a success
    (line,) = result.json_lines()
    assert line["status"] == "failed"
    assert line["error"] == "permission"
    assert "name" in line["message"] and "CONTENT_MANAGE_METADATA" in line["message"]


def test_the_table_says_why_an_update_failed_without_python_reprs(
    cli: Runner, sandbox_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = sandbox_env.seed_entries(None, 2)
    shown = cli("update", a, "--description", "A talk", "--dry-run")
    assert shown.code == 0, shown.err
    assert "None" not in shown.out and "'" not in shown.out
    assert '(empty) -> "A talk"' in shown.out
    _as_uploader(sandbox_env, monkeypatch)
    failed = cli("update", a, b, "--name", "Renamed")
    assert failed.code == 4
    header = failed.out.splitlines()[0].split()
    assert header[-2:] == ["error", "message"]
    assert failed.out.count("CONTENT_MANAGE_METADATA") == 2
    assert f"entry {a}: entry {a}" not in failed.out + failed.err


def test_a_refused_edit_names_the_entry_once(cli: Runner, sandbox_env: Any) -> None:
    (entry,) = sandbox_env.seed_entries(None, 1)
    refused = cli("update", entry, "--name", " ")
    assert refused.code == 2
    assert f"entry {entry}: a name cannot be empty" in refused.err
    assert f"entry {entry}: entry {entry}" not in refused.err
