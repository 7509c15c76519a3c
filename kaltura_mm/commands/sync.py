"""``kaltura-mm sync SOURCE -c CATEGORY`` and ``kaltura-mm apply PLAN``: keep a category in step
with a folder or a manifest, plan first.

``sync`` reads the source and the server (exactly, past the search index's lag, for the entries
its records name), prints the summary, and either stops there (``--plan`` prints every change,
``--plan-out FILE`` saves the plan) or asks and applies (``--yes`` does not ask). ``apply FILE``
applies a saved plan exactly, after checking that the server still holds what the plan saw:
a plan that drifted is refused, naming the entries. See ``kaltura_mm.sync`` for the rules.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click

from kaltura_mm.commands.browse import FORMAT
from kaltura_mm.commands.category_refs import resolve
from kaltura_mm.commands.context import AppContext, app, common_options, lock_wait_option
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.interrupts import max_duration_option
from kaltura_mm.commands.job_options import job_options
from kaltura_mm.commands.job_run import JobRun
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.params import ByteSize
from kaltura_mm.commands.report_file import empty_report, report_option
from kaltura_mm.commands.shard import pick_plan, shard_option
from kaltura_mm.commands.shell import command_line, visible
from kaltura_mm.commands.store_option import open_state, store_option
from kaltura_mm.commands.sync_job import run_sync_job
from kaltura_mm.commands.sync_limits import check_removals, listed, max_delete_option
from kaltura_mm.commands.sync_retry import failed_last_time
from kaltura_mm.commands.sync_run import Journal, apply_with_journal
from kaltura_mm.commands.sync_show import confirmed, say_summary, write_plan
from kaltura_mm.commands.upload import split_concurrency
from kaltura_mm.errors import CategoryNotFoundError
from kaltura_mm.store import state_dir
from kaltura_mm.store.lock import RunLock
from kaltura_mm.store.sync_state import KnownCategories, SyncRecords
from kaltura_mm.sync import Plan, plan_sync, read_source
from kaltura_mm.sync.apply import with_scope
from kaltura_mm.sync.content import CONFLICT_CHOICES
from kaltura_mm.sync.planfile import dump, loads
from kaltura_mm.upload.plan import DEFAULT_CHUNK_SIZE
from kaltura_mm.upload.request import UploadOptions


def _run_options(command: Any) -> Any:
    """The options ``sync`` and ``apply`` share: how to send, where the state is."""
    options = (
        click.option(
            "--concurrency",
            type=click.IntRange(1, 64),
            default=24,
            show_default=True,
            help="Requests in flight at once (files and chunks together).",
        ),
        click.option(
            "--chunk-size",
            type=ByteSize(),
            default=f"{DEFAULT_CHUNK_SIZE // 2**20}MiB",
            show_default=True,
            help="Bytes per chunk, e.g. 5MB, 8MiB.",
        ),
        click.option(
            "--state-dir",
            "state_dir_",
            type=click.Path(file_okay=False, path_type=Path),
            help="Where the sync's records and upload states live.",
        ),
        store_option,
        lock_wait_option,
        max_delete_option,
        click.option(
            "--no-recycle",
            is_flag=True,
            help="With --prune delete: delete for good, not to the recycle bin.",
        ),
        click.option("--documents", is_flag=True, help="Take PDFs and office files as documents."),
        click.option("--format", "fmt", type=FORMAT, default="table", show_default=True),
        report_option,
        max_duration_option,
        click.option(
            "--retry-failed",
            is_flag=True,
            help="Apply only the items whose last apply failed (the state database says).",
        ),
        shard_option,
        job_options,
    )
    for option in reversed(options):
        command = option(command)
    return command


def _jobs(options: dict[str, Any]) -> JobRun:
    return JobRun(*(options.pop(k) for k in ("workers", "job_id", "lease", "job_worker")))


def _options(state: AppContext, options: dict[str, Any], files: int) -> tuple[Any, int]:
    in_flight, chunks = split_concurrency(options["concurrency"], max(files, 1))
    extra: dict[str, Any] = {} if state.retries is None else {"max_attempts": state.retries + 1}
    try:
        upload = UploadOptions(
            chunk_size=options["chunk_size"],
            concurrency=chunks,
            support_documents=options["documents"],
            keep_on_cancel=True,  # Ctrl-C keeps the half-sent entry and token: the re-run resumes
            **extra,
        )
    except ValueError as exc:
        raise CliError(f"--chunk-size: {exc}", "pick a size such as 16MiB") from exc
    state.config_overrides["max_concurrency"] = options["concurrency"]
    return upload, in_flight


@click.command("sync")
@click.argument("source", metavar="SOURCE", required=False)
@click.option("--category", "-c", metavar="ID|PATH", help="The category to keep (required).")
@click.option("--plan", "show_plan", is_flag=True, help="Print the changes; change nothing.")
@click.option("--show-keep", is_flag=True, help="With --plan: the entries kept as they are too.")
@click.option(
    "--plan-out",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Save the plan for `kaltura-mm apply FILE`; change nothing.",
)
@click.option(
    "--prune",
    type=click.Choice(["detach", "delete"]),
    help="Entries in the category the source does not list: detach them, or delete them.",
)
@click.option("--create-categories", is_flag=True, help="Create missing categories.")
@click.option(
    "--on-conflict",
    type=click.Choice(CONFLICT_CHOICES),
    help="An entry whose content another tool replaced since the sync wrote it: put the file "
    "back in (keep-local), or keep the server's content (keep-server). Unset: left alone, and "
    "the run ends with exit 3.",
)
@click.option("-y", "--yes", is_flag=True, help="Apply without asking.")
@click.option("--include", multiple=True, metavar="GLOB", help="Of a folder, only these files.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Of a folder, not these files.")
@_run_options
@common_options
@click.pass_context
def sync_command(
    ctx: click.Context, /, source: str | None, category: str | None, **options: Any
) -> int:
    """Make a category look like a folder or a manifest: plan, show, apply."""
    state = app(ctx)
    options["jobs"] = jobs = _jobs(options)
    if jobs.joining:  # the job holds the plan: SOURCE and the category are not read
        root = state_dir(options["state_dir_"], state.env)
        return run_sync_job(state, jobs, "sync", None, options, root, check=False)
    if source is None or category is None:
        raise click.UsageError(f"Missing {'argument SOURCE' if source is None else 'option -c'}.")
    plan, db, root = make_plan(state, source, category, options)
    if options["retry_failed"]:
        plan = failed_last_time(state, db, plan)
    options["listed"] = listed(plan)  # the whole source's, before --shard takes its part
    return _after_plan(state, pick_plan(state, options["shard"], plan), options, db, root)


def make_plan(
    state: AppContext, source: str, category: str, options: dict[str, Any]
) -> tuple[Plan, Any, Path]:
    """Read the source and the server; return the plan (nothing is written to the server),
    the state database and its folder. ``sync`` and ``check`` share it."""
    found = read_source(
        source,
        include=options["include"],
        exclude=options["exclude"],
        documents=options["documents"],
    )
    for path, reason in found.skipped[:20]:
        state.notice("skipped", f"{path}: {reason}", path=str(path))
    root = state_dir(options["state_dir_"], state.env)
    db = open_state(root, state.env)
    client = state.client()
    try:
        top = resolve(state, category, root)
    except CategoryNotFoundError:
        if not options["create_categories"]:
            raise
        top = None
    records = SyncRecords(db, state.target(), top.id).all() if top else {}
    plan = client.run(
        plan_sync(
            found,
            top.id if top else category,
            records=records,
            prune=options["prune"],
            create_categories=options["create_categories"],
            known_categories=KnownCategories(db, state.target()).all(),
            on_conflict=options.get("on_conflict"),
        )
    )
    return plan, db, root


def _after_plan(state: AppContext, plan: Plan, options: dict[str, Any], db: Any, root: Path) -> int:
    fmt = Format(options["fmt"])
    if options["show_plan"]:
        write_plan(state, plan, fmt, everything=options["show_keep"])
    say_summary(state, plan)
    if options["plan_out"] is not None:
        _save(plan, options["plan_out"], _target(state))
        state.say(f"plan saved; apply it with: kaltura-mm apply {options['plan_out']}")
    if options["show_plan"] or options["plan_out"] is not None:
        return ExitCode.OK
    if not plan.changes:
        empty_report(options["report"])  # in step: a script still finds its report, empty
        return _conflicts(state, plan, ExitCode.OK)
    check_removals(plan, options["max_delete"], options["listed"])
    if not options["yes"] and not confirmed(plan):
        state.say("nothing was changed")
        return ExitCode.FAILED
    if options["jobs"].workers:
        code = run_sync_job(state, options["jobs"], "sync", plan, options, root, check=False)
        return _conflicts(state, plan, code)
    return _apply(state, plan, options, db, root, check=False)


def _conflicts(state: AppContext, plan: Plan, code: int) -> int:
    """Say each entry left alone as a conflict, naming the flag (under --quiet too: it is a
    failure); a run with any ends with exit 3, never 0."""
    for item in plan.conflicts:
        message = f"entry {item.entry_id} ({item.relative}): {item.note}"
        if state.quiet:
            state.stderr.write(f"kaltura-mm: conflict: {visible(message)}\n")
        else:
            state.notice("conflict", message, entry_id=item.entry_id, path=item.relative)
    if plan.conflicts and code == ExitCode.OK:
        return ExitCode.PARTIAL
    return code


def _save(plan: Plan, path: Path, target: dict[str, Any]) -> None:
    """Write the plan to ``path`` as it is made (streamed: a big plan is never one string in
    memory); through a temporary file, so a failed write never leaves half a plan there."""
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            dump(plan, out, target)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(f"--plan-out {path}: {exc.strerror}", "pick a file you can write") from None


def _apply(
    state: AppContext, plan: Plan, options: dict[str, Any], db: Any, root: Path, *, check: bool
) -> int:
    adds = sum("add" in i.actions for i in plan.items)
    upload, files = _options(state, options, adds)
    with RunLock(root, state.command(), options["lock_wait"], command_line) as lock:
        if lock.note:
            state.notice("note", lock.note)
        journal = Journal(db, state, plan, recycle=not options["no_recycle"])
        fmt, report = Format(options["fmt"]), options["report"]
        code = apply_with_journal(
            journal,
            upload,
            files,
            fmt,
            check=check,
            report=report,
            max_duration=options["max_duration"],
        )
    return _conflicts(state, plan, code)


def _target(state: AppContext) -> dict[str, Any]:
    target = state.target()
    return {"service": target.service, "partner_id": target.partner_id}


@click.command("apply")
@click.argument(
    "plan_file", type=click.Path(dir_okay=False, path_type=Path), metavar="PLAN", required=False
)
@_run_options
@common_options
@click.pass_context
def apply_command(ctx: click.Context, /, plan_file: Path | None, **options: Any) -> int:
    """Apply a plan `kaltura-mm sync --plan-out` saved, exactly, if the server did not change."""
    state = app(ctx)
    jobs = _jobs(options)
    if jobs.joining:  # the job holds the plan: PLAN is not read
        root = state_dir(options["state_dir_"], state.env)
        return run_sync_job(state, jobs, "apply", None, options, root, check=True)
    if plan_file is None:
        raise click.UsageError("Missing argument 'PLAN'.")
    try:
        text = plan_file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{plan_file}: {exc.strerror}", "pass the file --plan-out wrote") from None
    plan, target = loads(text)
    here = _target(state)
    if target != here:
        raise CliError(
            f"{plan_file} was made for {target.get('service')} partner {target.get('partner_id')},"
            f" and this run talks to {here['service']} partner {here['partner_id']}",
            "apply it with the account it was made with, or make a new plan with `kaltura-mm sync`",
        )
    root = state_dir(options["state_dir_"], state.env)
    if plan.scope.id is None and plan.changes:  # made before its category: an earlier apply
        with contextlib.suppress(CategoryNotFoundError):  # may have made it
            plan = with_scope(plan, resolve(state, plan.scope.full_name, root).id)
    db = open_state(root, state.env)
    if options["retry_failed"]:
        plan = failed_last_time(state, db, plan)
    whole = listed(plan)
    plan = pick_plan(state, options["shard"], plan)
    if not plan.changes:
        say_summary(state, plan)
        empty_report(options["report"])
        return _conflicts(state, plan, ExitCode.OK)
    check_removals(plan, options["max_delete"], whole)
    if jobs.workers:
        code = run_sync_job(state, jobs, "apply", plan, options, root, check=True)
        return _conflicts(state, plan, code)
    return _apply(state, plan, options, db, root, check=True)
