"""Helpers for the sync tests: a caller that keeps records as the command line does, media,
and the sandbox's own account of what it holds and what was written."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm import Client, UploadOptions
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sync import ApplyHooks, ItemOutcome, Plan, Source, SyncRecord
from kaltura_mm.testing import config_for

SMALL = UploadOptions(chunk_size=100_000, edge_size=50_000, concurrency=2)
WRITES = frozenset(
    {
        ("baseentry", "add"),
        ("baseentry", "update"),
        ("baseentry", "updatecontent"),
        ("baseentry", "addcontent"),
        ("baseentry", "delete"),
        ("baseentry", "recycle"),
        ("baseentry", "restorerecycled"),
        ("uploadtoken", "add"),
        ("uploadtoken", "upload"),
        ("uploadtoken", "delete"),
        ("categoryentry", "add"),
        ("categoryentry", "delete"),
        ("category", "add"),
        ("category", "update"),
        ("category", "delete"),
    }
)


def writes(sb: Sandbox) -> int:
    """Return how many write calls the sandbox has answered so far."""
    calls: Counter[tuple[str, str]] = sb.stats.calls
    return sum(n for key, n in calls.items() if key in WRITES)


def media(folder: Path, name: str, size: int = 3_000) -> Path:
    """Write ``size`` random bytes to ``folder/name`` (folders made) and return the path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    return path


def linked(sb: Sandbox, entry_id: str) -> set[str]:
    """Return the full names of the categories ``entry_id`` is actively linked to."""
    rows = sb.core.store.all(
        "SELECT c.full_name FROM category_entries ce JOIN categories c ON c.id = ce.category_id "
        "WHERE ce.entry_id = ? AND ce.status = 2",
        (entry_id,),
    )
    return {str(r[0]) for r in rows}


def live(sb: Sandbox) -> dict[str, dict[str, Any]]:
    """Return the partner's live entries by id (temporary replacement entries left out)."""
    rows = sb.core.store.all(
        "SELECT * FROM entries WHERE partner_id = ? AND status != 3 AND display_in_search != -1",
        (sb.partner_id,),
    )
    return {str(r["id"]): dict(r) for r in rows}


class Syncer:
    """Plans and applies syncs of one category, keeping records as the command line does."""

    def __init__(self, sb: Sandbox, scope: str) -> None:
        """Sync ``scope`` of ``sb``."""
        self.sb = sb
        self.scope = scope
        self.records: dict[str, SyncRecord] = {}
        self.client = Client(config_for(sb))

    def plan(self, source: Source, **options: Any) -> Plan:
        """Return the plan of ``source``."""
        plan: Plan = self.client.sync.plan(source, self.scope, records=self.records, **options)
        return plan

    def apply(self, plan: Plan, *, check: bool = False, **options: Any) -> list[ItemOutcome]:
        """Apply ``plan``, recording what each entry now holds."""
        hooks = options.pop("hooks", None) or ApplyHooks()
        keep = hooks.on_record

        def record(r: SyncRecord) -> None:
            self.records[r.reference_id] = r
            if keep is not None:
                keep(r)

        hooks = attrs.evolve(hooks, on_record=record)
        outcomes: list[ItemOutcome] = self.client.sync.apply(
            plan, records=self.records, check=check, hooks=hooks, options=SMALL, **options
        )
        return outcomes

    def close(self) -> None:
        """Close the client."""
        self.client.close()
