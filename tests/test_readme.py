"""README.md is what a new user runs first: its set-up commands and quick start must work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.services.user_role import ROLE_PRESETS

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks(language: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_readme_has_exactly_the_two_setup_commands() -> None:
    commands = [block.strip() for block in _blocks("sh")]
    assert commands == ["pip install . && kaltura-mm demo", "pip install -e '.[dev]' && pytest"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet -e '.[dev]'" in ci
    assert re.search(r"^pytest\b", ci, flags=re.MULTILINE)


@pytest.mark.kaltura_sandbox(index_lag=30)  # as on a busy server: the listing misses the upload
def test_quick_start_runs_against_the_sandbox(
    kaltura_sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (code,) = _blocks("python")  # as written: it makes its category on a fresh sandbox
    (tmp_path / "lecture.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KALTURA_SERVICE_URL", kaltura_sandbox.service_url)
    monkeypatch.setenv("KALTURA_PARTNER_ID", str(kaltura_sandbox.partner_id))
    # As the README sets it up: an app token whose sessions take the manager role, no secret.
    role = kaltura_sandbox.add_role("kaltura-mm-manager", ROLE_PRESETS["manager"])
    token = kaltura_sandbox.add_app_token(
        session_type=2, session_privileges=f"setrole:{role}", hash_type="SHA256"
    )
    monkeypatch.delenv("KALTURA_ADMIN_SECRET", raising=False)
    monkeypatch.setenv("KALTURA_APP_TOKEN_ID", token["id"])
    monkeypatch.setenv("KALTURA_APP_TOKEN", token["token"])
    exec(compile(code, str(README), "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split()[1:] == ["lecture", "READY"]  # what the server holds, read by id
    assert kaltura_sandbox.stats.calls[("categoryentry", "delete")] == 1
    assert kaltura_sandbox.stats.calls[("category", "add")] == 2  # Root, then Root>Lectures
