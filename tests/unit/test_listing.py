"""Listing every entry past the 10,000 cap: the keyset, driven against an in-memory Kaltura."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from kaltura_mm.errors import ConfigError, ListingError
from kaltura_mm.flows.listing import (
    ANY_STATUS,
    EntryQuery,
    Keyset,
    collect_entries,
    entry_pages,
    list_entries,
    list_page,
)
from kaltura_mm.models import BaseEntry, EntryStatus, ListPage, MediaEntryFilter, MediaType
from kaltura_mm.runtime.effects import Emit
from kaltura_mm.testing import drive
from tests.unit.test_listing_fakes import InMemoryKaltura

CATEGORY = 7


def _seed(fake: InMemoryKaltura, count: int, per_second: int = 1, start: int = 1_000) -> list[str]:
    ids = [f"0_{n:08d}" for n in range(count)]
    for n, entry_id in enumerate(ids):
        fake.add(entry_id, created_at=start + n // per_second, categories=(CATEGORY,))
    return ids


def _listed(fake: InMemoryKaltura, query: EntryQuery) -> list[str]:
    driven = drive(list_entries(query), fake)
    assert driven.result is None  # a stream: its entries are its items
    return [e.id for e in driven.items]


def test_lists_25000_entries_exactly_once_in_51_requests() -> None:
    # 50 full pages, then the empty page that proves nothing is left past the cursor.
    fake = InMemoryKaltura()
    ids = _seed(fake, 25_000, per_second=3)
    listed = _listed(fake, EntryQuery(category_id=CATEGORY))
    assert listed == ids
    assert fake.requests == 51


def test_a_short_listing_takes_its_page_and_the_empty_one() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 42)
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == ids
    assert fake.requests == 2


def test_a_page_short_of_deleted_entries_does_not_end_the_listing() -> None:
    # One entry of the first page was deleted after it was indexed: the page holds 499 while
    # 1,300 more remain (the "499 of 1,800 listed, exit 0" report).
    fake = InMemoryKaltura()
    ids = _seed(fake, 1_800)
    fake._baseEntry_delete(ids[10])
    listed = _listed(fake, EntryQuery(category_id=CATEGORY))
    assert listed == ids[:10] + ids[11:]


def test_a_total_count_equal_to_the_page_does_not_end_the_listing() -> None:
    # Access control on entry metadata: a non-admin session's totalCount is its page's count.
    fake = InMemoryKaltura(metadata_access_control=True)
    ids = _seed(fake, 1_800)
    fake._baseEntry_delete(ids[700])
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == ids[:700] + ids[701:]


def test_deleted_entries_at_the_end_are_peeked_past() -> None:
    # The last matches were deleted after they were indexed: the page past the cursor is empty
    # while the index still counts them. One peek (DELETED included) moves past them.
    fake = InMemoryKaltura()
    ids = _seed(fake, 1_003)
    for entry_id in ids[-3:]:
        fake._baseEntry_delete(entry_id)
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == ids[:-3]
    assert fake.requests == 5  # 500, 500, empty (3 dead), the peek, the empty end


def test_a_whole_page_of_deleted_entries_is_peeked_past() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 1_600)
    for entry_id in ids[300:900]:  # more than a page, inside the index's lag
        fake._baseEntry_delete(entry_id)
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == ids[:300] + ids[900:]


def test_matches_the_server_never_returns_raise_a_clear_error() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 600)
    fake.hidden.update(ids[100:])  # indexed, never shown to this session (entitlement)
    with pytest.raises(ListingError, match=r"does not return.*after (\d+) s of waiting") as caught:
        _listed(fake, EntryQuery(category_id=CATEGORY))
    # 2 + 4 + ... + 128 s, ten peeks (about 10 minutes), each pause shortened by up to a fifth
    # by the poll's jitter (runtime.poll)
    waited = int(re.search(r"after (\d+) s", str(caught.value)).group(1))  # type: ignore[union-attr]
    assert 0.8 * 638 <= waited <= 638


def test_entries_moved_out_since_they_were_indexed_are_waited_out() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 600)
    fake.hidden.update(ids[500:])  # detached since they were indexed: the re-read drops them

    def index_catches_up(server: InMemoryKaltura) -> None:
        if server.requests == 6:  # a few peeks later the index drops them too
            server.order = [i for i in server.order if i not in server.hidden]

    fake.before_request = index_catches_up
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == ids[:500]
    assert fake.requests == 6  # 500, empty, peek, 2 peeks after pauses, the caught-up end


def test_a_second_fuller_than_the_not_in_cut_is_read_whole_at_any_page_size() -> None:
    # idNotIn keeps 150 ids on the index path: 300 entries in one second, pages of 100.
    fake = InMemoryKaltura()
    ids = _seed(fake, 400, per_second=300)
    driven = drive(_bounded(list_entries(EntryQuery(category_id=CATEGORY), page_size=100)), fake)
    assert sorted(e.id for e in driven.items) == sorted(ids)
    assert fake.calls.count("baseEntry.count") == 1


def _bounded(flow, most=40):  # type: ignore[no-untyped-def]
    answer, sent = None, 0
    while True:
        try:
            step = flow.send(answer)
        except StopIteration:
            return
        if not isinstance(step, Emit):
            sent += 1
            assert sent <= most, f"the listing was still going after {sent} requests"
        answer = yield step


def test_empty_category_lists_nothing() -> None:
    fake = InMemoryKaltura()
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == []
    assert fake.requests == 1


def test_ties_at_page_boundaries_are_neither_lost_nor_repeated() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 3_000, per_second=333)  # every page ends inside a shared second
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == ids


def test_more_than_500_entries_in_one_second_are_read_whole() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 300, start=1_000)
    crowded = [f"1_{n:08d}" for n in range(1_700)]
    for entry_id in crowded:
        fake.add(entry_id, created_at=2_000, categories=(CATEGORY,))
    later = [f"2_{n:08d}" for n in range(10)]
    for entry_id in later:
        fake.add(entry_id, created_at=3_000, categories=(CATEGORY,))
    listed = _listed(fake, EntryQuery(category_id=CATEGORY))
    assert Counter(listed) == Counter(ids + crowded + later)
    assert max(Counter(listed).values()) == 1


def test_more_than_10000_entries_in_one_second_raise_a_clear_error() -> None:
    fake = InMemoryKaltura()
    _seed(fake, 10_001, per_second=20_000)
    with pytest.raises(ListingError, match="10,000"):
        _listed(fake, EntryQuery(category_id=CATEGORY))


@pytest.mark.parametrize("per_second", [1, 4, 800])
def test_concurrent_adds_and_deletes_lose_no_surviving_entry(per_second: int) -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 6_000, per_second=per_second)
    rng = random.Random(per_second)
    deleted: set[str] = set()
    added: list[str] = []

    def churn(f: InMemoryKaltura) -> None:
        for victim in rng.sample(sorted(f.entries), 40):
            f._baseEntry_delete(victim)
            deleted.add(victim)
        for _ in range(10):  # new entries are created "now", after every seeded one
            new_id = f"9_{len(added):08d}"
            f.add(new_id, created_at=10_000_000, categories=(CATEGORY,))
            added.append(new_id)

    fake.before_request = churn
    listed = _listed(fake, EntryQuery(category_id=CATEGORY))
    counts = Counter(listed)
    assert max(counts.values()) == 1, "an entry was handed out twice"
    survivors = set(ids) - deleted
    assert survivors <= set(listed), f"missed {len(survivors - set(listed))} surviving entries"
    assert set(listed) <= set(ids) | set(added)


def test_statuses_include_entries_not_ready_yet() -> None:
    fake = InMemoryKaltura()
    fake.add("0_ready000", 1, categories=(CATEGORY,))
    fake.add("0_import00", 2, status=EntryStatus.IMPORT, categories=(CATEGORY,))
    fake.add("0_nocont00", 3, status=EntryStatus.NO_CONTENT, categories=(CATEGORY,))
    assert _listed(fake, EntryQuery(category_id=CATEGORY)) == ["0_ready000"]
    every = _listed(fake, EntryQuery(category_id=CATEGORY, statuses=ANY_STATUS))
    assert every == ["0_ready000", "0_import00", "0_nocont00"]


def test_entry_pages_streams_one_list_per_request() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 1_200)
    driven = drive(entry_pages(EntryQuery(category_id=CATEGORY)), fake)
    assert [len(p) for p in driven.items] == [500, 500, 200]
    assert [e.id for page in driven.items for e in page] == ids


def test_collect_entries_stops_at_the_limit() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 1_200)
    driven = drive(collect_entries(EntryQuery(category_id=CATEGORY), limit=501), fake)
    assert [e.id for e in driven.result] == ids[:501]
    assert fake.requests == 2


def test_query_maps_to_the_server_filter() -> None:
    direct = EntryQuery(category_id=5, owner_user_id="ann", free_text="bio", created_from=10)
    f = direct.to_filter()
    assert f.categories_ids_match_or == (5,) and f.category_ancestor_id_in is None
    assert (f.user_id_equal, f.free_text, f.created_at_greater_than_or_equal) == ("ann", "bio", 10)
    deep = EntryQuery(category_id=5, include_subcategories=True, media_types=[MediaType.AUDIO])
    g = deep.to_filter()
    assert isinstance(g, MediaEntryFilter), "mediaTypeIn needs KalturaMediaEntryFilter"
    assert g.category_ancestor_id_in == (5,) and g.categories_ids_match_or is None
    assert g.media_type_in == (MediaType.AUDIO,)


def test_bad_queries_fail_before_any_request() -> None:
    with pytest.raises(ConfigError, match="resolve_category"):
        EntryQuery(category_id="Root>Courses")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="statuses is empty"):
        EntryQuery(statuses=())
    with pytest.raises(ConfigError, match="creation time"):
        Keyset.start(EntryQuery(order="-name"))
    with pytest.raises(ConfigError, match="10,000"):
        list_page(EntryQuery(), page_index=21, page_size=500)


def test_list_page_reads_one_page_in_any_order() -> None:
    fake = InMemoryKaltura()
    ids = _seed(fake, 40)
    page = fake.outcome(list_page(EntryQuery(category_id=CATEGORY), page_index=2, page_size=15))
    assert [e.id for e in page.objects] == ids[15:30]
    assert page.total_count == 40


def test_the_listing_error_says_how_long_it_really_waited() -> None:
    # A walk that never paused (as sync's own listing once did) must not claim it waited.
    cursor = Keyset.start(EntryQuery(category_id=CATEGORY))
    ghost: ListPage[BaseEntry] = ListPage(objects=(), total_count=3)
    with pytest.raises(ListingError, match=r"after 0 s of waiting"):
        for _ in range(20):
            cursor, _fresh = cursor.advance(ghost)
