"""``failed_last_time``: of a plan, only the changes whose item failed last time, and only the
categories those need (``sync --retry-failed``, ``apply --retry-failed``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kaltura_mm.commands.sync_retry import LastOutcomes, failed_last_time
from kaltura_mm.store import Target, open_store
from kaltura_mm.sync import ItemOutcome, Place, Plan, PlanItem


class _Run:
    """What ``failed_last_time`` asks of a run: its target, and where notices go."""

    def __init__(self) -> None:
        self.notices: list[tuple[str, str, dict[str, Any]]] = []

    def target(self) -> Target:
        return Target("https://kaltura.example", 42)

    def notice(self, kind: str, message: str, **fields: Any) -> None:
        self.notices.append((kind, message, fields))


def test_only_the_failed_items_and_the_categories_they_need_are_kept(tmp_path: Path) -> None:
    run, db = _Run(), open_store(tmp_path)
    labs = Place("Course>Labs")
    failed = PlanItem(actions=("add",), path="/m/lab.mp4", reference_id="sync-1", attach=(labs,))
    done = PlanItem(actions=("add",), path="/m/intro.mp4", reference_id="sync-2")
    gone = PlanItem(actions=("extra", "detach"), entry_id="0_x")
    same = PlanItem(actions=("keep",), path="/m/old.mp4", reference_id="sync-3")
    last = LastOutcomes(db, run)  # type: ignore[arg-type]
    last.save(ItemOutcome(item=failed, status="failed"), 7)
    last.save(ItemOutcome(item=done, status="done", entry_id="0_a"), 7)
    last.save(ItemOutcome(item=gone, status="failed"), 8)  # another category's
    plan = Plan(
        scope=Place("Course", 7),
        items=(failed, done, gone, same),
        create=("Course>Labs", "Course>Other"),
    )
    kept = failed_last_time(run, db, plan)  # type: ignore[arg-type]
    assert kept.items == (failed,)
    assert kept.create == ("Course>Labs",)
    ((kind, message, fields),) = run.notices
    assert kind == "retry_failed" and fields == {"failed": 1, "left_alone": 2}
    assert message == "--retry-failed: 1 item failed last time; 2 other changes left alone"
    last.save(ItemOutcome(item=failed, status="done", entry_id="0_b"), 7)  # retried: done now
    assert failed_last_time(run, db, plan).items == ()
