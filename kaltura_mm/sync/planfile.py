"""A sync plan saved as JSON (``kaltura-mm sync --plan-out``) and read back (``kaltura-mm apply``).

The document names the server and partner it was made against (``target``), so a plan is never
applied to another account; every item keeps what the plan saw of its entry, so ``check_plan``
can tell whether the server changed underneath before anything is sent.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any, TextIO

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.sync.model import Place, Plan, PlanItem, Seen
from kaltura_mm.upload.request import FileFingerprint

FORMAT = "kaltura-mm sync plan"
VERSION = 1


def dumps(plan: Plan, target: Mapping[str, Any] | None = None) -> str:
    """Return ``plan`` as a JSON document; ``target`` names the server and partner."""
    text = io.StringIO()
    dump(plan, text, target)
    return text.getvalue().rstrip("\n")


def dump(plan: Plan, out: TextIO, target: Mapping[str, Any] | None = None) -> None:
    """Write ``plan`` as a JSON document to ``out``, an item at a time (a 100,000-item plan is
    never held as one string); ``target`` names the server and partner."""
    head = {
        "format": FORMAT,
        "version": VERSION,
        "target": dict(target or {}),
        "scope": attrs.asdict(plan.scope),
        "create": list(plan.create),
        "prune": plan.prune,
        "managed": list(plan.managed),
        "source": plan.source,
        "summary": plan.summary(),
    }
    out.write(json.dumps(head, indent=1, ensure_ascii=False).removesuffix("\n}"))
    out.write(',\n "items": [')
    for number, item in enumerate(plan.items):
        out.write(",\n  " if number else "\n  ")
        out.write(json.dumps(item_data(item), ensure_ascii=False))
    out.write("\n ]\n}\n")


def item_data(item: PlanItem) -> dict[str, Any]:
    """Return one plan item as JSON-ready data (``read_item`` reads it back)."""
    data = attrs.asdict(item, recurse=True)
    data["actions"] = list(item.actions)
    data["before"], data["after"] = dict(item.before), dict(item.after)
    return data


def loads(text: str) -> tuple[Plan, dict[str, Any]]:
    """Return the plan in a document ``dumps`` wrote, and its target; refuse anything else."""
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("it is not a plan kaltura-mm saved")
        if data.get("version") != VERSION:
            raise ValueError(f"its version {data.get('version')!r} is not {VERSION}")
        plan = Plan(
            scope=Place(**data["scope"]),
            items=tuple(read_item(i) for i in data["items"]),
            create=tuple(data["create"]),
            prune=data["prune"],
            managed=tuple(data["managed"]),
            source=data["source"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"cannot read the plan ({exc}): pass a file `kaltura-mm sync --plan-out` wrote"
        ) from None
    return plan, dict(data.get("target") or {})


def read_item(data: Mapping[str, Any]) -> PlanItem:
    """Return the plan item ``item_data`` wrote."""
    fields = dict(data)
    fields["actions"] = tuple(fields["actions"])
    fields["attach"] = tuple(Place(**p) for p in fields["attach"])
    fields["detach"] = tuple(Place(**p) for p in fields["detach"])
    if fields["fingerprint"] is not None:
        fields["fingerprint"] = FileFingerprint(**fields["fingerprint"])
    if fields["seen"] is not None:
        fields["seen"] = Seen(**fields["seen"])
    return PlanItem(**fields)
