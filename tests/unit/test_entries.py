"""Batched get, detach, delete, add and move with per-entry outcomes, on an in-memory Kaltura."""

from __future__ import annotations

from typing import Any

import pytest

from kaltura_mm.errors import (
    ActionBlockedError,
    CategoryNotFoundError,
    ConfigError,
    EntryNotFoundError,
)
from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.entries import (
    add_to_category,
    delete_entries,
    delete_where,
    detach_entries,
    detach_where,
    get_entries,
    move_entries,
)
from kaltura_mm.flows.listing import ANY_STATUS, EntryQuery
from kaltura_mm.models import EntryStatus, MediaType
from kaltura_mm.protocol.calls import Call
from kaltura_mm.testing import drive
from tests.unit.test_listing_fakes import InMemoryKaltura

CAT = 7
OTHER = 8


def _fake(count: int, categories: tuple[int, ...] = (CAT,)) -> tuple[InMemoryKaltura, list[str]]:
    fake = InMemoryKaltura(category_ids={CAT, OTHER})
    ids = [f"0_{n:08d}" for n in range(count)]
    for n, entry_id in enumerate(ids):
        fake.add(entry_id, created_at=1_000 + n, categories=categories)
    return fake, ids


def _statuses(outcomes: list[Any]) -> dict[str, str]:
    return {o.entry_id: o.status for o in outcomes}


def test_detach_reports_done_already_done_and_missing() -> None:
    fake, ids = _fake(120)
    fake.members.discard((ids[0], CAT))  # already detached
    outcomes = drive(detach_entries([*ids, "0_missing0"], CAT), fake).result
    status = _statuses(outcomes)
    assert status[ids[0]] == "already_done"
    assert all(status[i] == "done" for i in ids[1:])
    assert status["0_missing0"] == "failed"
    missing = next(o for o in outcomes if o.entry_id == "0_missing0")
    assert isinstance(missing.error, EntryNotFoundError)
    assert not any(m[1] == CAT for m in fake.members)
    # category check + 4 batches (rounds of 20, 30 and 45 while nothing is throttled, then the
    # 26 left) + one check of the not-assigned ids
    assert fake.requests == 1 + 4 + 1


def test_detach_from_a_missing_category_fails_before_detaching() -> None:
    fake, ids = _fake(3)
    with pytest.raises(CategoryNotFoundError):
        drive(detach_entries(ids, 999), fake)
    assert fake.requests == 1


def test_delete_reports_each_distinct_id_once() -> None:
    fake, ids = _fake(60)
    outcomes = drive(delete_entries([ids[0], ids[0], *ids[1:], "0_missing0"]), fake).result
    assert [o.entry_id for o in outcomes] == [*ids, "0_missing0"]
    status = _statuses(outcomes)
    assert status["0_missing0"] == "failed" and sum(s == "done" for s in status.values()) == 60
    assert not fake.entries


def test_not_found_after_an_unanswered_batch_counts_as_already_deleted() -> None:
    fake, ids = _fake(10)
    lost = iter([True])  # the first batch runs on the server, but its answer is lost
    fake.lose_answer = lambda f: next(lost, False)
    driven = drive(delete_entries(ids), fake)
    assert {o.status for o in driven.result} == {"already_done"}
    assert not fake.entries
    assert driven.slept, "the engine backs off before sending the batch again"


def test_throttled_items_are_retried_alone_and_the_pace_adapts() -> None:
    fake, ids = _fake(300)
    allowed_per_request = 20
    sent_in_request: list[int] = []

    def blocked(call: Call[Any]) -> bool:
        sent_in_request[-1] += 1
        return sent_in_request[-1] > allowed_per_request

    fake.blocked = blocked
    fake.before_request = lambda f: sent_in_request.append(0)
    driven = drive(delete_entries(ids, pace=Pace(batch_size=50, parallel=2)), fake)
    assert {o.status for o in driven.result} == {"done"}
    assert not fake.entries
    deletes = [c for c in fake.calls if c == "baseEntry.delete"]
    assert len(deletes) == 300 + sum(max(0, n - allowed_per_request) for n in sent_in_request)
    later = sent_in_request[4:]
    assert max(later) < 50, "after the first throttled burst, batches shrink to the rate"
    assert driven.slept and all(s > 0 for s in driven.slept)


def test_an_item_blocked_too_often_fails_with_the_server_error() -> None:
    fake, ids = _fake(3)
    fake.blocked = lambda call: call.params.get("entryId") == ids[1]
    outcomes = drive(delete_entries(ids, pace=Pace(max_attempts=3)), fake).result
    status = _statuses(outcomes)
    assert status == {ids[0]: "done", ids[1]: "failed", ids[2]: "done"}
    assert isinstance(outcomes[1].error, ActionBlockedError)
    assert fake.calls.count("baseEntry.delete") == 2 + 3


def test_add_to_category_counts_existing_membership_as_done() -> None:
    fake, ids = _fake(3, categories=())
    fake.members.add((ids[0], OTHER))
    outcomes = drive(add_to_category([*ids, "0_missing0"], OTHER), fake).result
    assert _statuses(outcomes) == {
        ids[0]: "already_done",
        ids[1]: "done",
        ids[2]: "done",
        "0_missing0": "failed",
    }
    assert {(i, OTHER) for i in ids} <= fake.members


def test_move_never_leaves_an_entry_in_neither_category() -> None:
    fake, ids = _fake(4)
    fake.blocked = lambda call: (
        call.label == "categoryEntry.add" and (call.params["categoryEntry"].entry_id == ids[2])
    )
    outcomes = drive(move_entries(ids, CAT, OTHER, pace=Pace(max_attempts=2)), fake).result
    status = _statuses(outcomes)
    assert status[ids[2]] == "failed"
    assert (ids[2], CAT) in fake.members, "a failed add keeps the entry in its source"
    for entry_id in (ids[0], ids[1], ids[3]):
        assert status[entry_id] == "done"
        assert (entry_id, OTHER) in fake.members and (entry_id, CAT) not in fake.members
    with pytest.raises(ConfigError, match="itself"):
        drive(move_entries(ids, CAT, CAT), fake)


def test_detach_where_dry_run_lists_exactly_what_would_change() -> None:
    fake, ids = _fake(1_300)
    audio = "0_audio000"
    fake.add(audio, created_at=5, media_type=MediaType.AUDIO, categories=(CAT,))
    fake.add("0_notready", created_at=6, status=EntryStatus.IMPORT, categories=(CAT,))
    query = EntryQuery(category_id=CAT, media_types=[MediaType.VIDEO])
    before = set(fake.members)
    planned = drive(detach_where(query, dry_run=True), fake).items
    assert [o.entry_id for o in planned] == ids
    assert {o.status for o in planned} == {"would_change"}
    assert fake.members == before
    driven = drive(detach_where(query), fake)
    assert [o.entry_id for o in driven.items] == ids
    assert {o.status for o in driven.items} == {"done"}
    assert {m[0] for m in fake.members if m[1] == CAT} == {audio, "0_notready"}


def test_delete_where_removes_every_match_even_not_ready_ones() -> None:
    fake, ids = _fake(1_100)
    fake.add("0_notready", created_at=99_999, status=EntryStatus.IMPORT, categories=(CAT,))
    outcomes = drive(delete_where(EntryQuery(category_id=CAT, statuses=ANY_STATUS)), fake).items
    assert [o.entry_id for o in outcomes] == [*ids, "0_notready"]
    assert not fake.entries


def test_detach_where_refuses_a_query_without_a_direct_category() -> None:
    fake, _ = _fake(1)
    with pytest.raises(ConfigError, match="category_id"):
        drive(detach_where(EntryQuery()), fake)
    with pytest.raises(ConfigError, match="include_subcategories"):
        drive(detach_where(EntryQuery(category_id=CAT, include_subcategories=True)), fake)
    assert fake.requests == 0


def test_get_entries_batches_ids_in_one_request_and_skips_missing() -> None:
    fake, ids = _fake(1_200)
    wanted = [ids[5], "0_missing0", ids[1_100], ids[0], *ids[10:900]]
    found = drive(get_entries(wanted), fake).result
    assert list(found) == [i for i in wanted if i != "0_missing0"]
    assert fake.requests == 1


def test_bad_id_lists_fail_with_a_clear_error() -> None:
    fake, _ = _fake(1)
    with pytest.raises(ConfigError, match="list of ids"):
        drive(delete_entries("0_abc12345"), fake)
    with pytest.raises(ConfigError, match="non-empty"):
        drive(delete_entries(["", "0_abc12345"]), fake)
