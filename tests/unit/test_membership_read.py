"""Membership read where the server keeps it (``categoryEntry.list``), never ``categoriesIds``."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from kaltura_mm.errors import ApiError, CategoryNotFoundError, ServiceForbiddenError
from kaltura_mm.flows.membership import (
    PAGE,
    LinkQuery,
    Membership,
    link_queries,
    read_membership,
    read_membership_with,
)
from kaltura_mm.models import (
    Category,
    CategoryEntry,
    CategoryEntryStatus,
    ListPage,
)
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime import Answer, Send
from kaltura_mm.services import category
from kaltura_mm.testing import ScriptedKaltura, answer_for, drive

ACTIVE, PENDING, REJECTED = (
    CategoryEntryStatus.ACTIVE,
    CategoryEntryStatus.PENDING,
    CategoryEntryStatus.REJECTED,
)


@attrs.define
class LinkTable:
    """``category_entry`` rows as MySQL holds them; lists them as ``categoryEntry.list`` does."""

    rows: dict[tuple[str, int], CategoryEntryStatus] = attrs.field(factory=dict)
    asked: list[Any] = attrs.field(factory=list)
    requests: int = 0
    block_first: int = 0  # answer this many list items ACTION_BLOCKED
    entitled_missing: bool = False  # entitlement: a call naming only missing entries fails

    def respond(self, send: Send) -> Answer:
        self.requests += 1
        target = send.target
        calls = target.calls if isinstance(target, MultiRequest) else (target,)
        outcomes = [self._outcome(c) for c in calls]
        return answer_for(send, outcomes if isinstance(target, MultiRequest) else outcomes[0])

    def _outcome(self, call: Call[Any]) -> Any:
        try:
            if call.label == "category.get":
                return Category(
                    id=call.params["id"],
                    parent_id=0,
                    name="c",
                    full_name="c",
                    full_ids=str(call.params["id"]),
                )
            return self._list(call.params["filter"], call.params["pager"])
        except ApiError as exc:
            return exc

    def _list(self, f: Any, pager: Any) -> ListPage[CategoryEntry]:
        self.asked.append((f, pager))
        if self.block_first:
            self.block_first -= 1
            raise ApiError.create("ACTION_BLOCKED", "blocked")
        entries = set(f.entry_id_in or ())
        cats = set(f.category_id_in or ()) | ({f.category_id_equal} - {None})
        assert len(entries) <= PAGE and len(cats) <= PAGE, "the server keeps 500 values"
        if self.entitled_missing and not {e for e, _ in self.rows} & entries:
            raise ApiError.create("ENTRY_ID_NOT_FOUND", "not found")
        rows = sorted(k for k in self.rows if k[0] in entries and (not cats or k[1] in cats))
        start = (pager.page_index - 1) * pager.page_size
        page = rows[start : start + pager.page_size]
        objects = tuple(
            CategoryEntry(entry_id=e, category_id=c, status=self.rows[e, c]) for e, c in page
        )
        return ListPage(objects=objects, total_count=len(rows))


def _ids(count: int) -> list[str]:
    return [f"0_{n:08d}" for n in range(count)]


def test_asks_cover_every_entry_and_category_in_lists_of_500() -> None:
    ids = _ids(1_200)
    one = link_queries(ids, [7])
    assert [len(q.entry_ids) for q in one] == [500, 500, 200]
    calls = [q.call().params["filter"] for q in one]
    assert {f.category_id_equal for f in calls} == {7} and all(
        f.category_id_in is None for f in calls
    )
    many = link_queries(ids, list(range(1, 701)))
    assert len(many) == 10
    assert {(len(q.entry_ids), len(q.category_ids or ())) for q in many} == {
        (250, 500),
        (250, 200),
        (200, 500),
        (200, 200),
    }
    assert {p for q in many for p in q.entry_ids} == set(ids)
    two = link_queries(ids, [7, 8])  # a move's: one by one, each page holds all it asks
    assert [(len(q.entry_ids), q.category_ids) for q in two] == [
        (500, (7,)),
        (500, (8,)),
        (500, (7,)),
        (500, (8,)),
        (200, (7,)),
        (200, (8,)),
    ]
    assert link_queries(ids, []) == [] and link_queries([], [7]) == []
    anywhere = link_queries(ids[:3], None)
    assert anywhere == [LinkQuery(tuple(ids[:3]))]
    assert anywhere[0].call().params["filter"].category_id_in is None


def test_a_privacy_context_link_is_read_from_category_entry_list() -> None:
    # A MediaSpace channel: the entry's categoriesIds never lists it; categoryEntry.list does.
    link = CategoryEntry(entry_id="0_a", category_id=42, status=ACTIVE)
    kaltura = ScriptedKaltura(("multirequest", [ListPage(objects=(link,), total_count=1)]))
    membership = drive(read_membership(["0_a", "0_b"], [42]), kaltura).result
    assert kaltura.done
    assert membership.linked("0_a", 42) and membership.is_active("0_a", 42)
    assert not membership.linked("0_b", 42) and membership.categories("0_b") == frozenset()
    sent = kaltura.params(0)["1"]
    assert (sent["service"], sent["action"]) == ("categoryentry", "list")
    assert sent["filter"]["entryIdIn"] == "0_a,0_b" and sent["filter"]["categoryIdEqual"] == 42
    assert sent["pager"]["pageSize"] == 500


def test_pending_and_rejected_links_are_links_but_not_active() -> None:
    table = LinkTable({("0_a", 1): ACTIVE, ("0_a", 2): PENDING, ("0_b", 2): REJECTED})
    membership = drive(read_membership(["0_a", "0_b", "0_c"], [1, 2]), table).result
    assert membership.categories("0_a") == {1, 2} and membership.active("0_a") == {1}
    assert membership.linked("0_b", 2) and not membership.is_active("0_b", 2)
    assert membership.categories("0_c") == frozenset()
    assert table.requests == 1


def test_ten_thousand_entries_go_in_twenty_calls_a_request() -> None:
    ids = _ids(10_500)
    table = LinkTable({(i, 7): ACTIVE for i in ids[::3]})
    membership = drive(read_membership(ids, [7]), table).result
    assert table.requests == 2 and len(table.asked) == 21
    assert {i for i in ids if membership.linked(i, 7)} == set(ids[::3])


def test_a_page_holding_every_pair_asked_is_complete() -> None:
    ids = _ids(2_000)
    table = LinkTable({(i, 7): ACTIVE for i in ids})
    membership = drive(read_membership(ids, [7]), table).result
    assert all(membership.linked(i, 7) for i in ids)
    assert len(table.asked) == 4 and table.requests == membership.requests == 1


def test_a_full_page_is_split_in_two_never_read_by_offset() -> None:
    ids = _ids(500)
    cats = [1, 2, 3, 4, 5]
    table = LinkTable({(i, c): ACTIVE for i in ids for c in cats})
    membership = drive(read_membership(ids, cats), table).result
    assert all(membership.categories(i) == set(cats) for i in ids)
    assert {p.page_index for _, p in table.asked} == {1}
    sizes = [len(f.entry_id_in) for f, _ in table.asked]
    assert sizes[:2] == [250, 250] and min(sizes) < 250  # full pages, asked again in halves


def test_one_entry_in_more_than_500_categories_is_read_by_page() -> None:
    cats = list(range(1, 1_001))  # FEATURE_DISABLE_CATEGORY_LIMIT allows 1,000
    table = LinkTable({("0_a", c): ACTIVE for c in cats})
    membership = drive(read_membership(["0_a"]), table).result
    assert membership.categories("0_a") == set(cats)
    assert [p.page_index for _, p in table.asked] == [1, 2, 3]
    assert {f.order_by for f, _ in table.asked} == {"+createdAt"}
    asked_by_category = drive(read_membership(["0_a"], cats), LinkTable(dict(table.rows)))
    assert asked_by_category.result.categories("0_a") == set(cats)


def test_entries_all_gone_under_entitlement_have_no_links() -> None:
    table = LinkTable({("0_a", 7): ACTIVE}, entitled_missing=True)
    membership = drive(read_membership(["0_gone1", "0_gone2"], [7]), table).result
    assert membership.categories("0_gone1") == frozenset()
    assert drive(read_membership(["0_a", "0_gone1"], [7]), table).result.linked("0_a", 7)


def test_a_blocked_list_is_sent_again_after_a_pause() -> None:
    # The first of two lists blocked, the second ran: the runtime hands the answer over as it
    # is (sending both again could run the second twice); the flow sends the blocked one again.
    ids = _ids(501)
    table = LinkTable({(ids[0], 7): ACTIVE, (ids[500], 7): ACTIVE}, block_first=1)
    driven = drive(read_membership(ids, [7]), table)
    assert driven.result.linked(ids[0], 7) and driven.result.linked(ids[500], 7)
    # one pause, the runtime's first backoff (1 s, full jitter), before the blocked one goes again
    assert table.requests == 2 and len(driven.slept) == 1 and 0 < driven.slept[0] <= 1.0
    assert [len(f.entry_id_in) for f, _ in table.asked] == [500, 1, 500]


def test_other_errors_are_raised() -> None:
    def refuse(send: Send) -> Answer:
        denied = ApiError.create("SERVICE_FORBIDDEN", "no")
        return answer_for(send, [denied])

    with pytest.raises(ServiceForbiddenError):
        drive(read_membership(["0_a"], [7]), _Fn(refuse))


@attrs.frozen
class _Fn:
    fn: Any

    def respond(self, send: Send) -> Answer:
        return self.fn(send)  # type: ignore[no-any-return]


def test_reads_of_the_caller_ride_in_the_first_request_and_fail_first() -> None:
    table = LinkTable({("0_a", 7): ACTIVE})
    membership, (found,) = drive(
        read_membership_with(["0_a"], [7], [category.get(7)]), table
    ).result
    assert found.id == 7 and membership.linked("0_a", 7) and table.requests == 1
    only_reads = drive(read_membership_with([], [7], [category.get(7)]), LinkTable()).result
    assert only_reads[0] == Membership({}) and only_reads[1][0].id == 7

    def missing(send: Send) -> Answer:
        gone = ApiError.create("CATEGORY_NOT_FOUND", "Category id 7 not found")
        return answer_for(send, [gone, gone])  # entitlement fails the list the same way

    with pytest.raises(CategoryNotFoundError):
        drive(read_membership_with(["0_a"], [7], [category.get(7)]), _Fn(missing))


def test_nothing_to_ask_sends_nothing() -> None:
    table = LinkTable()
    assert drive(read_membership([], [7]), table).result == Membership({})
    assert drive(read_membership(["0_a"], []), table).result.categories("0_a") == frozenset()
    assert table.requests == 0
