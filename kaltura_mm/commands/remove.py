"""``kaltura-mm detach`` and ``delete``: by id, from a file, or ``--where`` a filter matches.

What will change is shown first and confirmed (``--yes`` skips the question, ``--dry-run`` only
shows). The confirmed set is exactly what is changed: a ``--where`` selection is listed once,
shown, then acted on by id, so an entry that starts matching after the question is left alone.
Re-running is safe: an entry already detached counts as ``already_done``, and so does an entry
already deleted, when this machine's ``kaltura-mm`` deleted it (``DeletionRecord``) or with
``--missing-ok`` (any missing id, like ``rm -f``). A mistyped id still fails "not found" (exit 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from kaltura_mm.commands.browse import build_query, query_options
from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.deletions import DeletionRecord, record_path
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.journal import state_dir
from kaltura_mm.commands.params import category_ref
from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.flows.categories import resolve_category
from kaltura_mm.flows.entries import (
    delete_entries,
    delete_where,
    detach_entries,
    detach_where,
    get_entries,
    move_entries,
)
from kaltura_mm.flows.listing import EntryQuery
from kaltura_mm.models import BaseEntry, Category

OUTCOME_KEYS = ("entry_id", "action", "category_id", "status", "name", "error", "message")
_SHOWN = 20


def _targets(entry_ids: Sequence[str], from_file: Path | None, where: bool) -> list[str]:
    ids = list(entry_ids)
    if from_file is not None:
        text = from_file.read_text(encoding="utf-8")
        ids.extend(line.split(",")[0].strip() for line in text.splitlines())
    ids = [i for i in dict.fromkeys(ids) if i and not i.startswith("#") and i != "entry_id"]
    if where and ids:
        raise CliError("--where selects entries itself", "give ids or --where, not both")
    if not where and not ids:
        raise CliError(
            "no entries named",
            "pass ENTRY_ID..., --from-file FILE (one id per line), or --where with filters",
        )
    return ids


def _selection(
    state: AppContext, ids: list[str], query: EntryQuery | None, action: str
) -> tuple[list[str], dict[str, BaseEntry]]:
    """Return the ids to act on and what is known of them (listed or fetched)."""
    client = state.client()
    if query is not None:
        flow = (
            detach_where(query, dry_run=True)
            if action != "delete"
            else delete_where(query, dry_run=True)
        )
        planned = [o.entry_id for o in client.iterate(flow)]
        return planned, client.run(get_entries(planned)) if planned else {}
    return ids, client.run(get_entries(ids))


def _confirm(
    state: AppContext, action: str, ids: list[str], known: dict[str, BaseEntry], where: str
) -> bool:
    """Show what will change and ask; True to go on."""
    console = Console(file=state.stderr, highlight=False)
    console.print(f"About to {action} {len(ids)} entries{where}:")
    for entry_id in ids[:_SHOWN]:
        entry = known.get(entry_id)
        console.print(f"  {entry_id}  {entry.name if entry else '(not found)'}")
    if len(ids) > _SHOWN:
        console.print(f"  ... and {len(ids) - _SHOWN} more")
    try:
        return click.confirm(f"{action.capitalize()} {len(ids)} entries?", err=True)
    except click.Abort:
        return False


def _record(
    outcome: EntryOutcome, action: str, category_id: int | None, known: dict[str, BaseEntry]
) -> dict[str, Any]:
    failure = describe(outcome.error) if outcome.error is not None else None
    entry = known.get(outcome.entry_id)
    return {
        "entry_id": outcome.entry_id,
        "action": action,
        "category_id": category_id,
        "status": outcome.status,
        "name": entry.name if entry else None,
        "error": getattr(outcome.error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else None,
    }


def _run(
    ctx: click.Context,
    action: str,
    entry_ids: Sequence[str],
    from_file: Path | None,
    where: bool,
    dry_run: bool,
    yes: bool,
    filters: dict[str, Any],
    target: str | None = None,
    missing_ok: bool = False,
) -> int:
    state = app(ctx)
    ids = _targets(entry_ids, from_file, where)
    category: Category | None = None
    if action != "delete":
        if not filters.get("category"):
            raise CliError(f"{action} needs --category", f"name the category to {action} from")
        category = state.client().run(resolve_category(category_ref(filters["category"])))
    destination = state.client().run(resolve_category(category_ref(target))) if target else None
    query = _where_query(state, action, filters) if where else None
    category_id = category.id if category else None
    ids, known = _selection(state, ids, query, action)
    where_text = f" from category {category.full_name} (id {category.id})" if category else ""
    if destination is not None:
        where_text += f" to {destination.full_name} (id {destination.id})"
    writer = state.writer(OUTCOME_KEYS)
    if dry_run or not ids:
        for entry_id in ids:
            outcome = EntryOutcome(entry_id, "would_change")
            writer.write(_record(outcome, action, category_id, known))
        writer.close()
        state.say(
            f"dry run: would {action} {len(ids)} entries{where_text}" if ids else "nothing matches"
        )
        return ExitCode.OK
    if not yes and not _confirm(state, action, ids, known, where_text):
        state.say("nothing was changed")
        return ExitCode.FAILED
    if action == "move" and destination is not None:
        outcomes = state.client().run(move_entries(ids, category_id or 0, destination.id or 0))
    elif action == "detach":
        outcomes = state.client().run(detach_entries(ids, category_id or 0))
    else:
        outcomes = _delete(state, ids, query is not None, missing_ok)
    for outcome in outcomes:
        writer.write(_record(outcome, action, category_id, known))
    writer.close()
    return _summary(state, action, outcomes)


def _delete(
    state: AppContext, ids: list[str], listed: bool, missing_ok: bool
) -> list[EntryOutcome]:
    """Delete ``ids``; "not found" is already done for ids deleted before, or any with
    ``missing_ok``; remember what ended deleted."""
    settings = state.settings()
    service = settings.service_url or settings.region or ""
    record = DeletionRecord(record_path(state_dir(None, state.env), service, settings.partner_id))
    deleted_before = record.known(ids)
    outcomes = [
        EntryOutcome(o.entry_id, "already_done")
        if isinstance(o.error, EntryNotFoundError) and (missing_ok or o.entry_id in deleted_before)
        else o
        for o in state.client().run(delete_entries(ids, known_to_exist=listed))
    ]
    record.add(o.entry_id for o in outcomes if o.ok and o.entry_id not in deleted_before)
    return outcomes


def _where_query(state: AppContext, action: str, filters: dict[str, Any]) -> EntryQuery:
    if action == "delete" and not any(
        filters.get(k) for k in filters if k not in ("subcategories", "any_status")
    ):
        raise CliError(
            "delete --where needs at least one filter (it would delete every entry)",
            "add --category, --search, --created-before, --status ... and try --dry-run first",
        )
    query = build_query(state, filters)
    if action != "delete" and query.include_subcategories:
        raise CliError(
            "detach --where cannot use --subcategories",
            "entries of sub-categories are not in the category itself; detach per category",
        )
    return query


def _summary(state: AppContext, action: str, outcomes: list[EntryOutcome]) -> int:
    done = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    already = sum(1 for o in outcomes if o.status == "already_done")
    state.say(f"{action}: {len(done)} ok ({already} already done), {len(failed)} failed")
    return for_items(
        len(done), [describe(o.error).code if o.error else ExitCode.FAILED for o in failed]
    )


def _remove_options(command: Any) -> Any:
    options = (
        click.argument("entry_ids", nargs=-1, metavar="[ENTRY_ID]..."),
        click.option(
            "--from-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="File with one entry id per line (a CSV's first column works).",
        ),
        click.option("--where", is_flag=True, help="Act on every entry the filters match."),
        click.option("--dry-run", is_flag=True, help="Show what would change; change nothing."),
        click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation."),
    )
    for option in reversed(options):
        command = option(command)
    return query_options(command)


@click.command("detach")
@_remove_options
@common_options
@click.pass_context
def detach_command(
    ctx: click.Context,
    /,
    entry_ids: tuple[str, ...],
    from_file: Path | None,
    where: bool,
    dry_run: bool,
    yes: bool,
    **filters: Any,
) -> int:
    """Remove entries from a category (--category); the entries themselves stay."""
    return _run(ctx, "detach", entry_ids, from_file, where, dry_run, yes, filters)


@click.command("delete")
@_remove_options
@click.option(
    "--missing-ok",
    is_flag=True,
    help="An entry that does not exist counts as already deleted (like rm -f).",
)
@common_options
@click.pass_context
def delete_command(
    ctx: click.Context,
    /,
    entry_ids: tuple[str, ...],
    from_file: Path | None,
    where: bool,
    dry_run: bool,
    yes: bool,
    missing_ok: bool,
    **filters: Any,
) -> int:
    """Delete entries (from every category, for good)."""
    return _run(
        ctx, "delete", entry_ids, from_file, where, dry_run, yes, filters, missing_ok=missing_ok
    )


@click.command("move")
@_remove_options
@click.option("--to", "target", required=True, metavar="ID|PATH", help="Category to move to.")
@common_options
@click.pass_context
def move_command(
    ctx: click.Context,
    /,
    entry_ids: tuple[str, ...],
    from_file: Path | None,
    where: bool,
    dry_run: bool,
    yes: bool,
    target: str,
    **filters: Any,
) -> int:
    """Move entries from one category (--category) to another (--to): add, then detach."""
    return _run(ctx, "move", entry_ids, from_file, where, dry_run, yes, filters, target)
