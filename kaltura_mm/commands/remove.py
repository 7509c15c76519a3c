"""``kaltura-mm detach``, ``delete`` and ``move``: by id, from a file, or ``--where`` filters match.

The entries are read from the server first (``remove_plan``): what would change is shown and
confirmed (``--yes`` skips the question; ``--dry-run`` reports the verdicts with the exit code the
real run would have). The confirmed set is exactly what is changed: a ``--where`` selection is
listed once, shown, then acted on by id, so an entry that starts matching after the question is
left alone. Only entries that would change are sent; each outcome is printed and recorded as it
lands (``remove_run``). Re-running is safe: an entry already detached counts as ``already_done``,
and so does an entry already deleted when this machine's ``kaltura-mm`` deleted it (the deletion
log) or with ``--missing-ok`` (any missing id, like ``rm -f``). A mistyped id still fails "not
found" (exit 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import click

from kaltura_mm.commands.browse import FORMAT, build_query
from kaltura_mm.commands.category_refs import resolve
from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.id_lists import read_ids
from kaltura_mm.commands.job_options import job_options
from kaltura_mm.commands.job_run import JobRun
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.remove_job import needs_yes, run_remove_job
from kaltura_mm.commands.remove_options import remove_options, request_of
from kaltura_mm.commands.remove_plan import RemovalPlan, verdicts
from kaltura_mm.commands.remove_report import confirm, interrupted, summary
from kaltura_mm.commands.remove_run import apply, stop_signals_as_interrupt
from kaltura_mm.commands.report_file import report_option, with_report
from kaltura_mm.commands.shard import pick, shard_option
from kaltura_mm.commands.store_option import open_state, store_option
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.flows.entries import delete_where, get_entries_in
from kaltura_mm.flows.listing import ANY_STATUS, EntryQuery
from kaltura_mm.flows.membership import Membership
from kaltura_mm.models import BaseEntry, Category
from kaltura_mm.shard import Shard
from kaltura_mm.store import state_dir
from kaltura_mm.store.deletions import DeletionLog

OUTCOME_KEYS = (
    "entry_id",
    "action",
    "category_id",
    "status",
    "name",
    "error",
    "message",
    "from_category_id",
)
_TABLE_KEYS = OUTCOME_KEYS[:5]  # a table adds error and message when a row has them


def _targets(entry_ids: Sequence[str], from_file: str | None, where: bool, yes: bool) -> list[str]:
    ids = list(entry_ids)
    if from_file is not None:
        if from_file == "-" and not yes:
            raise CliError(
                "--from-file - reads the ids from stdin, so the confirmation cannot be read there",
                "add --yes (after a --dry-run), or pass the ids in a file",
            )
        ids.extend(read_ids(from_file))
    ids = [i for i in dict.fromkeys(ids) if i]
    if where and ids:
        raise CliError("--where selects entries itself", "give ids or --where, not both")
    # an empty --from-file (a listing that matched nothing, piped in) selects nothing: as a
    # --where that matches nothing, a cron job's run with nothing to do is not an error
    if not where and not ids and from_file is None:
        raise CliError(
            "no entries named",
            "pass ENTRY_ID..., --from-file FILE (one id per line), or --where with filters",
        )
    return ids


def _selection(
    state: AppContext,
    ids: list[str],
    query: EntryQuery | None,
    plan: RemovalPlan,
    shard: Shard | None,
) -> tuple[list[str], dict[str, BaseEntry], Membership]:
    """Return the ids to act on (of ``--shard``'s part) and what the server holds of them
    (listed, then read by id), with their links to the plan's categories
    (``categoryEntry.list``, in the same request)."""
    client = state.client()
    if query is not None:
        ids = [o.entry_id for o in client.iterate(delete_where(query, dry_run=True))]
    ids = pick(state, shard, ids, str)
    if not ids:
        return ids, {}, Membership()
    known, links = client.run(get_entries_in(ids, plan.categories))
    return ids, known, links


def _record(
    outcome: EntryOutcome, plan: RemovalPlan, known: dict[str, BaseEntry]
) -> dict[str, Any]:
    failure = describe(outcome.error) if outcome.error is not None else None
    entry = known.get(outcome.entry_id)
    moving = plan.action == "move"
    return {
        "entry_id": outcome.entry_id,
        "action": plan.action,
        # a move's result names where the entry went; where it came from follows
        "category_id": plan.destination_id if moving else plan.category_id,
        "status": outcome.status,
        "name": entry.name if entry else None,
        "error": getattr(outcome.error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else None,
        "from_category_id": plan.category_id if moving else None,
    }


def _run(ctx: click.Context, action: str, request: dict[str, Any]) -> int:
    state = app(ctx)
    where, filters = request.pop("where", False), request.pop("filters")
    keys = ("workers", "job_id", "lease", "job_worker")
    jobs = JobRun(*(request.pop(k) for k in keys))
    if jobs.workers or jobs.joining:
        return _run_job(state, action, request, where, filters, jobs)
    if action == "move" and not request.get("target"):
        raise click.UsageError("Missing option '--to'.")
    ids = _targets(request["entry_ids"], request["from_file"], where, request["yes"])
    plan, where_text = _plan(state, action, filters, request.get("target"), request)
    query = _where_query(state, action, filters) if where else None
    ids, known, links = _selection(state, ids, query, plan, request.get("shard"))
    log = _deletion_log(state) if action == "delete" else None
    if log is not None:
        plan = attrs.evolve(plan, deleted_before=frozenset(log.known(ids)))
    plan = attrs.evolve(plan, listed=query is not None)
    planned = verdicts(plan, ids, known, links)
    table_keys = (*_TABLE_KEYS, "from_category_id") if action == "move" else _TABLE_KEYS
    shown = state.writer(OUTCOME_KEYS, Format(request["fmt"]), table_keys, actions=True)
    writer = with_report(shown, OUTCOME_KEYS, request["report"])  # before anything is sent
    outcomes: list[EntryOutcome] = []

    def write(outcome: EntryOutcome) -> None:
        outcomes.append(outcome)
        writer.write(_record(outcome, plan, known))

    changing = [o.entry_id for o in planned if o.status == "would_change"]
    if request["dry_run"] or not changing:
        for outcome in planned:
            write(outcome)
        writer.close()
        return summary(state, plan, outcomes, dry_run=request["dry_run"], where=where_text)
    if not request["yes"] and not confirm(plan, changing, known, where_text):
        state.say("nothing was changed")
        return ExitCode.FAILED
    for outcome in planned:
        if outcome.status != "would_change":
            write(outcome)
    try:
        with stop_signals_as_interrupt():
            apply(state, plan, changing, write, log)
    except KeyboardInterrupt:
        writer.close()
        return interrupted(state, plan, outcomes, len(ids))
    writer.close()
    return summary(state, plan, outcomes)


def _run_job(
    state: AppContext,
    action: str,
    request: dict[str, Any],
    where: bool,
    filters: dict[str, Any],
    jobs: JobRun,
) -> int:
    """``--workers N`` / ``--job ID``: the ids as one job of many workers (``remove_job``)."""
    needs_yes(jobs, request["yes"], request["dry_run"])
    made = None
    if not jobs.joining:
        ids = _targets(request["entry_ids"], request["from_file"], where, request["yes"])
        plan, _ = _plan(state, action, filters, request.get("target"), request)
        if where:
            query = _where_query(state, action, filters)
            listed = state.client().iterate(delete_where(query, dry_run=True))
            ids = [o.entry_id for o in listed]
        ids = pick(state, request.get("shard"), ids, str)
        made = (attrs.evolve(plan, listed=where), ids)
    table_keys = (*_TABLE_KEYS, "from_category_id") if action == "move" else _TABLE_KEYS

    def write(lines: Sequence[dict[str, Any]]) -> None:
        shown = state.writer(OUTCOME_KEYS, Format(request["fmt"]), table_keys, actions=True)
        writer = with_report(shown, OUTCOME_KEYS, request["report"])
        for line in lines:
            writer.write(line)
        writer.close()

    return run_remove_job(state, jobs, action, made, _record, write)


def _plan(
    state: AppContext,
    action: str,
    filters: dict[str, Any],
    target: str | None,
    request: dict[str, Any],
) -> tuple[RemovalPlan, str]:
    """Return the plan (categories resolved) and how to name them to the user."""
    category: Category | None = None
    if action != "delete":
        if not filters.get("category"):
            to = "to" if action == "add" else "from"
            raise CliError(f"{action} needs --category", f"name the category to {action} {to}")
        category = resolve(state, filters["category"])
    destination = resolve(state, target) if target else None
    side = "to" if action == "add" else "from"
    text = f" {side} category {category.full_name} (id {category.id})" if category else ""
    if destination is not None:
        text += f" to {destination.full_name} (id {destination.id})"
    plan = RemovalPlan(
        action=action,
        category_id=category.id if category else None,
        destination_id=destination.id if destination else None,
        missing_ok=bool(request.get("missing_ok")),
    )
    return plan, text


def _deletion_log(state: AppContext) -> DeletionLog:
    return DeletionLog(open_state(state_dir(None, state.env), state.env), state.target())


def _where_query(state: AppContext, action: str, filters: dict[str, Any]) -> EntryQuery:
    if action == "delete" and not any(
        filters.get(k) for k in filters if k not in ("subcategories", "any_status")
    ):
        raise CliError(
            "delete --where needs at least one filter (it would delete every entry)",
            "add --category, --search, --created-before, --status ... and try --dry-run first",
        )
    query = build_query(state, filters)
    if query.statuses is None:  # acting "on every entry that matches" means every status
        query = attrs.evolve(query, statuses=ANY_STATUS)
    if action != "delete" and query.include_subcategories:
        raise CliError(
            "detach --where cannot use --subcategories",
            "entries of sub-categories are not in the category itself; detach per category",
        )
    return query


@click.command("detach")
@remove_options
@common_options
@click.pass_context
def detach_command(ctx: click.Context, /, **options: Any) -> int:
    """Remove entries from a category (--category); the entries themselves stay."""
    return _run(ctx, "detach", request_of(options))


@click.command("delete")
@remove_options
@click.option(
    "--missing-ok",
    is_flag=True,
    help="An entry that does not exist counts as already deleted (like rm -f).",
)
@common_options
@click.pass_context
def delete_command(ctx: click.Context, /, **options: Any) -> int:
    """Delete entries (from every category, for good)."""
    return _run(ctx, "delete", request_of(options))


@click.command("move")
@remove_options
@click.option("--to", "target", metavar="ID|PATH", help="Category to move to (required).")
@common_options
@click.pass_context
def move_command(ctx: click.Context, /, **options: Any) -> int:
    """Move entries from one category (--category) to another (--to): add, then detach."""
    return _run(ctx, "move", request_of(options))


@click.command("add")
@click.argument("entry_ids", nargs=-1, metavar="[ENTRY_ID]...")
@click.option("--category", "-c", metavar="ID|PATH", help="The category to add them to.")
@click.option(
    "--from-file",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="FILE|-",
    help="Entry ids: one per line, kaltura-mm's CSV or JSON lines; - reads stdin.",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@report_option
@shard_option
@job_options
@store_option
@common_options
@click.pass_context
def add_command(ctx: click.Context, /, category: str | None, **options: Any) -> int:
    """Add entries to a category (--category) too; they stay in their other categories."""
    request = {**options, "where": False, "filters": {"category": category}}
    return _run(ctx, "add", request)
