"""``kaltura-mm replace ENTRY_ID FILE``: new content for an existing entry, keeping the entry.

The entry keeps its id, and with it its embeds, plays and categories; the server swaps the new
content in once it is converted (until then the entry plays the old one). The file goes in
chunks, like an upload, and its state is kept in the state database after every confirmed
chunk: Ctrl-C (or a crash) and the same command again resumes without re-sending what the server
holds. A refusal says what to do: the account may not allow replacement (``FEATURE_FORBIDDEN``),
or another replacement may be pending (``ENTRY_REPLACEMENT_ALREADY_EXISTS``). Where the partner
requires approval, ``--approve`` approves it; without it the result is ``awaiting_approval`` and
the exit code 1, with the command that approves it. A conversion that failed is cancelled and
reported ``failed`` naming the cause (exit 1); ``--wait-ready`` waits at most ``--ready-timeout``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import click

from kaltura_mm.commands.browse import FORMAT
from kaltura_mm.commands.context import AppContext, app, common_options, lock_wait_option
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.interrupts import Interrupts, max_duration_option
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.params import ByteSize
from kaltura_mm.commands.progress import UploadDisplay
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.store_option import open_state, store_option
from kaltura_mm.errors import (
    FileChangedError,
    KalturaError,
    ReplacementFailedError,
    ReplacementTimeoutError,
    UploadCancelledError,
)
from kaltura_mm.store import state_dir
from kaltura_mm.store.lock import RunLock
from kaltura_mm.store.sync_state import Replacements
from kaltura_mm.upload.plan import DEFAULT_CHUNK_SIZE
from kaltura_mm.upload.replace import ReplaceResult, replace_content
from kaltura_mm.upload.request import UploadOptions

KEYS = (
    "entry_id",
    "status",
    "path",
    "bytes",
    "bytes_resumed",
    "replacing_entry_id",
    "error",
    "message",
)


def _options(
    chunk_size: int, concurrency: int, wait_ready: bool, retries: int | None, timeout: float
) -> UploadOptions:
    extra: dict[str, Any] = {} if retries is None else {"max_attempts": retries + 1}
    try:
        return UploadOptions(
            chunk_size=chunk_size,
            concurrency=concurrency,
            wait_ready=wait_ready,
            ready_timeout=timeout,
            **extra,
        )
    except ValueError as exc:
        raise CliError(f"--chunk-size: {exc}", "pick a size such as 16MiB") from exc


@click.command("replace")
@click.argument("entry_id", metavar="ENTRY_ID")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@click.option("--wait-ready", is_flag=True, help="Wait until the entry plays the new content.")
@click.option(
    "--ready-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=600.0,
    show_default=True,
    help="With --wait-ready: give up after this many seconds, saying what it waited for.",
)
@click.option(
    "--approve",
    is_flag=True,
    help="Approve the replacement where the account requires approval (media.approveReplace).",
)
@click.option(
    "--chunk-size",
    type=ByteSize(),
    default=f"{DEFAULT_CHUNK_SIZE // 2**20}MiB",
    show_default=True,
    help="Bytes per chunk, e.g. 5MB, 8MiB.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=6,
    show_default=True,
    help="Chunks in flight at once.",
)
@click.option(
    "--state-dir",
    "state_dir_",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the replacement's state lives.",
)
@store_option
@lock_wait_option
@max_duration_option
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@common_options
@click.pass_context
def replace_command(
    ctx: click.Context,
    /,
    entry_id: str,
    path: Path,
    wait_ready: bool,
    ready_timeout: float,
    approve: bool,
    chunk_size: int,
    concurrency: int,
    state_dir_: Path | None,
    lock_wait: float,
    max_duration: float | None,
    fmt: str,
) -> int:
    """Replace an entry's content with FILE, keeping the entry (id, embeds, categories)."""
    state = app(ctx)
    options = _options(chunk_size, concurrency, wait_ready, state.retries, ready_timeout)
    root = state_dir(state_dir_, state.env)
    with RunLock(root, state.command(), lock_wait, command_line) as lock:
        if lock.note:
            state.notice("note", lock.note)
        store = Replacements(open_state(root, state.env), state.target())
        with Interrupts(state.say, max_duration) as interrupts:
            run = _Run(state, store, interrupts, Format(fmt), approve)
            return _replace(run, entry_id, path, options)


@attrs.frozen
class _Run:
    """What one ``replace`` run works with."""

    state: AppContext
    store: Replacements
    interrupts: Interrupts
    fmt: Format
    approve: bool


def _replace(run: _Run, entry_id: str, path: Path, options: UploadOptions) -> int:
    state, store, fmt = run.state, run.store, run.fmt
    saved = store.load(entry_id)
    if saved is not None and saved.request.path.resolve() != path.resolve():
        saved = None  # another file: its own token name, so nothing of the old one is reused
    writer = state.writer(KEYS, fmt, table_keys=("entry_id", "status", "path", "message"))
    size = path.stat().st_size
    # bars on a terminal, a line every few seconds elsewhere: as ``upload`` shows a file
    shown = UploadDisplay(state.stderr, size, 1, quiet=state.quiet or state.json)
    flow = replace_content(
        entry_id,
        path,
        options,
        saved,
        on_state=store.save,
        on_progress=shown.progress,
        cancel=run.interrupts.event,
        approve=run.approve,
    )
    try:
        with shown:
            shown.start(path, size, saved.bytes_confirmed if saved is not None else 0)
            result = state.client().run(flow)
            shown.finish(path, size, f"✓ {path.name} -> {entry_id} (sent)")
    except UploadCancelledError:
        writer.write(_line(entry_id, path, "cancelled", message="stopped; resumable"))
        writer.close()
        if run.interrupts.timed_out:
            state.notice(
                "time_limit",
                "replace stopped at --max-duration; the part sent is kept. Run the same "
                "command again to go on: " + command_line(state.command()),
            )
            return ExitCode.TIME_LIMIT
        state.say(
            "interrupted: run the same command again to resume:\n  " + command_line(state.command())
        )
        return ExitCode.INTERRUPTED
    except (ReplacementFailedError, ReplacementTimeoutError) as exc:
        failed = isinstance(exc, ReplacementFailedError)
        if failed:
            store.discard(entry_id)  # cancelled on the server: the next run starts afresh
        kind = "replacement_failed" if failed else "replacement_timeout"
        writer.write(_line(entry_id, path, "failed", kind, str(exc)))
        writer.close()
        return ExitCode.FAILED
    except FileChangedError as exc:
        raise CliError(
            f"{path} changed while it was being sent; the part sent is kept until the next run",
            "run the same command again to send the file as it is now",
        ) from exc
    except KalturaError as exc:
        from kaltura_mm.commands.auth_hints import name_auth_fixes

        failure = describe(exc, state.secrets)
        writer.write(
            _line(entry_id, path, "failed", getattr(exc, "code", failure.kind), failure.problem)
        )
        writer.close()
        name_auth_fixes(state, [exc])  # a refusal of the session: say how to fix it, once
        return int(failure.code)
    store.discard(entry_id)
    if result.stale_cancelled:
        state.notice(
            "cancelled_stale", f"entry {entry_id}: cancelled first: {result.stale_cancelled}"
        )
    writer.write(_done(result, path))
    writer.close()
    if result.status == "awaiting_approval":
        state.notice(
            "awaiting_approval",
            f"entry {entry_id}: the account requires approval before the new content is swapped "
            "in; approve it (nothing is sent again) with:\n  "
            + command_line([*state.command(), "--approve"]),
        )
        return ExitCode.FAILED
    return ExitCode.OK


def _line(
    entry_id: str, path: Path, status: str, error: str | None = None, message: str | None = None
) -> dict[str, Any]:
    return {
        "entry_id": entry_id,
        "status": status,
        "path": str(path),
        "error": error,
        "message": message,
    }


_MESSAGES = {
    "pending": "uploaded; the entry plays the old content until {temp} is converted",
    "awaiting_approval": "uploaded; the account requires approval: the entry plays the old "
    "content until the replacement ({temp}) is approved (--approve)",
    "replaced": "the entry holds the new content",
}


def _done(result: ReplaceResult, path: Path) -> dict[str, Any]:
    status = result.status
    message = _MESSAGES[status].format(temp=result.replacing_entry_id)
    return {
        **_line(result.entry_id, path, status, message=message),
        "bytes": result.bytes_sent + result.bytes_resumed,
        "bytes_resumed": result.bytes_resumed,
        "replacing_entry_id": result.replacing_entry_id,
    }
