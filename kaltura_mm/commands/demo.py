"""``kaltura-mm demo``: the whole job against an embedded sandbox, no Kaltura account needed.

Starts a sandbox in this process, makes a category, writes a few small audio files (real WAV
tones), then runs the same commands a user would (upload, list, detach, delete), printing each
command line before its output, and a summary of what happened at the end.
"""

from __future__ import annotations

import io
import math
import shlex
import struct
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError

CATEGORY = "Demo>Lectures"
_RATE = 8000


def write_tone(path: Path, frequency: float, seconds: float) -> Path:
    """Write a mono 8 kHz WAV file holding a sine tone; return its path."""
    frames = int(_RATE * seconds)
    samples = (int(12000 * math.sin(2 * math.pi * frequency * i / _RATE)) for i in range(frames))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_RATE)
        out.writeframes(b"".join(struct.pack("<h", s) for s in samples))
    return path


def _step(state: AppContext, env: dict[str, str], *argv: str) -> int:
    """Run one kaltura-mm command against the sandbox, showing it and its output."""
    shown = state.stderr if state.json else state.stdout  # --json keeps stdout for the summary
    click.echo(f"\n$ kaltura-mm {shlex.join(argv)}", file=shown)
    sub = AppContext(env=env, stdout=shown, stderr=shown, quiet=state.quiet)
    return _invoke(sub, argv)


def _query(env: dict[str, str], *argv: str) -> str:
    """Run one kaltura-mm command quietly and return its stdout."""
    out = io.StringIO()
    _invoke(AppContext(env=env, stdout=out, stderr=io.StringIO(), quiet=True), argv)
    return out.getvalue()


def _invoke(sub: AppContext, argv: tuple[str, ...]) -> int:
    from kaltura_mm.cli import cli

    code = cli.main(args=list(argv), prog_name="kaltura-mm", standalone_mode=False, obj=sub)
    return int(code or 0)


def _ids(output: str) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in output.splitlines() if line.strip()]


@click.command("demo")
@click.option(
    "--files",
    type=click.IntRange(2, 20),
    default=3,
    show_default=True,
    help="How many small media files to make and upload.",
)
@common_options
@click.pass_context
def demo_command(ctx: click.Context, files: int) -> int:
    """Show upload, list, detach and delete against a built-in sandbox (about 5 seconds)."""
    from kaltura_mm.sandbox import Sandbox

    state = app(ctx)
    started = time.monotonic()
    # The sandbox is as realistic as ever: its lists lag writes as the real server's index does.
    # The demo tells a story step by step ("the category now holds..."), so before each list it
    # lets the index catch up, as a script against the real server would poll.
    with Sandbox(transcode_delay=0.2) as sandbox, tempfile.TemporaryDirectory() as temp:
        env = {
            "KALTURA_SERVICE_URL": sandbox.service_url,
            "KALTURA_PARTNER_ID": str(sandbox.partner_id),
            "KALTURA_ADMIN_SECRET": sandbox.admin_secret,
            "KALTURA_MM_STATE_DIR": str(Path(temp) / "state"),
            "KALTURA_MM_CONFIG": str(Path(temp) / "no-config.toml"),
        }
        click.echo(
            f"sandbox running at {sandbox.service_url} (partner {sandbox.partner_id})",
            file=state.stderr,
        )
        category_id = sandbox.create_category(CATEGORY)
        folder = Path(temp) / "lectures"
        folder.mkdir()
        for i in range(files):
            write_tone(folder / f"lecture-{i + 1}.wav", 220.0 * (i + 1), 1.0)
        summary = _scenario(state, env, folder, category_id, sandbox.index.settle)
    elapsed = time.monotonic() - started
    _print_summary(state, summary, elapsed)
    return ExitCode.OK


def _scenario(
    state: AppContext,
    env: dict[str, str],
    folder: Path,
    category_id: int,
    settle: Callable[[], None],
) -> dict[str, Any]:
    _check(_step(state, env, "upload", str(folder), "-c", CATEGORY, "--wait-ready"), "upload")
    settle()
    listed = _ids(_query(env, "--json", "list", "-c", CATEGORY, "--order", "+name"))
    uploaded = [r["id"] for r in listed]
    _check(_step(state, env, "list", "-c", CATEGORY, "--order", "+name"), "list")
    detached, deleted = uploaded[0], uploaded[1]
    _check(_step(state, env, "detach", detached, "-c", str(category_id), "--yes"), "detach")
    _check(_step(state, env, "delete", deleted, "--yes"), "delete")
    settle()
    _check(_step(state, env, "list", "-c", CATEGORY), "list")
    remaining = [r["id"] for r in _ids(_query(env, "--json", "list", "-c", CATEGORY))]
    return {
        "category": CATEGORY,
        "category_id": category_id,
        "uploaded": uploaded,
        "detached": detached,
        "deleted": deleted,
        "remaining": remaining,
    }


def _check(code: int, what: str) -> None:
    if code != ExitCode.OK:
        raise CliError(f"the demo's {what} step failed (exit {code})", "re-run with --verbose")


def _print_summary(state: AppContext, summary: dict[str, Any], elapsed: float) -> None:
    if state.json:
        from kaltura_mm.commands.output import json_line

        state.stdout.write(json_line({**summary, "seconds": round(elapsed, 2)}) + "\n")
        return
    lines = [
        "",
        f"What happened (in {elapsed:.1f}s):",
        f"  uploaded {len(summary['uploaded'])} files into {summary['category']} "
        f"(id {summary['category_id']}): {', '.join(summary['uploaded'])}",
        f"  detached {summary['detached']} from the category (the entry still exists)",
        f"  deleted  {summary['deleted']}",
        f"  the category now holds: {', '.join(summary['remaining']) or 'nothing'}",
        "Next: point KALTURA_SERVICE_URL and KALTURA_PARTNER_ID at your account with an app",
        "token rather than the admin secret (`kaltura-mm auth apptoken create`, see",
        "docs/least-privilege.md), or keep exploring locally with",
        "`kaltura-mm --sandbox upload --create-categories ... -c PATH`.",
    ]
    click.echo("\n".join(lines), file=state.stdout)
