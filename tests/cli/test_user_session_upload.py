"""``kaltura-mm upload`` and ``sync`` under a user session whose role may not set referenceId
(issue 16): the server drops the field silently.

``upload`` goes on (it finds what it made by its upload tokens, which the user owns): a re-run,
even with the state directory lost, makes no second entry. ``sync`` matches files to entries by
referenceId: it is refused before any of a file is sent, naming the permission, exit 4, and
nothing is left on the server, run after run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result


@pytest.fixture
def user_env(sandbox_env: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    monkeypatch.setenv("KALTURA_KS", sandbox_env.ks(user_id="ann", admin=False))
    return sandbox_env


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "talks"
    folder.mkdir()
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        (folder / name).write_bytes(os.urandom(200_000))
    return folder


def _live(sandbox: Any) -> list[str]:
    return [str(r[0]) for r in sandbox.core.store.all("SELECT id FROM entries WHERE status != 3")]


def _statuses(result: Result) -> list[str]:
    return [line["status"] for line in result.json_lines() if "status" in line]


def test_upload_under_a_user_session_goes_on_and_never_makes_a_second_entry(
    cli: Callable[..., Result], user_env: Any, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    first = cli("--json", "upload", str(folder))
    assert first.code == 0, first.err
    assert _statuses(first) == ["uploaded"] * 3
    made = sorted(_live(user_env))
    assert len(made) == 3
    lost = cli("--json", "upload", str(folder), "--state-dir", str(tmp_path / "new-state"))
    assert lost.code == 0, lost.err
    assert _statuses(lost) == ["existing"] * 3  # found by its tokens, not by referenceId
    assert sorted(_live(user_env)) == made


def test_sync_under_a_user_session_is_refused_before_any_byte_naming_the_permission(
    cli: Callable[..., Result], user_env: Any, tmp_path: Path
) -> None:
    user_env.create_category("Courses>Bio")
    folder = _folder(tmp_path)
    for _ in range(2):
        result = cli("--json", "sync", str(folder), "-c", "Courses>Bio", "-y")
        assert result.code == 4, result.out + result.err
        assert "CONTENT_INGEST_REFERENCE_MODIFY" in result.out + result.err
        assert user_env.stats.calls[("uploadtoken", "upload")] == 0
        assert _live(user_env) == []
