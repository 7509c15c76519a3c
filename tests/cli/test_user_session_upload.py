"""``kaltura-mm upload`` under a user session whose role may not set referenceId (issue 16).

The first create shows the referenceId dropped before any of a file is sent: every file is
reported failed with the permission named, the run exits 4, nothing is left on the server, and a
second run does the same (never a duplicate).
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


def test_upload_under_a_user_session_fails_at_once_naming_the_permission(
    cli: Callable[..., Result], user_env: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "talks"
    folder.mkdir()
    for name in ("a.mp4", "b.mp4", "c.mp4"):
        (folder / name).write_bytes(os.urandom(200_000))
    for _ in range(2):
        result = cli("--json", "upload", str(folder))
        assert result.code == 4, result.err
        lines = [line for line in result.json_lines() if "status" in line]
        assert [line["status"] for line in lines] == ["failed"] * 3
        assert all(line["error"] == "permission" for line in lines), lines
        assert all("CONTENT_INGEST_REFERENCE_MODIFY" in line["message"] for line in lines)
        assert user_env.stats.calls[("uploadtoken", "upload")] == 0
        live = user_env.core.store.all("SELECT id FROM entries WHERE status != 3")
        assert live == []
