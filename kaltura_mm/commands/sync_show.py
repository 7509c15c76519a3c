"""What ``sync`` shows: the plan (table, JSON lines, CSV), its summary, and the question.

A plan line per category to create (``action`` ``create_category``, ``name`` its full path), then
per entry (``--plan`` shows those that change something, ``--show-keep`` every one): ``action``
(the first of ``actions`` that writes, else the first), ``actions``, ``reference_id``,
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
from kaltura_mm.sync.model import EXTRA, REPLACE, Plan, PlanItem

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
PLAN_TABLE = ("action", "name", "entry_id", "changes", "path", "note")
CREATE_CATEGORY = "create_category"  # the action of a plan line naming a category to create
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


def category_record(full_name: str, structured: bool) -> dict[str, Any]:
    """Return the plan line of a category the plan creates (``action`` ``create_category``)."""
    record: dict[str, Any] = dict.fromkeys(PLAN_KEYS)
    record.update(action=CREATE_CATEGORY, name=full_name)
    record["actions"] = [CREATE_CATEGORY] if structured else CREATE_CATEGORY
    return record


def _shown(value: Any) -> str:
    """Return a value as a person reads it: quoted, or ``(empty)`` (never a Python repr)."""
    return f'"{value}"' if value else "(empty)"


def _text(changes: dict[str, Any], attach: list[str], detach: list[str]) -> str | None:
    parts = [
        "new content" if k == "content" else f"{k}: {_shown(b)} -> {_shown(a)}"
        for k, (b, a) in changes.items()
    ]
    parts += [f"+{name}" for name in attach] + [f"-{name}" for name in detach]
    return "; ".join(parts) or None


def shown_by_default(item: PlanItem) -> bool:
    """Return whether ``--plan`` shows ``item`` without ``--show-keep``: it changes something,
    or carries a warning (an extra left alone is only counted: its note says nothing new)."""
    return item.changes or bool(item.note and item.actions != (EXTRA,))


def write_plan(state: AppContext, plan: Plan, fmt: Format, everything: bool) -> None:
    """Write the categories to create, then the plan's items: those that change something (and
    those with a warning), or every item with ``everything``."""
    structured = state.json or fmt is Format.JSONL
    writer = state.writer(PLAN_KEYS, fmt, table_keys=PLAN_TABLE)
    for full_name in plan.create:
        writer.write(category_record(full_name, structured))
    hidden = 0
    for item in plan.items:
        if everything or shown_by_default(item):
            writer.write(plan_record(item, structured))
        else:
            hidden += 1
    writer.close()
    if hidden:
        state.say(f"{hidden} entries to keep as they are not shown: --show-keep shows them")


def say_summary(state: AppContext, plan: Plan) -> None:
    """Say the plan in one line: ``plan for X: 0 changes`` or the counts of each action."""
    scope = plan.scope.full_name
    extras = sum(i.actions == (EXTRA,) for i in plan.items)
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
