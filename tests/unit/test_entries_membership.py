"""Detach, add, move and their dry runs decide from the links (``categoryEntry.list``).

The in-memory Kaltura gives entries no ``categoriesIds`` at all, as the real server does for a
category with a privacy context (a MediaSpace channel) or a partner with
``FEATURE_DISABLE_CATEGORY_LIMIT``: whatever is decided here was read from the links.
"""

from __future__ import annotations

from typing import Any

from kaltura_mm.commands.remove_plan import RemovalPlan, verdicts
from kaltura_mm.flows.entries import (
    add_to_category,
    detach_entries,
    detach_where,
    get_entries_in,
    move_entries,
)
from kaltura_mm.flows.listing import EntryQuery
from kaltura_mm.models import CategoryEntryStatus
from kaltura_mm.testing import drive
from tests.unit.test_listing_fakes import InMemoryKaltura

CHANNEL = 7  # a MediaSpace channel: never in an entry's categoriesIds
GALLERY = 8


def _fake(count: int) -> tuple[InMemoryKaltura, list[str]]:
    fake = InMemoryKaltura(category_ids={CHANNEL, GALLERY})
    ids = [f"0_{n:08d}" for n in range(count)]
    for n, entry_id in enumerate(ids):
        fake.add(entry_id, created_at=1_000 + n)
    return fake, ids


def _statuses(outcomes: list[Any]) -> dict[str, str]:
    return {o.entry_id: o.status for o in outcomes}


def test_detach_writes_only_to_entries_linked_to_the_category() -> None:
    fake, ids = _fake(5)
    fake.members |= {(ids[0], CHANNEL), (ids[1], CHANNEL)}
    fake.link_status[ids[1], CHANNEL] = CategoryEntryStatus.PENDING  # a link all the same
    outcomes = drive(detach_entries([*ids, "0_missing0"], CHANNEL), fake).result
    assert _statuses(outcomes) == {
        ids[0]: "done",
        ids[1]: "done",
        **{i: "already_done" for i in ids[2:]},
        "0_missing0": "failed",
    }
    assert fake.calls.count("categoryEntry.delete") == 2
    assert not any(c == CHANNEL for _, c in fake.members)
    # one request reads the category and the links, one detaches, one checks the others exist
    assert fake.requests == 3


def test_add_writes_only_to_entries_not_active_in_the_category() -> None:
    fake, ids = _fake(4)
    fake.members |= {(ids[0], CHANNEL), (ids[1], CHANNEL)}
    fake.link_status[ids[1], CHANNEL] = CategoryEntryStatus.PENDING  # the add re-activates it
    outcomes = drive(add_to_category(ids, CHANNEL), fake).result
    assert _statuses(outcomes) == {
        ids[0]: "already_done",
        ids[1]: "done",
        ids[2]: "done",
        ids[3]: "done",
    }
    assert fake.calls.count("categoryEntry.add") == 3
    assert {(i, CHANNEL) for i in ids} <= fake.members and not fake.link_status


def test_move_writes_only_what_is_not_done_yet() -> None:
    fake, ids = _fake(4)
    fake.members |= {(ids[0], CHANNEL), (ids[1], GALLERY), (ids[2], CHANNEL), (ids[2], GALLERY)}
    outcomes = drive(move_entries(ids, CHANNEL, GALLERY), fake).result
    assert _statuses(outcomes) == {
        ids[0]: "done",  # added, then detached
        ids[1]: "already_done",  # in the target only: nothing written
        ids[2]: "done",  # in both: detached only
        ids[3]: "done",  # in neither: added to the target
    }
    assert fake.calls.count("categoryEntry.add") == 2
    assert fake.calls.count("categoryEntry.delete") == 2
    assert {m for m in fake.members} == {(i, GALLERY) for i in ids}


def test_move_streams_each_outcome_once() -> None:
    fake, ids = _fake(3)
    fake.members |= {(ids[0], CHANNEL), (ids[1], GALLERY)}
    items = drive(move_entries(ids, CHANNEL, GALLERY, stream=True), fake).items
    outcomes = [i for i in items if hasattr(i, "status")]
    assert sorted(o.entry_id for o in outcomes) == ids
    assert _statuses(outcomes) == {ids[0]: "done", ids[1]: "already_done", ids[2]: "done"}


def test_detach_where_dry_run_reads_the_links_not_the_index() -> None:
    fake, ids = _fake(3)
    fake.members |= {(ids[0], CHANNEL)}
    fake.indexed_members = {(i, CHANNEL) for i in ids}  # the index still lists the others
    planned = drive(detach_where(EntryQuery(category_id=CHANNEL), dry_run=True), fake).items
    assert _statuses(planned) == {
        ids[0]: "would_change",
        ids[1]: "already_done",
        ids[2]: "already_done",
    }
    assert fake.calls.count("categoryEntry.delete") == 0


def test_the_cli_verdicts_read_the_links() -> None:
    fake, ids = _fake(4)
    fake.members |= {(ids[0], CHANNEL), (ids[1], GALLERY), (ids[2], CHANNEL)}
    fake.link_status[ids[2], CHANNEL] = CategoryEntryStatus.REJECTED
    missing = "0_missing0"
    asked = [*ids, missing]

    def plan(action: str, source: int, target: int | None = None) -> dict[str, str]:
        verdict_plan = RemovalPlan(action=action, category_id=source, destination_id=target)
        known, links = drive(get_entries_in(asked, verdict_plan.categories), fake).result
        return _statuses(verdicts(verdict_plan, asked, known, links))

    assert plan("detach", CHANNEL) == {
        ids[0]: "would_change",
        ids[1]: "already_done",
        ids[2]: "would_change",  # a rejected link is still one categoryEntry.delete removes
        ids[3]: "already_done",
        missing: "failed",
    }
    assert plan("add", CHANNEL) == {
        ids[0]: "already_done",
        ids[1]: "would_change",
        ids[2]: "would_change",  # not ACTIVE: an add re-activates it
        ids[3]: "would_change",
        missing: "failed",
    }
    assert plan("move", CHANNEL, GALLERY) == {
        ids[0]: "would_change",
        ids[1]: "already_done",
        ids[2]: "would_change",
        ids[3]: "would_change",
        missing: "failed",
    }
    before = fake.requests
    drive(get_entries_in(asked, [CHANNEL, GALLERY]), fake)
    assert fake.requests == before + 1  # the entries and their links in one request
