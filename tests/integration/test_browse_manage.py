"""Detach, delete, add, move and bulk-by-filter against the sandbox, under both clients."""

from __future__ import annotations

import pytest

from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.flows.batch import EntryOutcome, Pace
from kaltura_mm.flows.entries import (
    add_to_category,
    delete_entries,
    delete_where,
    detach_entries,
    detach_where,
    move_entries,
)
from kaltura_mm.flows.listing import EntryQuery, collect_entries
from kaltura_mm.models import MediaType
from kaltura_mm.sandbox import Sandbox
from tests.integration.test_browse_harness import (  # noqa: F401 (the runner fixture)
    Runner,
    runner_fixture,
)


def _members(runner: Runner, sandbox: Sandbox, category_id: int) -> set[str]:
    """Return a category's entries once the search index caught up with the writes."""
    sandbox.index.settle()
    return {e.id for e in runner.run(collect_entries(EntryQuery(category_id=category_id)))}


def _by_status(outcomes: list[EntryOutcome]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for o in outcomes:
        found.setdefault(o.status, set()).add(o.entry_id)
    return found


def test_detach_mixed_batch(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    category_id = kaltura_sandbox.create_category("Detach")
    ids = kaltura_sandbox.seed_entries(category_id, 130)
    runner.run(detach_entries(ids[:10], category_id))  # detached before
    kaltura_sandbox.stats.reset()
    outcomes = runner.run(detach_entries([*ids, "0_nothere0"], category_id))
    status = _by_status(outcomes)
    assert status == {
        "already_done": set(ids[:10]),
        "done": set(ids[10:]),
        "failed": {"0_nothere0"},
    }
    # category, 4 batches (rounds of 20, 30 and 45 while nothing is throttled, then the 36
    # left), check of the not-assigned ids
    assert kaltura_sandbox.stats.http_requests == 1 + 4 + 1
    assert _members(runner, kaltura_sandbox, category_id) == set()


def test_delete_mixed_batch(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    category_id = kaltura_sandbox.create_category("Delete")
    ids = kaltura_sandbox.seed_entries(category_id, 80)
    runner.run(delete_entries(ids[:5]))
    outcomes = runner.run(delete_entries([*ids, "0_nothere0"]))
    status = _by_status(outcomes)
    # the server cannot tell "deleted before" from "never existed": both answer not found
    assert status == {"failed": {*ids[:5], "0_nothere0"}, "done": set(ids[5:])}
    assert all(isinstance(o.error, EntryNotFoundError) for o in outcomes if o.status == "failed")
    assert _members(runner, kaltura_sandbox, category_id) == set()


def test_throttled_sandbox_finishes_with_nothing_lost(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    category_id = kaltura_sandbox.create_category("Throttled")
    ids = kaltura_sandbox.seed_entries(category_id, 300)
    kaltura_sandbox.faults.throttle("categoryEntry", "delete", per_second=150)
    kaltura_sandbox.faults.throttle("baseEntry", "delete", per_second=150)
    detached = runner.run(detach_entries(ids, category_id))
    assert {o.status for o in detached} == {"done"}
    deleted = runner.run(delete_entries(ids))
    assert {o.status for o in deleted} == {"done"}
    blocked = kaltura_sandbox.stats.calls[("baseentry", "delete")] - len(ids)
    assert blocked > 0, "the throttle should have blocked some deletes"
    with pytest.raises(EntryNotFoundError):
        runner.run(_get(ids[0]))


def _get(entry_id: str):  # type: ignore[no-untyped-def]
    from kaltura_mm.services import base_entry

    return (yield base_entry.get(entry_id))


def test_rate_ceiling_is_kept(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    category_id = kaltura_sandbox.create_category("Ceiling")
    ids = kaltura_sandbox.seed_entries(category_id, 60)
    kaltura_sandbox.faults.throttle("baseEntry", "delete", per_second=30)
    outcomes = runner.run(delete_entries(ids, pace=Pace(batch_size=50, max_rate=25)))
    assert {o.status for o in outcomes} == {"done"}
    assert kaltura_sandbox.stats.calls[("baseentry", "delete")] == 60, "nothing was blocked"


def test_add_and_move(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    source = kaltura_sandbox.create_category("Move>From")
    target = kaltura_sandbox.create_category("Move>To")
    ids = kaltura_sandbox.seed_entries(source, 30)
    added = runner.run(add_to_category([*ids[:5], "0_nothere0"], target))
    assert _by_status(added) == {"done": set(ids[:5]), "failed": {"0_nothere0"}}
    moved = runner.run(move_entries(ids, source, target))
    assert {o.status for o in moved} == {"done"}
    assert _members(runner, kaltura_sandbox, target) == set(ids)
    assert _members(runner, kaltura_sandbox, source) == set()


def test_detach_where_dry_run_then_real(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    category_id = kaltura_sandbox.create_category("Where")
    videos = kaltura_sandbox.seed_entries(category_id, 1_100)
    audio = kaltura_sandbox.seed_entries(category_id, 20, media_type=MediaType.AUDIO)
    query = EntryQuery(category_id=category_id, media_types=[MediaType.VIDEO])
    plan = runner.iterate(detach_where(query, dry_run=True))
    assert sorted(o.entry_id for o in plan) == sorted(videos)
    assert {o.status for o in plan} == {"would_change"}
    assert len(_members(runner, kaltura_sandbox, category_id)) == 1_120
    streamed = runner.iterate(detach_where(query))
    assert sorted(o.entry_id for o in streamed) == sorted(videos)
    assert {o.status for o in streamed} == {"done"}
    assert _members(runner, kaltura_sandbox, category_id) == set(audio)


def test_delete_where_removes_every_match(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    category_id = kaltura_sandbox.create_category("Purge")
    keep = kaltura_sandbox.create_category("Keep")
    doomed = kaltura_sandbox.seed_entries(category_id, 700)
    kept = kaltura_sandbox.seed_entries(keep, 5)
    outcomes = runner.iterate(delete_where(EntryQuery(category_id=category_id)))
    assert sorted(o.entry_id for o in outcomes) == sorted(doomed)
    assert {o.status for o in outcomes} == {"done"}
    assert _members(runner, kaltura_sandbox, category_id) == set()
    assert _members(runner, kaltura_sandbox, keep) == set(kept)


def test_streamed_batches_name_each_batch_before_it_goes_and_each_outcome_once(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    from kaltura_mm.flows.batch import Sending

    source = kaltura_sandbox.create_category("Stream>From")
    target = kaltura_sandbox.create_category("Stream>To")
    ids = kaltura_sandbox.seed_entries(source, 30)
    pace = Pace(batch_size=10)
    moved = runner.iterate(move_entries([*ids[:20], "0_nothere0"], source, target, pace=pace,
                                        stream=True))  # fmt: skip
    outcomes = [i for i in moved if isinstance(i, EntryOutcome)]
    assert sorted(o.entry_id for o in outcomes) == sorted([*ids[:20], "0_nothere0"])
    assert _by_status(outcomes) == {"done": set(ids[:20]), "failed": {"0_nothere0"}}
    items = runner.iterate(delete_entries(ids[20:], pace=pace, stream=True))
    sent = [i for i in items if isinstance(i, Sending)]
    assert [set(s.entry_ids) for s in sent] == [set(ids[20:])]
    assert items.index(sent[0]) < min(items.index(o) for o in items if o not in sent)
    assert {o.status for o in items if isinstance(o, EntryOutcome)} == {"done"}
