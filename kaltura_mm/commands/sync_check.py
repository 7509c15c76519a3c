"""``kaltura-mm check SOURCE -c CATEGORY``: is the category in step with the source? For cron
and monitoring.

It reads exactly what ``sync --plan`` reads and makes the same plan (``commands.sync.make_plan``:
one planner), then prints one line per difference and changes nothing. A difference is every
plan item that would write (add, replace, update, attach, detach, delete), every entry whose
content another tool replaced since the sync wrote it (``conflict``), every category to
create, and every *extra* entry (in the category, not in the source) unless
``--ignore-extra`` (for a category synced without ``--prune``). Exit 0 in step, 1 when anything
differs, 2 on any error (a bad flag, an unreadable source, a category not found, the server
refusing or unreachable), so ``check`` reads like ``diff``/``cmp``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.shell import visible
from kaltura_mm.commands.store_option import store_option
from kaltura_mm.commands.sync import make_plan
from kaltura_mm.commands.sync_show import plan_record
from kaltura_mm.errors import KalturaError
from kaltura_mm.sync.model import CONFLICT, EXTRA, Plan

DIFFERS = 1
ERROR = 2


def differences(plan: Plan, ignore_extra: bool) -> list[dict[str, Any]]:
    """Return each difference of ``plan`` as its record (the plan's own, for an item)."""
    found: list[dict[str, Any]] = [
        {"action": "create_category", "name": name, "note": None} for name in plan.create
    ]
    for item in plan.items:
        if item.changes or CONFLICT in item.actions or (EXTRA in item.actions and not ignore_extra):
            found.append(plan_record(item, structured=True))
    return found


def _line(record: dict[str, Any]) -> str:
    what = record["action"]
    if what == "create_category":
        return f"create_category  {visible(record['name'])}"
    changes = record.get("changes") or {}
    said = [
        "new content" if k == "content" else f"{k}: {b!r} -> {a!r}" for k, (b, a) in changes.items()
    ]
    said += [f"+{n}" for n in record.get("attach") or []]
    said += [f"-{n}" for n in record.get("detach") or []]
    where = record.get("path") or record.get("entry_id") or ""
    name = record.get("name") or ""
    fields = [
        "+".join(a for a in record["actions"] if a != EXTRA) or EXTRA,
        where,
        record.get("entry_id") or "",
        name,
        "; ".join(said),
    ]
    return "  ".join(visible(f) for f in fields if f)


@click.command("check")
@click.argument("source", metavar="SOURCE")
@click.option("--category", "-c", required=True, metavar="ID|PATH", help="The category to check.")
@click.option(
    "--prune",
    type=click.Choice(["detach", "delete"]),
    help="Report extras as the prune the sync runs with would (detach or delete).",
)
@click.option(
    "--ignore-extra", is_flag=True, help="Entries in the category the source does not list: fine."
)
@click.option("--include", multiple=True, metavar="GLOB", help="Of a folder, only these files.")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Of a folder, not these files.")
@click.option("--documents", is_flag=True, help="Take PDFs and office files as documents.")
@click.option(
    "--state-dir",
    "state_dir_",
    type=click.Path(file_okay=False),
    help="Where the sync's records live (as for sync).",
)
@store_option
@common_options
@click.pass_context
def check_command(ctx: click.Context, /, source: str, category: str, **options: Any) -> int:
    """Tell whether a category is in step with a source; change nothing.

    Exit 0 in step, 1 when anything differs (one line, or JSON object, per difference), 2 on
    error. The plan is the one `sync --plan` makes.
    """
    state = app(ctx)
    try:
        plan = _plan(state, source, category, options)
    except (CliError, KalturaError, OSError) as exc:
        failure = describe(exc)
        raise CliError(failure.problem, failure.fix, ExitCode(ERROR)) from None
    found = differences(plan, options["ignore_extra"])
    for record in found:
        if state.json:
            state.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            state.stdout.write(_line(record) + "\n")
    state.stdout.flush()
    scope = plan.scope.full_name
    if not found:
        state.say(f"{scope} is in step with {source}")
        return ExitCode.OK
    state.say(f"{scope}: {len(found)} differences from {source}")
    return DIFFERS


def _plan(state: AppContext, source: str, category: str, options: dict[str, Any]) -> Plan:
    wanted = {
        "include": options["include"],
        "exclude": options["exclude"],
        "documents": options["documents"],
        "state_dir_": Path(options["state_dir_"]) if options["state_dir_"] else None,
        "prune": options["prune"],
        "create_categories": False,
    }
    plan, _, _ = make_plan(state, source, category, wanted)
    return plan
