"""Listing against the sandbox under both clients: past 10,000, under churn, typed, by category."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from kaltura_mm.client import Client
from kaltura_mm.errors import AmbiguousCategoryError, EntryNotFoundError
from kaltura_mm.flows.categories import category_tree, resolve_category
from kaltura_mm.flows.entries import get_entries, get_entry
from kaltura_mm.flows.listing import ANY_STATUS, EntryQuery, list_entries, list_page
from kaltura_mm.models import (
    DocumentEntry,
    DocumentEntryParams,
    DocumentType,
    EntryType,
    MediaEntry,
    MediaType,
)
from kaltura_mm.protocol.calls import MultiRequest
from kaltura_mm.runtime.effects import Emit, Flow
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, category_entry
from tests.integration.test_browse_harness import (  # noqa: F401 (the runner fixture)
    Runner,
    admin_config,
    runner_fixture,
)


def _ids(entries: list[MediaEntry]) -> list[str]:
    return [e.id or "" for e in entries]


@pytest.mark.slow
def test_25000_entries_are_listed_exactly_once_in_at_most_52_requests(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    category_id = kaltura_sandbox.create_category("Big")
    seeded = kaltura_sandbox.seed_entries(category_id, 25_000)
    kaltura_sandbox.stats.reset()
    listed = _ids(runner.iterate(list_entries(EntryQuery(category_id=category_id))))
    assert len(listed) == 25_000
    assert set(listed) == set(seeded)
    assert kaltura_sandbox.stats.http_requests <= 52


@pytest.mark.kaltura_sandbox(index_lag=60)  # deletes stay in the index while the listing runs
def test_concurrent_adds_and_deletes_lose_no_surviving_entry(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    category_id = kaltura_sandbox.create_category("Churn")
    seeded = kaltura_sandbox.seed_entries(category_id, 3_000)
    deleted: set[str] = set()
    added: list[str] = []
    seen = 0
    with Client(admin_config(kaltura_sandbox)) as other:

        def churn(_: object) -> None:
            # Every 50 entries handed out: delete 8 spread over the whole category (behind and
            # ahead of the cursor) in one multiRequest, and add 3 new ones.
            nonlocal seen
            seen += 1
            if seen % 50:
                return
            victims = [seeded[(seen * 7 + k * 373) % len(seeded)] for k in range(8)]
            batch = MultiRequest()
            for victim in set(victims) - deleted:
                batch.add(base_entry.delete(victim))
            other.multi(batch)
            deleted.update(victims)
            added.extend(kaltura_sandbox.seed_entries(category_id, 3))

        listed = _ids(runner.iterate(list_entries(EntryQuery(category_id=category_id)), churn))
    counts = Counter(listed)
    assert max(counts.values()) == 1, "an entry was listed twice"
    survivors = set(seeded) - deleted
    assert survivors <= set(listed), f"{len(survivors - set(listed))} surviving entries missed"
    assert deleted and added


def test_more_than_500_entries_in_one_second_are_listed_whole(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    category_id = kaltura_sandbox.create_category("Crowded")
    seeded = kaltura_sandbox.seed_entries(category_id, 1_800)
    crowded = seeded[200:1_500]  # 1,300 entries now created in the same second
    marks = ",".join("?" * len(crowded))
    kaltura_sandbox.core.store.execute(
        f"UPDATE entries SET created_at = 1700000000 WHERE id IN ({marks})", crowded
    )
    kaltura_sandbox.index.settle()  # part of the set-up: the index holds them as they now are
    listed = _ids(runner.iterate(list_entries(EntryQuery(category_id=category_id))))
    assert sorted(listed) == sorted(seeded)


def _bounded(flow: Flow[Any], most_requests: int) -> Flow[Any]:
    """Run ``flow``, failing once it has sent ``most_requests`` requests (a listing that loops)."""
    answer: Any = None
    sent = 0
    while True:
        try:
            step = flow.send(answer)
        except StopIteration as stop:
            return stop.value
        if not isinstance(step, Emit):
            sent += 1
            assert sent <= most_requests, f"the listing was still going after {sent} requests"
        answer = yield step


def test_a_second_fuller_than_the_not_in_cut_is_listed_whole(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    category_id = kaltura_sandbox.create_category("Tied")
    seeded = kaltura_sandbox.seed_entries(category_id, 400)
    tied = seeded[:300]  # 300 entries created in the same second
    marks = ",".join("?" * len(tied))
    kaltura_sandbox.core.store.execute(
        f"UPDATE entries SET created_at = 1700000000 WHERE id IN ({marks})", tied
    )
    kaltura_sandbox.index.settle()  # part of the set-up: the index holds them as they now are
    query = EntryQuery(category_id=category_id)
    listed = _ids(runner.iterate(_bounded(list_entries(query, page_size=100), 40)))
    assert sorted(listed) == sorted(seeded)


def test_entries_are_typed_by_kind_and_statuses_show_unready_ones(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    category_id = kaltura_sandbox.create_category("Mixed")
    ready = kaltura_sandbox.seed_entries(category_id, 3, media_type=MediaType.AUDIO)
    unready = kaltura_sandbox.seed_entries(category_id, 2, ready=False)
    with Client(admin_config(kaltura_sandbox)) as client:
        document = client.call(
            base_entry.add(DocumentEntryParams(name="syllabus", document_type=DocumentType.PDF))
        )
        assert document.id
        client.call(category_entry.add(document.id, category_id))
    kaltura_sandbox.index.settle()  # lists lag writes: wait for the index, as a real test polls
    default = runner.iterate(list_entries(EntryQuery(category_id=category_id)))
    assert sorted(_ids(default)) == sorted(ready)
    every = runner.iterate(list_entries(EntryQuery(category_id=category_id, statuses=ANY_STATUS)))
    assert sorted(_ids(every)) == sorted([*ready, *unready, document.id])
    kinds = {e.id: type(e) for e in every}
    assert kinds[document.id] is DocumentEntry
    assert all(kinds[i] is MediaEntry for i in ready)
    audio = EntryQuery(category_id=category_id, media_types=[MediaType.AUDIO], statuses=ANY_STATUS)
    assert sorted(_ids(runner.iterate(list_entries(audio)))) == sorted(ready)
    docs = EntryQuery(
        category_id=category_id, entry_types=[EntryType.DOCUMENT], statuses=ANY_STATUS
    )
    assert _ids(runner.iterate(list_entries(docs))) == [document.id]


def test_subcategories_are_included_on_request(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    parent = kaltura_sandbox.create_category("Courses")
    child = kaltura_sandbox.create_category("Courses>Bio 101")
    direct = kaltura_sandbox.seed_entries(parent, 2)
    nested = kaltura_sandbox.seed_entries(child, 3)
    only_direct = runner.iterate(list_entries(EntryQuery(category_id=parent)))
    assert sorted(_ids(only_direct)) == sorted(direct)
    deep = runner.iterate(list_entries(EntryQuery(category_id=parent, include_subcategories=True)))
    assert sorted(_ids(deep)) == sorted(direct + nested)


def test_page_listing_and_get(runner: Runner, kaltura_sandbox: Sandbox) -> None:
    category_id = kaltura_sandbox.create_category("Pages")
    seeded = kaltura_sandbox.seed_entries(category_id, 45)
    page = runner.run(_one(list_page(EntryQuery(category_id=category_id), 2, 20)))
    assert page.total_count == 45 and len(page.objects) == 20
    assert runner.run(get_entry(seeded[3])).id == seeded[3]
    with pytest.raises(EntryNotFoundError):
        runner.run(get_entry("0_nothere0"))
    found = runner.run(get_entries([seeded[9], "0_nothere0", seeded[1]]))
    assert list(found) == [seeded[9], seeded[1]]


def _one(call):  # type: ignore[no-untyped-def]
    return (yield call)


def test_categories_resolve_by_path_and_tree_counts(
    runner: Runner, kaltura_sandbox: Sandbox
) -> None:
    bio = kaltura_sandbox.create_category("Root>Courses>Bio 101")
    kaltura_sandbox.create_category("Root>Archive>Bio 101")
    kaltura_sandbox.seed_entries(bio, 4)
    found = runner.run(resolve_category("Root > Courses > Bio 101"))
    assert found.id == bio
    with pytest.raises(AmbiguousCategoryError, match="Root>Archive>Bio 101"):
        runner.run(resolve_category("Bio 101"))
    (courses,) = runner.run(category_tree("Root>Courses"))
    assert [(n.category.id, n.direct_entries_count) for n in courses.children] == [(bio, 4)]
    assert courses.entries_count == 4
