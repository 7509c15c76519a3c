"""``kaltura-mm uploads``: the unfinished uploads of a state directory; resume or abort them.

An upload stopped half way (Ctrl-C, a crash, a full disk) keeps its entry and token on the
server and its chunk state in ``state.db``; the same ``upload`` command resumes it. When the file
changed since, that command uploads the new content as a new file and the old half-made entry
would stay in its category for good: ``uploads`` lists every unfinished upload with whether its
file is unchanged, ``uploads resume`` finishes those whose file is unchanged, and ``uploads
abort`` removes the half-made entry and the open token (never an entry the server has the
content of) and forgets the state.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from kaltura_mm.commands.browse import FORMAT
from kaltura_mm.commands.context import AppContext, app, common_options, lock_wait_option
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.store_option import open_state, store_option
from kaltura_mm.commands.uploads_abort import Aborted, abort_upload
from kaltura_mm.errors import KalturaError
from kaltura_mm.store import Store, state_dir
from kaltura_mm.store.lock import RunLock
from kaltura_mm.store.store import LEGACY_TARGET
from kaltura_mm.store.uploads import PendingUpload, UploadStore, pending_uploads
from kaltura_mm.upload import local_file
from kaltura_mm.upload.request import UploadOptions

LIST_KEYS = (
    "reference_id",
    "path",
    "file",
    "entry_id",
    "token_id",
    "bytes_confirmed",
    "size",
    "server",
    "partner_id",
    "updated_at",
)
ABORT_KEYS = ("reference_id", "path", "status", "deleted_entries", "deleted_tokens", "kept_entries",
              "error", "message")  # fmt: skip


def file_state(pending: PendingUpload) -> str:
    """Return ``unchanged``, ``changed`` or ``missing``: the file against the saved fingerprint."""
    saved = pending.state
    changed = local_file.full_check(saved.request.path, saved.fingerprint)
    return "unchanged" if not changed else ("missing" if "existence" in changed else "changed")


def _record(pending: PendingUpload) -> dict[str, Any]:
    saved = pending.state
    return {
        "reference_id": saved.reference_id,
        "path": str(saved.request.path),
        "file": file_state(pending),
        "entry_id": saved.entry_id,
        "token_id": saved.token_id,
        "bytes_confirmed": saved.bytes_confirmed,
        "size": saved.fingerprint.size,
        "server": pending.service,
        "partner_id": pending.partner_id,
        "updated_at": pending.updated_at,
    }


def _state_dir_option(command: Any) -> Any:
    return click.option(
        "--state-dir",
        "state_dir_",
        type=click.Path(file_okay=False, path_type=Path),
        help="The state directory (default: as upload's).",
    )(command)


def _options(command: Any) -> Any:
    command = store_option(_state_dir_option(command))
    return click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)(command)


@click.group("uploads", invoke_without_command=True)
@_options
@common_options
@click.pass_context
def uploads_group(ctx: click.Context, state_dir_: Path | None, fmt: str) -> int:
    """List unfinished uploads (with `resume` or `abort` to finish or remove them)."""
    if ctx.invoked_subcommand is None:
        return _list(app(ctx), state_dir_, fmt)
    return ExitCode.OK


@uploads_group.command("list")
@_options
@common_options
@click.pass_context
def list_command(ctx: click.Context, state_dir_: Path | None, fmt: str) -> int:
    """List the unfinished uploads of the state directory (no server needed)."""
    return _list(app(ctx), state_dir_, fmt)


def _list(state: AppContext, chosen: Path | None, fmt: str) -> int:
    db = open_state(state_dir(chosen, state.env), state.env)
    pending = pending_uploads(db)
    shown = ("reference_id", "path", "file", "entry_id", "bytes_confirmed", "size")
    writer = state.writer(LIST_KEYS, Format(fmt), table_keys=shown)
    for item in pending:
        writer.write(_record(item))
    writer.close()
    changed = sum(1 for p in pending if file_state(p) != "unchanged")
    state.say(
        f"{len(pending)} unfinished uploads ({changed} whose file changed or is gone: "
        "`kaltura-mm uploads abort` removes what they left on the server)"
        if pending
        else "no unfinished uploads"
    )
    return ExitCode.OK


def _chosen(db: Store, state: AppContext, which: Sequence[str], every: bool) -> list[PendingUpload]:
    if not which and not every:
        raise CliError("no uploads named", "name them (reference id or path) or pass --all")
    mine = (state.target().key, LEGACY_TARGET)
    pending = [p for p in pending_uploads(db) if p.target in mine]
    if every:
        return pending
    wanted = set(which) | {str(Path(w).expanduser().resolve()) for w in which}
    picked = [p for p in pending if {p.state.reference_id, str(p.state.request.path)} & wanted]
    if not picked:
        raise CliError(
            f"no unfinished upload of this server is named {', '.join(which)}",
            "`kaltura-mm uploads` lists them with their reference ids",
            ExitCode.NOT_FOUND,
        )
    return picked


@uploads_group.command("abort")
@click.argument("which", nargs=-1, metavar="[REFERENCE_ID|PATH]...")
@click.option("--all", "every", is_flag=True, help="Every unfinished upload of this server.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@_options
@common_options
@click.pass_context
def abort_command(ctx: click.Context, /, which: tuple[str, ...], every: bool, yes: bool,
                  state_dir_: Path | None, fmt: str) -> int:  # fmt: skip
    """Remove what unfinished uploads left on the server (half-made entry, open token)."""
    state = app(ctx)
    root = state_dir(state_dir_, state.env)
    # An upload resuming one of these must not run now.
    with RunLock(root, state.command(), 0.0, command_line):
        db = open_state(root, state.env)
        return _abort(state, db, _chosen(db, state, which, every), yes, fmt)


def _abort(state: AppContext, db: Store, chosen: list[PendingUpload], yes: bool, fmt: str) -> int:
    if not chosen:
        state.say("no unfinished uploads")
        return ExitCode.OK
    if not yes and not _confirm(chosen):
        state.say("nothing was changed")
        return ExitCode.FAILED
    store = UploadStore(db, state.target())
    shown = ("path", "status", "message")
    writer = state.writer(ABORT_KEYS, Format(fmt), table_keys=shown, actions=True)
    failures, errors = [], []
    for pending in chosen:
        line, error = _abort_one(state, store, pending)
        if error is not None:
            failures.append(describe(error).code)
            errors.append(error)
        writer.write(line)
    writer.close()
    from kaltura_mm.commands.auth_hints import name_auth_fixes

    name_auth_fixes(state, errors)  # a refusal of the session: say how to fix it, once
    return for_items(len(chosen) - len(failures), failures)


def _confirm(chosen: list[PendingUpload]) -> bool:
    click.echo(f"About to abort {len(chosen)} unfinished uploads:", err=True)
    for pending in chosen[:20]:
        click.echo(f"  {pending.state.request.path} ({file_state(pending)})", err=True)
    try:
        return click.confirm(f"Abort {len(chosen)} uploads?", err=True)
    except click.Abort:
        return False


def _abort_one(
    state: AppContext, store: UploadStore, pending: PendingUpload
) -> tuple[dict[str, Any], KalturaError | None]:
    """Abort one upload; return its result line and, if it failed, the error."""
    saved = pending.state
    line: dict[str, Any] = {"reference_id": saved.reference_id, "path": str(saved.request.path)}
    try:
        done: Aborted = state.client().run(abort_upload(saved))
    except KalturaError as exc:
        failure = describe(exc)
        # a refusal's fix comes once for the batch (name_auth_fixes); any other's with its line
        told = failure.problem if failure.code is ExitCode.AUTH else failure.line()
        return {**line, "status": "failed", "error": failure.kind, "message": told}, exc
    store.discard(saved.reference_id)
    kept = f"; kept {', '.join(done.kept)}: the server has its content" if done.kept else ""
    removed = ", ".join([*done.entries, *done.tokens]) or "nothing was left on the server"
    return {
        **line,
        "status": "aborted",
        "deleted_entries": ",".join(done.entries) or None,
        "deleted_tokens": ",".join(done.tokens) or None,
        "kept_entries": ",".join(done.kept) or None,
        "message": f"removed {removed}{kept}",
    }, None


@uploads_group.command("resume")
@click.argument("which", nargs=-1, metavar="[REFERENCE_ID|PATH]...")
@click.option("--all", "every", is_flag=True, help="Every unfinished upload of this server.")
@lock_wait_option
@_state_dir_option
@store_option
@common_options
@click.pass_context
def resume_command(ctx: click.Context, /, which: tuple[str, ...], every: bool, lock_wait: float,
                   state_dir_: Path | None) -> int:  # fmt: skip
    """Finish unfinished uploads whose file is unchanged (results as `upload` gives them)."""
    from kaltura_mm.commands.upload import DEFAULT_CONCURRENCY, run_uploads, split_concurrency

    state = app(ctx)
    root = state_dir(state_dir_, state.env)
    chosen = _chosen(open_state(root, state.env), state, which, every)
    ready = [p for p in chosen if file_state(p) == "unchanged"]
    for pending in chosen:
        if pending not in ready:
            path, ref = pending.state.request.path, pending.state.reference_id
            state.notice(
                "not_resumed",
                f"{path}: the file is {file_state(pending)} since the upload stopped; "
                f"`{command_line(['kaltura-mm', 'uploads', 'abort', ref])}` removes what it "
                "left on the server",
                path=str(path),
            )
    if not ready:
        state.say("nothing to resume")
        return ExitCode.OK if not chosen else ExitCode.FAILED
    requests = [p.state.request for p in ready]
    options = UploadOptions(keep_on_cancel=True, support_documents=True)
    files, _ = split_concurrency(DEFAULT_CONCURRENCY, len(requests))
    return run_uploads(state, root, requests, options, files, None, lock_wait)
