"""KS renewal under load, on a virtual clock: sessions that expire while calls travel or queue.

``Kaltura`` below is a fake server that checks the KS of each call, and of each item of a
multiRequest, against its clock when it comes to it, as the real one does
(``kPermissionManager::errorIfKsNotValid`` in kaltura/server). Each request takes the time its
``trips`` say to reach it and each item ``item_time`` to run, so a test decides exactly when a KS
expires: before a call arrives, after a renewal, in the middle of a batch.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from kaltura_mm.errors import ApiError, InvalidKsError
from kaltura_mm.models import BaseEntryParams, CategoryEntry, MediaEntry
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse
from kaltura_mm.runtime import Answer, Send
from kaltura_mm.runtime.effects import Flow, NextDone, Start, single
from kaltura_mm.runtime.renewal import MAX_RENEWALS
from kaltura_mm.services import base_entry, category_entry
from kaltura_mm.testing import ScriptedKaltura, answer_for, api_error, drive

_REF = re.compile(r"^\{(\d+):result:id\}$")


class Clock:
    """The virtual time the fake server and the KS provider share."""

    def __init__(self) -> None:
        self.now = 0.0


class ClockedKs:
    """A KS provider whose sessions live ``lifetimes`` seconds of the shared clock (the last one
    for every later session)."""

    def __init__(self, clock: Clock, *lifetimes: float) -> None:
        self.clock, self.lifetimes = clock, lifetimes
        self.valid_until: dict[str, float] = {}
        self.renewals = 0
        self._ks = self._make()

    def _make(self) -> str:
        made = len(self.valid_until)
        ks = f"ks-{made + 1}"
        lifetime = self.lifetimes[min(made, len(self.lifetimes) - 1)]
        self.valid_until[ks] = self.clock.now + lifetime
        return ks

    def current(self) -> str:
        return self._ks

    def renew(self) -> bool:
        self.renewals += 1
        self._ks = self._make()
        return True


class Kaltura:
    """A fake server: entries and category links, a KS checked per call and per batch item."""

    def __init__(
        self, clock: Clock, ks: ClockedKs, trips: list[float] | None = None, item_time: float = 0.0
    ) -> None:
        self.clock, self.ks = clock, ks
        self.trips = list(trips or [])
        self.item_time = item_time
        self.entries: dict[str, str] = {}  # id -> name
        self.links: list[tuple[str, int]] = []
        self.received: list[dict[str, Any]] = []

    def respond(self, send: Send) -> Answer:
        params = json.loads(b"".join(s for s in send.request.body if isinstance(s, bytes)))
        self.received.append(params)
        self.clock.now += self.trips.pop(0) if self.trips else 0.0
        ks = params.get("ks", "")
        if not isinstance(send.target, MultiRequest):
            call = {k: v for k, v in params.items() if k not in ("ks", "format", "clientTag")}
            call |= {"service": send.target.service.lower(), "action": send.target.action}
            return answer_for(send, self._item(ks, call, []))
        results: list[Any] = []
        for index in range(1, len(send.target) + 1):
            results.append(self._item(ks, params[str(index)], results))
        return answer_for(send, results)

    def _item(self, ks: str, call: dict[str, Any], earlier: list[Any]) -> Any:
        self.clock.now += self.item_time
        if self.ks.valid_until[ks] <= self.clock.now:
            return ApiError.create("INVALID_KS", "expired", {"KSID": "EXPIRED"})
        call = _substituted(call, earlier)
        action = f"{call['service']}.{call['action']}"
        if action == "baseentry.add":
            entry_id = f"0_{len(self.entries) + 1}"
            self.entries[entry_id] = call["entry"]["name"]
            return MediaEntry(id=entry_id, name=call["entry"]["name"])
        if action == "baseentry.get":
            if call["entryId"] not in self.entries:
                return ApiError.create("ENTRY_ID_NOT_FOUND", "not found", {"ENTRY_ID": ""})
            return MediaEntry(id=call["entryId"], name=self.entries[call["entryId"]])
        assert action == "categoryentry.add", action
        link = call["categoryEntry"]
        if link["entryId"] not in self.entries:
            return ApiError.create("ENTRY_ID_NOT_FOUND", "not found", {"ENTRY_ID": ""})
        self.links.append((link["entryId"], int(link["categoryId"])))
        return CategoryEntry(entry_id=link["entryId"], category_id=int(link["categoryId"]))


def _substituted(value: Any, earlier: list[Any]) -> Any:
    """Replace ``{N:result:id}`` with the id of result N, "" for a failed one (as the server)."""
    if isinstance(value, dict):
        return {k: _substituted(v, earlier) for k, v in value.items()}
    match = _REF.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    result = earlier[int(match.group(1)) - 1]
    return "" if isinstance(result, ApiError) else result.id


def _setup(*lifetimes: float, **server: Any) -> tuple[Clock, ClockedKs, Kaltura]:
    clock = Clock()
    ks = ClockedKs(clock, *lifetimes)
    return clock, ks, Kaltura(clock, ks, **server)


def _batch_flow(batch: MultiRequest) -> Flow[MultiResponse]:
    return (yield batch)


# ---- one call -----------------------------------------------------------------------------------


def test_a_call_whose_fresh_ks_expired_on_the_way_too_is_renewed_again() -> None:
    # A loaded machine: the first two sends take longer than a session lives.
    _, ks, server = _setup(5, trips=[6, 6, 0.1])
    server.entries["0_a"] = "a"
    driven = drive(single(base_entry.get("0_a")), server, ks=ks)
    assert driven.result.id == "0_a"
    assert [p["ks"] for p in server.received] == ["ks-1", "ks-2", "ks-3"]
    assert ks.renewals == 2


def test_renewal_is_bounded() -> None:
    _, ks, server = _setup(5, trips=[6] * 20)
    with pytest.raises(InvalidKsError) as caught:
        drive(single(base_entry.get("0_a")), server, ks=ks)
    assert caught.value.expired
    assert ks.renewals == MAX_RENEWALS and len(server.received) == MAX_RENEWALS + 1


def test_calls_refused_together_make_one_renewal() -> None:
    # Both calls carry ks-1 and arrive after it expired; the first renews, the second, finding
    # its KS already replaced, goes again with the new one.
    _, ks, server = _setup(1, 10, trips=[2, 0, 0, 0])
    server.entries |= {"0_a": "a", "0_b": "b"}

    def both() -> Flow[list[str]]:
        yield Start("a", base_entry.get("0_a"))
        yield Start("b", base_entry.get("0_b"))
        done = [(yield NextDone()), (yield NextDone())]
        return sorted(entry.id for _, entry in done)

    assert drive(both(), server, ks=ks).result == ["0_a", "0_b"]
    assert [p["ks"] for p in server.received] == ["ks-1", "ks-1", "ks-2", "ks-2"]
    assert ks.renewals == 1


def test_a_fixed_ks_is_never_sent_again() -> None:
    server = ScriptedKaltura(("baseEntry.get", api_error("INVALID_KS", "x", {"KSID": "EXPIRED"})))
    with pytest.raises(InvalidKsError):
        drive(single(base_entry.get("0_a")), server)
    assert server.done


# ---- a batch the KS expired in the middle of ---------------------------------------------------


def _entry_linked_and_read(category_id: int) -> tuple[MultiRequest, list[Any]]:
    batch = MultiRequest()
    entry = batch.add(base_entry.add(BaseEntryParams(name="talk")))
    link = batch.add(category_entry.add(entry.id, category_id))
    read = batch.add(base_entry.get(entry.id))
    return batch, [entry, link, read]


def test_a_batch_the_ks_expired_in_the_middle_of_is_finished_not_repeated() -> None:
    # Items take 1 s each; the KS dies at 1.5 s: the entry is made, the link and the read refused.
    _, ks, server = _setup(1.5, 10, item_time=1)
    batch, (entry, link, read) = _entry_linked_and_read(42)
    response = drive(_batch_flow(batch), server, ks=ks).result
    assert response.ok, response.errors
    assert list(server.entries) == ["0_1"]  # made once
    assert server.links == [("0_1", 42)]
    assert response[entry].id == "0_1" and response[read].id == "0_1"
    assert response[link].category_id == 42
    rest = server.received[1]  # the link and the read, the entry's id written in
    assert rest["ks"] == "ks-2" and set(rest) >= {"1", "2"} and "3" not in rest
    assert rest["1"]["categoryEntry"]["entryId"] == "0_1" and rest["2"]["entryId"] == "0_1"


def test_references_inside_the_rest_of_a_batch_follow_their_items() -> None:
    _, ks, server = _setup(1.5, 10, item_time=1)
    batch = MultiRequest()
    first = batch.add(base_entry.add(BaseEntryParams(name="one")))
    second = batch.add(base_entry.add(BaseEntryParams(name="two")))
    link = batch.add(category_entry.add(second.id, 7))
    response = drive(_batch_flow(batch), server, ks=ks).result
    assert response.ok and server.entries == {"0_1": "one", "0_2": "two"}
    assert server.links == [("0_2", 7)]
    assert server.received[1]["2"]["categoryEntry"]["entryId"] == "{1:result:id}"
    assert (response[first].id, response[link].entry_id) == ("0_1", "0_2")


def test_a_batch_expiring_again_in_its_rest_is_finished_in_pieces() -> None:
    # Each KS lives 1.5 s and each item takes 1 s: after the first, every send runs one item.
    _, ks, server = _setup(1.5, item_time=1)
    batch, (entry, _, read) = _entry_linked_and_read(42)
    response = drive(_batch_flow(batch), server, ks=ks).result
    assert response.ok and len(server.entries) == 1 and len(server.links) == 1
    assert [len([k for k in p if k.isdigit()]) for p in server.received] == [3, 2, 1]
    assert ks.renewals == 2
    assert response[read].id == response[entry].id


def test_an_item_failing_on_its_own_before_the_expiry_keeps_its_error() -> None:
    _, ks, server = _setup(1.5, 10, item_time=1)
    batch = MultiRequest()
    missing = batch.add(base_entry.get("0_nope"))
    made = batch.add(base_entry.add(BaseEntryParams(name="talk")))
    response = drive(_batch_flow(batch), server, ks=ks).result
    assert response.outcome(missing).code == "ENTRY_ID_NOT_FOUND"  # type: ignore[union-attr]
    assert response[made].id == "0_1" and len(server.entries) == 1


def test_a_batch_is_not_sent_again_when_an_item_after_the_expired_one_ran() -> None:
    # Not what a server does (time only moves on), but if it did, sending again could repeat it.
    expired = api_error("INVALID_KS", "expired", {"KSID": "EXPIRED"})
    entry = MediaEntry(id="0_a", name="a")
    server = ScriptedKaltura(("multirequest", [entry, expired, entry]))
    batch = MultiRequest()
    for name in ("a", "b", "c"):
        batch.add(base_entry.add(BaseEntryParams(name=name)))
    renewable = ClockedKs(Clock(), 100)
    response = drive(_batch_flow(batch), server, ks=renewable).result
    assert len(response.errors) == 1 and server.done and renewable.renewals == 0
