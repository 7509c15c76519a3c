"""``sync --retry-failed`` and ``apply --retry-failed``: apply only the items that failed last time.

Each applied item's last outcome is kept where ``upload --retry-failed`` keeps a file's: the state
database's file journal (``FileJournal``), one record per item and sync category. An item is known
by its file's path, or (an extra, which has no file) by its entry id; its categories key is
``sync <category id>``, which no upload key (ids, comma-separated) can equal, so an upload never
reads a sync's record as its own. Nothing else is kept for it: a retried item goes through the
same apply as any other (its upload resumed, its entry found by referenceId), so it never makes a
second entry.
"""

from __future__ import annotations

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.store import FileJournal, FileRecord, Store
from kaltura_mm.sync import ItemOutcome, Plan
from kaltura_mm.sync.model import PlanItem

FAILED = "failed"


def _key(item: PlanItem) -> str:
    return item.path or f"entry {item.entry_id}"


def _scope(scope_id: int | None) -> str:
    return f"sync {scope_id or 0}"


class LastOutcomes:
    """The last outcome of each item synced into the categories of one target."""

    def __init__(self, db: Store, state: AppContext) -> None:
        """Keep the outcomes of ``state``'s target in ``db``'s file journal."""
        self.journal = FileJournal(db, state.target())

    def save(self, outcome: ItemOutcome, scope_id: int | None) -> None:
        """Record how ``outcome``'s item ended, in the sync category ``scope_id``."""
        item, print_ = outcome.item, outcome.item.fingerprint
        self.journal.update(
            FileRecord(
                path=_key(item),
                categories=_scope(scope_id),
                size=print_.size if print_ else 0,
                mtime_ns=print_.mtime_ns if print_ else 0,
                reference_id=item.reference_id,
                entry_id=outcome.entry_id or item.entry_id,
                status=outcome.status,
                error=str(outcome.error) if outcome.error is not None else None,
            )
        )

    def failed(self, item: PlanItem, scope_id: int | None) -> bool:
        """Return whether ``item`` failed the last time it was applied into ``scope_id``."""
        record = self.journal.get(_key(item), _scope(scope_id), item.reference_id)
        return record is not None and record.status == FAILED


def failed_last_time(state: AppContext, db: Store, plan: Plan) -> Plan:
    """Return ``plan`` with only the changes whose item failed last time (and the categories
    those need); say how many other changes are left alone."""
    last = LastOutcomes(db, state)
    kept = tuple(i for i in plan.items if i.changes and last.failed(i, plan.scope.id))
    needed = {p.full_name for i in kept for p in i.attach if p.id is None}
    create = tuple(c for c in plan.create if any(n == c or n.startswith(c + ">") for n in needed))
    others = sum(i.changes for i in plan.items) - len(kept)
    state.notice(
        "retry_failed",
        f"--retry-failed: {len(kept)} {'item' if len(kept) == 1 else 'items'} failed last time"
        + (
            f"; {others} other {'change' if others == 1 else 'changes'} left alone"
            if others
            else ""
        ),
        failed=len(kept),
        left_alone=others,
    )
    return attrs.evolve(plan, items=kept, create=create)
