"""What ``detach``/``delete``/``move`` tell the user: the question, the summary, an interruption."""

from __future__ import annotations

from collections import Counter

import click

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import describe
from kaltura_mm.commands.remove_plan import RemovalPlan
from kaltura_mm.commands.shell import command_line, visible
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.models import BaseEntry

_SHOWN = 20


def confirm(plan: RemovalPlan, ids: list[str], known: dict[str, BaseEntry], where: str) -> bool:
    """Show what will change and ask; True to go on."""
    action = plan.action
    lines = [f"About to {action} {len(ids)} entries{where}:"]
    for entry_id in ids[:_SHOWN]:
        entry = known.get(entry_id)
        lines.append(f"  {entry_id}  {entry.name if entry else '(not found)'}")
    if len(ids) > _SHOWN:
        lines.append(f"  ... and {len(ids) - _SHOWN} more")
    lines.append(_statuses(ids, known))
    click.echo("\n".join(visible(line) for line in lines if line), err=True)  # a line each
    try:
        return click.confirm(f"{action.capitalize()} {len(ids)} entries?", err=True)
    except click.Abort:
        return False


def _statuses(ids: list[str], known: dict[str, BaseEntry]) -> str:
    counts = Counter(getattr(known[i].status, "name", "?") for i in ids if i in known)
    if set(counts) <= {"READY"}:
        return ""
    return "  by status: " + ", ".join(f"{n} {s}" for s, n in counts.most_common())


def summary(
    state: AppContext,
    plan: RemovalPlan,
    outcomes: list[EntryOutcome],
    dry_run: bool = False,
    where: str = "",
) -> int:
    failed = [o for o in outcomes if not o.ok]
    counts = Counter(o.status for o in outcomes)
    if dry_run:
        state.say(
            f"dry run: would {plan.action} {counts['would_change']} entries{where} "
            f"({counts['already_done']} already done, {len(failed)} failed)"
            if outcomes
            else "nothing matches"
        )
    else:
        done = counts["done"] + counts["already_done"]
        state.say(
            f"{plan.action}: {done} ok ({counts['already_done']} already done), "
            f"{len(failed)} failed"
        )
    from kaltura_mm.commands.auth_hints import name_auth_fixes

    name_auth_fixes(state, (o.error for o in failed))
    kinds = [describe(o.error).code if o.error else ExitCode.FAILED for o in failed]
    return for_items(len(outcomes) - len(failed), kinds)


def interrupted(
    state: AppContext, plan: RemovalPlan, outcomes: list[EntryOutcome], total: int
) -> int:
    done = sum(1 for o in outcomes if o.ok)
    again = command_line(state.command())
    state.notice(
        "interrupted",
        f"{plan.action}: stopped after {len(outcomes)} of {total} entries ({done} ok); what "
        f"landed is recorded. Run the same command again to finish: {again}",
    )
    return ExitCode.INTERRUPTED
