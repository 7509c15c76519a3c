"""``--sandbox``: a persistent local sandbox shared by separate ``kaltura-mm`` invocations.

The first command run with ``--sandbox`` starts ``kaltura-mm sandbox serve --data-dir
<state dir>/sandbox/data --json`` in the background, records its pid, URL, partner and secrets in
``<state dir>/sandbox/server.json`` (mode 0600, in a 0700 folder), and later commands reuse it,
so ``upload`` then ``list`` then ``delete`` chain. The data outlives the server: a stopped
sandbox restarts with the same partner and entries. Stop it with ``kaltura-mm sandbox stop``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from kaltura_mm.commands.context import app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.output import json_line
from kaltura_mm.commands.profiles import ConnectionSettings
from kaltura_mm.store import state_dir

START_TIMEOUT = 20.0
INFO = "server.json"
# ``kaltura-mm sandbox serve`` run by this very interpreter (the console script may not be on PATH)
_SERVE = (sys.executable, "-c", "from kaltura_mm.cli import run; run()", "sandbox", "serve")


def home(env: Mapping[str, str]) -> Path:
    """Return the folder of the persistent sandbox (data, log, server.json)."""
    return state_dir(None, env) / "sandbox"


def read_info(folder: Path) -> dict[str, Any] | None:
    """Return the running server's details, or None when none is recorded or it is gone."""
    try:
        info: dict[str, Any] = json.loads((folder / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if _alive(info) else None


def _alive(info: Mapping[str, Any]) -> bool:
    try:
        os.kill(int(info["pid"]), 0)
        parts = urlsplit(str(info["service_url"]))
        with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=2):
            return True
    except (OSError, KeyError, ValueError):
        return False


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with (folder / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_running(folder: Path) -> dict[str, Any]:
    """Return the running sandbox's details, starting one in the background if needed."""
    with _locked(folder):
        info = read_info(folder)
        if info is not None:
            return info
        (folder / INFO).unlink(missing_ok=True)
        announce = folder / "server.out"
        announce.unlink(missing_ok=True)
        private = os.open(announce, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(private, "wb") as out, (folder / "server.log").open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and command, no shell
                [*_SERVE, "--data-dir", str(folder / "data"), "--json"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=log,
                start_new_session=True,  # Ctrl-C in the shell must not stop the shared server
            )
        try:
            info = _announced(announce, process)
        finally:
            announce.unlink(missing_ok=True)  # it holds the secrets; server.json keeps them
        _write_private(folder / INFO, {"pid": process.pid, **info})
        return info


def _announced(announce: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Wait for ``sandbox serve --json``'s first line and return it."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        first = announce.read_text(encoding="utf-8").partition("\n")
        if first[1]:
            info: dict[str, Any] = json.loads(first[0])
            return info
        time.sleep(0.05)
    process.kill()
    raise CliError(
        "the local sandbox did not start",
        f"see {announce.parent / 'server.log'}",
        ExitCode.UNAVAILABLE,
    )


def _write_private(path: Path, data: Mapping[str, Any]) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    os.replace(temp, path)


def sandbox_settings(env: Mapping[str, str]) -> ConnectionSettings:
    """Return settings pointing at the persistent sandbox (started if needed)."""
    info = ensure_running(home(env))
    source = "sandbox"
    return ConnectionSettings(
        service_url=info["service_url"],
        partner_id=int(info["partner_id"]),
        admin_secret=info["admin_secret"],
        sources={"service_url": source, "partner_id": source, "admin_secret": source},
    )


def stop(folder: Path, timeout: float = 10.0) -> bool:
    """Stop the persistent sandbox; return False if none was running."""
    info = read_info(folder)
    if info is None:
        return False
    os.kill(int(info["pid"]), signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and read_info(folder) is not None:
        time.sleep(0.05)
    return True


@click.command("stop")
@common_options
@click.pass_context
def stop_command(ctx: click.Context) -> int:
    """Stop the persistent local sandbox of --sandbox (its data is kept)."""
    state = app(ctx)
    stopped = stop(home(state.env))
    state.say("stopped the local sandbox" if stopped else "no local sandbox was running")
    return ExitCode.OK


@click.command("status")
@common_options
@click.pass_context
def status_command(ctx: click.Context) -> int:
    """Show whether the persistent local sandbox runs, and where (secrets not shown)."""
    state = app(ctx)
    folder = home(state.env)
    info = read_info(folder)
    record = {
        "running": info is not None,
        "service_url": info["service_url"] if info else None,
        "partner_id": info["partner_id"] if info else None,
        "data_dir": str(folder / "data"),
    }
    if state.json:
        state.stdout.write(json_line(record) + "\n")
    else:
        for key, value in record.items():
            click.echo(f"{key:12} {'' if value is None else value}", file=state.stdout)
    return ExitCode.OK


@click.command("env")
@common_options
@click.pass_context
def env_command(ctx: click.Context) -> int:
    """Print the export lines of the persistent sandbox: eval "$(kaltura-mm sandbox env)"."""
    state = app(ctx)
    info = ensure_running(home(state.env))
    values = {
        "KALTURA_SERVICE_URL": str(info["service_url"]),
        "KALTURA_PARTNER_ID": str(info["partner_id"]),
        "KALTURA_ADMIN_SECRET": str(info["admin_secret"]),
    }
    if state.json:
        state.stdout.write(json_line(values) + "\n")
        return ExitCode.OK
    for name, value in values.items():
        click.echo(f"export {name}={shlex.quote(value)}", file=state.stdout)
    # A KS or region left in the environment would win over the sandbox's secret and URL.
    click.echo("unset KALTURA_KS KALTURA_REGION", file=state.stdout)
    return ExitCode.OK
