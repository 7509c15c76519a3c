"""Shared fixtures of the command-line tests: a clean environment and a runner of ``main``."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from kaltura_mm.cli import main

KALTURA_VARS = (
    "KALTURA_SERVICE_URL",
    "KALTURA_PARTNER_ID",
    "KALTURA_KS",
    "KALTURA_ADMIN_SECRET",
    "KALTURA_USER_ID",
    "KALTURA_REGION",
    "KALTURA_MM_PROFILE",
    "KALTURA_APP_TOKEN_ID",
    "KALTURA_APP_TOKEN",
    "KALTURA_APP_TOKEN_HASH",
    "KALTURA_MM_STORE",
)


@attrs.frozen
class Result:
    """What one ``main(argv)`` run did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        """Return stdout parsed as JSON lines."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Remove every KALTURA_* variable; point the config file and state dir into tmp_path."""
    for name in KALTURA_VARS:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("KALTURA_MM_CONFIG", str(config))
    monkeypatch.setenv("KALTURA_MM_STATE_DIR", str(tmp_path / "state"))
    return config


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Return a function running ``main(argv)`` and capturing its output."""

    def run(*argv: str) -> Result:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def sandbox_env(kaltura_sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Point KALTURA_* at a fresh sandbox (admin secret in the env); return the sandbox."""
    monkeypatch.setenv("KALTURA_SERVICE_URL", kaltura_sandbox.service_url)
    monkeypatch.setenv("KALTURA_PARTNER_ID", str(kaltura_sandbox.partner_id))
    monkeypatch.setenv("KALTURA_ADMIN_SECRET", kaltura_sandbox.admin_secret)
    return kaltura_sandbox


@pytest.fixture
def installed() -> list[str]:
    """Return the installed ``kaltura-mm`` console script, as a user runs it."""
    found = shutil.which("kaltura-mm", path=str(Path(sys.executable).parent))
    assert found, "the kaltura-mm console script is not installed in this environment"
    return [found]
