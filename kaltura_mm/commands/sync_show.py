"""What ``sync`` shows: the plan (table, JSON lines, CSV), its summary, and the question.

A plan line per entry: ``action`` (the first of ``actions``), ``actions``, ``reference_id``,
``entry_id``, ``path``, ``name``, ``changes`` (each field as before -> after, and ``content``
for a replacement), ``attach``, ``detach``, ``note``. Under JSON ``actions``, ``attach`` and
``detach`` are lists and ``changes`` an object ``{field: [before, after]}``; in a table or CSV
they are text.
"""

from __future__ import annotations

from typing import Any

import click

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.shell import visible
from kaltura_mm.sync.model import REPLACE, Plan, PlanItem

PLAN_KEYS = (
    "action",
    "actions",
    "reference_id",
    "entry_id",
    "path",
    "name",
    "changes",
    "attach",
    "detach",
    "note",
)
PLAN_TABLE = ("action", "name", "entry_id", "changes", "path")
_SHOWN = 20


def plan_record(item: PlanItem, structured: bool) -> dict[str, Any]:
    """Return one item of a plan as its documented record."""
    changes: dict[str, Any] = {k: [item.before.get(k), item.after.get(k)] for k in item.after}
    if "add" in item.actions:
        changes = {}
    if REPLACE in item.actions:
        changes["content"] = [None, item.relative]
    attach = [p.full_name for p in item.attach]
    detach = [p.full_name for p in item.detach]
    record: dict[str, Any] = {
        "action": item.action,
        "actions": list(item.actions),
        "reference_id": item.reference_id,
        "entry_id": item.entry_id,
        "path": item.relative,
        "name": item.name,
        "changes": changes or None,
        "attach": attach or None,
        "detach": detach or None,
        "note": item.note,
    }
    if structured:
        return record
    return {
        **record,
        "actions": "+".join(item.actions),
        "changes": _text(changes, attach, detach),
        "attach": ", ".join(attach) or None,
        "detach": ", ".join(detach) or None,
    }


def _text(changes: dict[str, Any], attach: list[str], detach: list[str]) -> str | None:
    parts = [
        "new content" if k == "content" else f"{k}: {b!r} -> {a!r}" for k, (b, a) in changes.items()
    ]
    parts += [f"+{name}" for name in attach] + [f"-{name}" for name in detach]
    return "; ".join(parts) or None


def write_plan(state: AppContext, plan: Plan, fmt: Format, everything: bool) -> None:
    """Write the plan's items (every item, or only those that change something)."""
    structured = state.json or fmt is Format.JSONL
    writer = state.writer(PLAN_KEYS, fmt, table_keys=PLAN_TABLE)
    for item in plan.items:
        if everything or item.changes or item.note:
            writer.write(plan_record(item, structured))
    writer.close()


def say_summary(state: AppContext, plan: Plan) -> None:
    """Say the plan in one line: ``plan for X: 0 changes`` or the counts of each action."""
    scope = plan.scope.full_name
    extras = sum("extra" in i.actions for i in plan.items)
    kept = " (kept: pass --prune detach or --prune delete to act on them)" if extras else ""
    note = kept if extras and plan.prune is None else ""
    state.notice("plan", f"{scope}: {plan.summary()}{note}", changes=plan.changes)


def confirmed(plan: Plan) -> bool:
    """Show the changes (the first 20) and ask; True to go on."""
    lines = [f"About to change {plan.scope.full_name}:"]
    lines += [f"  create category {name}" for name in plan.create]
    changing = [i for i in plan.items if i.changes]
    for item in changing[:_SHOWN]:
        what = "+".join(a for a in item.actions if a != "extra")
        lines.append(f"  {what:<16} {item.name or item.entry_id}  {item.relative or item.entry_id}")
    if len(changing) > _SHOWN:
        lines.append(f"  ... and {len(changing) - _SHOWN} more")
    click.echo("\n".join(visible(line) for line in lines), err=True)  # a line each
    try:
        return click.confirm(f"Apply {plan.changes} changes?", err=True)
    except click.Abort:
        return False
