"""Run ``kaltura-mm`` as a user does: the installed console script in a child process.

The environment is built from scratch (no ``KALTURA_*`` of the caller leaks in) and points the
config file and state directory into the scenario's scratch folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "PYTHONPATH")


def executable() -> list[str]:
    """Return the command that runs ``kaltura-mm`` in this environment."""
    found = shutil.which("kaltura-mm", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-c", "from kaltura_mm.cli import run; run()"]


def cli_env(
    scratch: Path,
    service_url: str | None = None,
    partner_id: int | None = None,
    admin_secret: str | None = None,
    ks: str | None = None,
    **extra: str,
) -> dict[str, str]:
    """Return a clean environment for one CLI run against ``service_url``."""
    env = {k: os.environ[k] for k in _KEEP if k in os.environ}
    env["KALTURA_MM_CONFIG"] = str(scratch / "config.toml")  # never the user's own profile
    env["KALTURA_MM_STATE_DIR"] = str(scratch / "state")
    env["PYTHONUNBUFFERED"] = "1"
    values = {
        "KALTURA_SERVICE_URL": service_url,
        "KALTURA_PARTNER_ID": None if partner_id is None else str(partner_id),
        "KALTURA_ADMIN_SECRET": admin_secret,
        "KALTURA_KS": ks,
    }
    env.update({k: v for k, v in values.items() if v is not None})
    env.update(extra)
    return env


@dataclass
class CliRun:
    """One finished CLI run: arguments, exit code, output and duration."""

    argv: list[str]
    code: int
    out: str
    err: str
    seconds: float

    def json_lines(self, stream: str = "out") -> list[dict[str, Any]]:
        """Return stdout (or stderr) parsed as JSON lines, skipping lines that are not JSON."""
        found = []
        for line in (self.out if stream == "out" else self.err).splitlines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                found.append(value)
        return found

    def describe(self) -> str:
        """Return a one-line account of the run (exit code and last stderr line)."""
        last = self.err.strip().splitlines()[-1] if self.err.strip() else ""
        return f"exit {self.code}" + (f": {last[:200]}" if last else "")


def run_cli(
    args: list[str],
    env: dict[str, str],
    timeout: float = 120.0,
    cwd: Path | None = None,
    stdin: str | None = None,
    prefix: list[str] | None = None,
) -> CliRun:
    """Run ``kaltura-mm ARGS`` to the end (killed after ``timeout`` seconds).

    ``prefix`` runs the CLI through another command (e.g. ``setpriv`` to drop privileges).
    """
    argv = [*(prefix or []), *executable(), *args]
    started = time.monotonic()
    try:
        done = subprocess.run(
            argv,
            env=env,
            cwd=cwd,
            input=stdin or "",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        code, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as expired:
        code = -9
        out = _text(expired.stdout)
        err = _text(expired.stderr) + f"\n[killed after {timeout:.0f} s]"
    return CliRun(args, code, out, err, time.monotonic() - started)


def start_cli(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start ``kaltura-mm ARGS`` in the background, its output appended to ``log``."""
    handle = log.open("ab")
    try:
        return subprocess.Popen(
            [*executable(), *args], env=env, stdout=handle, stderr=subprocess.STDOUT
        )
    finally:
        handle.close()


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
