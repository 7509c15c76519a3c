"""The ``kaltura-mm`` command line: ``main(argv) -> int``; ``run()`` is the console entry point.

The group below holds the global options; each command group lives in ``kaltura_mm.commands``.
``main`` turns every error into one line naming the problem and the fix, and an exit code from
``kaltura_mm.commands.exit_codes`` (a traceback only with ``--verbose``, secrets redacted).
"""

from __future__ import annotations

import gc
import sys
import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from kaltura_mm import __version__
from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.lazy import LazyGroup, Listed
from kaltura_mm.commands.params import ByteSize

if TYPE_CHECKING:
    from kaltura_mm.commands.failures import Failure

# httpx imports its own command line (rich, pygments: 50 ms of every start, issue 20) unless it
# cannot: this process runs ours, never httpx's. (None in sys.modules: that import fails.)
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

# Each command's module is imported only when the command runs; --help lists the summaries here
# (tests/cli/test_startup.py checks each against its command's help).
COMMANDS = {
    "upload": Listed(
        "kaltura_mm.commands.upload.upload_command",
        "Upload files, directories (recursive), globs or a CSV manifest; safe to re-run.",
    ),
    "list": Listed(
        "kaltura_mm.commands.browse.list_command",
        "List entries of a category (or all), filtered; a table, JSON lines or CSV.",
    ),
    "get": Listed(
        "kaltura_mm.commands.browse.get_command",
        "Show entries by id (deleted or unknown ids are reported as not found).",
    ),
    "categories": Listed(
        "kaltura_mm.commands.categories_admin.categories_group",
        "List categories with their entry counts (or draw the tree); create, rename, move, "
        "delete them.",
    ),
    "detach": Listed(
        "kaltura_mm.commands.remove.detach_command",
        "Remove entries from a category (--category); the entries themselves stay.",
    ),
    "delete": Listed(
        "kaltura_mm.commands.remove.delete_command",
        "Delete entries (from every category, for good).",
    ),
    "move": Listed(
        "kaltura_mm.commands.remove.move_command",
        "Move entries from one category (--category) to another (--to): add, then detach.",
    ),
    "add": Listed(
        "kaltura_mm.commands.remove.add_command",
        "Add entries to a category (--category) too; they stay in their other categories.",
    ),
    "update": Listed(
        "kaltura_mm.commands.update.update_command",
        "Edit entries' metadata: only the fields given, only where they differ.",
    ),
    "replace": Listed(
        "kaltura_mm.commands.replace.replace_command",
        "Replace an entry's content with FILE, keeping the entry (id, embeds, categories).",
    ),
    "sync": Listed(
        "kaltura_mm.commands.sync.sync_command",
        "Make a category look like a folder or a manifest: plan, show, apply.",
    ),
    "apply": Listed(
        "kaltura_mm.commands.sync.apply_command",
        "Apply a plan `kaltura-mm sync --plan-out` saved, exactly, if the server did not change.",
    ),
    "check": Listed(
        "kaltura_mm.commands.sync_check.check_command",
        "Tell whether a category is in step with a source; change nothing.",
    ),
    "restore": Listed(
        "kaltura_mm.commands.restore.restore_command",
        "Bring entries back from the recycle bin (where `sync --prune delete` put them).",
    ),
    "uploads": Listed(
        "kaltura_mm.commands.uploads.uploads_group",
        "List unfinished uploads (with `resume` or `abort` to finish or remove them).",
    ),
    "jobs": Listed(
        "kaltura_mm.commands.jobs_command.jobs_command",
        "List the jobs of the store (--workers) with their progress and workers.",
    ),
    "ks": Listed(
        "kaltura_mm.commands.ks_commands.ks_group",
        "Make and read Kaltura Sessions (KS).",
    ),
    "auth": Listed(
        "kaltura_mm.commands.auth_commands.auth_group",
        "Check the session in use; make, list and revoke app tokens; make roles.",
    ),
    "config": Listed(
        "kaltura_mm.commands.config_commands.config_group",
        "Show the settings in effect and the config file's location.",
    ),
    "sandbox": Listed(
        "kaltura_mm.commands.sandbox_group.sandbox",
        "Run a local Kaltura-compatible API server (no account needed).",
    ),
    "demo": Listed(
        "kaltura_mm.commands.demo.demo_command",
        "Show upload, list, detach and delete against a built-in sandbox (about 5 seconds).",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_subcommands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# The version as the package states it: asking the installed metadata costs ~20 ms of start-up
# (tests/cli/test_startup.py checks the two agree).
@click.version_option(__version__, prog_name="kaltura-mm")
@click.option("--profile", metavar="NAME", help="Profile of the config file to use.")
@click.option("--service-url", metavar="URL", help="Kaltura server root (https://...).")
@click.option("--region", metavar="NAME", help="Region preset: us, eu, de, sg, ca, au.")
@click.option("--partner-id", metavar="ID", help="Kaltura partner (account) id.")
@click.option("--user-id", metavar="USER", help="User the session acts as.")
@click.option("--sandbox", is_flag=True, help="Use the persistent local sandbox.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    envvar="KALTURA_MM_TIMEOUT",
    metavar="SECONDS",
    help="Give up on a connection or an answer after this long; an answer's time counts once "
    "the request is sent [default: 10 s to connect, 120 s per answer; env KALTURA_MM_TIMEOUT].",
)
@click.option(
    "--max-answer",
    type=ByteSize(minimum=1),
    envvar="KALTURA_MM_MAX_ANSWER",
    metavar="SIZE",
    help="Refuse an answer larger than this, e.g. 64MiB [default: 64MiB; env "
    "KALTURA_MM_MAX_ANSWER].",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    envvar="KALTURA_MM_RETRIES",
    metavar="N",
    help="Send a failed request again up to N times; 0 reports the first failure "
    "[default: 3; env KALTURA_MM_RETRIES].",
)
@click.option(
    "--patience",
    type=click.FloatRange(min=0, min_open=True),
    envvar="KALTURA_MM_PATIENCE",
    metavar="SECONDS",
    help="Stop within this long of the first request the server left unanswered, however many "
    "retries are left; the same command resumes [default: 120; env KALTURA_MM_PATIENCE].",
)
@click.option(
    "--shared-budget/--no-shared-budget",
    default=None,
    help="Share one rate budget with the other kaltura-mm processes of this user (and, with a "
    "PostgreSQL store, of other machines), or learn the server's rate limits alone "
    "[default: shared; env KALTURA_MM_SHARED_BUDGET=off].",
)
@click.option("--json", "json_", is_flag=True, help="Print one JSON object per result line.")
@click.option("-q", "--quiet", is_flag=True, help="Print results only: no progress or messages.")
@click.option("-v", "--verbose", is_flag=True, help="Debug logs on stderr (secrets redacted).")
@click.pass_context
def cli(
    ctx: click.Context,
    profile: str | None,
    service_url: str | None,
    region: str | None,
    partner_id: str | None,
    user_id: str | None,
    sandbox: bool,
    timeout: float | None,
    max_answer: int | None,
    retries: int | None,
    patience: float | None,
    shared_budget: bool | None,
    json_: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    """Manage Kaltura media from the shell: upload, list, detach, delete.

    Credentials come from the environment (KALTURA_ADMIN_SECRET or KALTURA_KS) or a profile of
    the config file, never from the command line. Try it all locally with `kaltura-mm demo`.
    """
    state = ctx.ensure_object(AppContext)
    state.flags = {
        "service_url": service_url,
        "region": region,
        "partner_id": partner_id,
        "user_id": user_id,
    }
    state.profile, state.sandbox = profile, sandbox
    state.timeout, state.retries, state.max_answer = timeout, retries, max_answer
    state.patience = patience
    state.shared_budget = shared_budget
    state.json, state.quiet = json_, quiet
    if verbose:
        state.enable_verbose(ctx)
    from kaltura_mm.commands.logs import hide_warnings, show_warnings

    # Checked when a warning comes: `list --json` sets --json after this callback.
    shown = show_warnings(lambda: state.secrets, lambda: state.json or state.quiet or state.verbose)
    ctx.call_on_close(lambda: hide_warnings(shown))


def _auth_failure(state: AppContext, exc: BaseException, plain: Failure) -> Failure:
    """Return the likely causes of a refused session, named from this run's settings."""
    import attrs

    from kaltura_mm.commands.auth_hints import explain
    from kaltura_mm.errors import redact

    try:
        better = explain(state, exc)
    except Exception:  # the hint must never hide the error itself
        return plain
    if better is None:
        return plain
    return attrs.evolve(
        better,
        problem=redact(better.problem, state.secrets),
        fix=redact(better.fix, state.secrets),
    )


def _report(state: AppContext, exc: BaseException) -> int:
    # Imported here: only a failing run needs them, and they pull in most of the package.
    from kaltura_mm.commands.failures import describe
    from kaltura_mm.commands.output import json_line
    from kaltura_mm.commands.shell import visible
    from kaltura_mm.errors import redact

    failure = describe(exc, state.secrets)
    if failure.code == ExitCode.AUTH:
        failure = _auth_failure(state, exc, failure)
    if state.verbose and failure.kind == "internal":
        click.echo(redact("".join(traceback.format_exception(exc)), state.secrets), err=True)
    if state.json:
        record = {
            "error": failure.kind,
            "message": failure.problem,
            "fix": failure.fix,
            "exit_code": int(failure.code),
        }
        click.echo(json_line(record), err=True)
    else:
        click.echo(f"kaltura-mm: error: {visible(failure.line())}", err=True)
    return int(failure.code)


def _json_usage_error(error: click.ClickException, code: int) -> None:
    from kaltura_mm.commands.output import json_line

    context = getattr(error, "ctx", None)
    where = context.command_path if context is not None else "kaltura-mm"
    record = {
        "error": "usage",
        "message": error.format_message(),
        "fix": f"see `{where} --help`",
        "exit_code": code,
    }
    click.echo(json_line(record), err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` and return the exit code."""
    state = AppContext()
    if argv is not None:
        state.argv = list(argv)
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="kaltura-mm",
            standalone_mode=False,
            obj=state,
        )
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.exceptions.Abort:
        click.echo("kaltura-mm: aborted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as error:
        code = int(ExitCode.BAD_INPUT) if error.exit_code == 2 else error.exit_code
        if state.json or "--json" in state.argv:  # --json may follow the mistake
            _json_usage_error(error, code)
        else:
            error.show()
        return code
    except BrokenPipeError:
        return int(ExitCode.OK)  # the reader (head, less) went away: not an error
    except (Exception, KeyboardInterrupt) as exc:
        return _report(state, exc)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)


def run() -> None:
    """Console-script entry point.

    Once the command's modules are imported, what start-up made (modules, classes, tables) is
    frozen out of the garbage collector's sight: it lives as long as the process, and every
    collection walked it again (0.1 s of CPU in an upload of 50 small files, issue 20). Only
    here: a process running many commands (tests calling ``main``) would keep their garbage.
    """
    cli.after_load = gc.freeze
    sys.exit(main())
