"""The runtime's machine, driven with no sockets: replay, retries, renewal, limits, interleaving.

``kaltura_mm.testing.drive`` is the adapter (a script and a virtual clock); one test below drives
the machine by hand, answering out of order, as a simulation would.
"""

from __future__ import annotations

import logging
from pathlib import Path
from random import Random
from typing import Any

import httpx
import pytest

from kaltura_mm.errors import ApiError, EntryNotFoundError, InvalidKsError, TransportError
from kaltura_mm.ks import FixedKs
from kaltura_mm.models import MediaEntry, UploadToken
from kaltura_mm.protocol.calls import FilePart
from kaltura_mm.runtime import Done, Failed, Item, Machine, Reply, RetryPolicy, Send, Settings, Wait
from kaltura_mm.runtime.effects import (
    Draw,
    Emit,
    Flow,
    NextDone,
    Now,
    Sleep,
    Start,
    Stream,
    interleave,
    single,
)
from kaltura_mm.runtime.renewal import MAX_RENEWALS
from kaltura_mm.services import base_entry, upload_token
from kaltura_mm.testing import ScriptedKaltura, answering, api_error, drive

ENTRY = MediaEntry(id="0_a", name="a")
TOKEN = UploadToken(id="1_t", uploaded_file_size=4096)
EXPIRED = api_error("INVALID_KS", "expired", {"KSID": "EXPIRED"})


def _busy(path: Path) -> Flow[list[Any]]:
    """Background calls, a retried call, a file part, a draw and a sleep: every source of chance."""
    yield Start("a", base_entry.get("0_a"))
    yield Start("b", base_entry.get("0_b"))
    token = yield upload_token.upload("1_t", FilePart(path=path))
    pause = yield Draw()
    yield Sleep(pause)
    done = [(yield NextDone()), (yield NextDone())]
    return [token.id, *sorted((tag, entry.id) for tag, entry in done)]


def _busy_script() -> ScriptedKaltura:
    return ScriptedKaltura(
        ("baseEntry.get", httpx.ReadError("reset")),
        ("baseEntry.get", MediaEntry(id="0_b")),
        ("uploadToken.upload", TOKEN),
        ("baseEntry.get", ENTRY),
    )


def test_a_seeded_run_replays_exactly(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(bytes(4096))
    first = drive(_busy(path), _busy_script(), seed=7)
    again = drive(_busy(path), _busy_script(), seed=7)
    assert first.result == ["1_t", ("a", "0_a"), ("b", "0_b")]
    assert first.actions == again.actions
    assert len(first.sends) == 4 and first.slept  # the retry backoff and the sleep took turns
    other = drive(_busy(path), _busy_script(), seed=8)
    assert other.result == first.result
    assert other.actions != first.actions  # jitter, the draw and the boundary come from the seed


def test_the_policy_backs_off_exponentially_to_its_cap_plus_jitter() -> None:
    policy = RetryPolicy(initial_backoff=0.5, max_backoff=1.5, jitter=0.25)
    for attempt, base in ((1, 0.5), (2, 1.0), (3, 1.5), (4, 1.5)):
        delay = policy.delay(attempt, Random(attempt))
        assert base <= delay <= base + 0.25
        assert delay == policy.delay(attempt, Random(attempt))  # the jitter is the seed's


def test_retries_stop_after_the_policy_s_attempts() -> None:
    script = ScriptedKaltura(*[("baseEntry.get", httpx.ConnectError("refused"))] * 4)
    with pytest.raises(TransportError, match="could not reach"):
        drive(single(base_entry.get("0_a")), script, retry=RetryPolicy(attempts=4))
    assert script.done


def test_waits_between_attempts_are_the_policy_s(tmp_path: Path) -> None:
    policy = RetryPolicy(attempts=3, initial_backoff=1.0, max_backoff=10.0, jitter=0.0)
    script = ScriptedKaltura(
        ("baseEntry.get", httpx.ConnectError("refused")),
        ("baseEntry.get", httpx.ConnectError("refused")),
        ("baseEntry.get", ENTRY),
    )
    driven = drive(single(base_entry.get("0_a")), script, retry=policy)
    assert driven.result == ENTRY and driven.slept == [1.0, 2.0]


def test_a_call_with_a_file_is_sent_once(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"x" * 100)
    script = ScriptedKaltura(("uploadToken.upload", httpx.ConnectError("refused")))
    with pytest.raises(TransportError):
        drive(single(upload_token.upload("1_t", FilePart(path=path))), script)
    assert script.done


def test_the_ks_is_renewed_a_bounded_number_of_times_per_call() -> None:
    class Renewing(FixedKs):
        renewals = 0

        def renew(self) -> bool:
            Renewing.renewals += 1
            self._ks = f"fresh-{Renewing.renewals}"
            return True

    script = ScriptedKaltura(("baseEntry.get", EXPIRED), ("baseEntry.get", ENTRY))
    assert drive(single(base_entry.get("0_a")), script, ks=Renewing("old")).result == ENTRY
    assert [script.params(i)["ks"] for i in (0, 1)] == ["old", "fresh-1"]
    script = ScriptedKaltura(*[("baseEntry.get", EXPIRED)] * (MAX_RENEWALS + 1))
    with pytest.raises(InvalidKsError):
        drive(single(base_entry.get("0_a")), script, ks=Renewing("old"))
    assert script.done and Renewing.renewals == 1 + MAX_RENEWALS  # the first call's, then these


def test_calls_beyond_the_limit_wait_for_a_slot(caplog: pytest.LogCaptureFixture) -> None:
    def many() -> Flow[int]:
        for n in range(5):
            yield Start(n, base_entry.get(f"0_{n}"))
        for _ in range(5):
            yield NextDone()
        return 5

    script = answering(lambda call: MediaEntry(id=call.params["entryId"]))
    with caplog.at_level(logging.INFO, logger="kaltura_mm.client"):
        driven = drive(many(), script, max_concurrency=2)
    in_flight, most = 0, 0
    for action in driven.actions:  # a send is in flight from its Send to the Wait answering it
        in_flight += isinstance(action, Send)
        most = max(most, in_flight)
        in_flight -= isinstance(action, Wait)
    assert most == 2 and len(driven.sends) == 5
    assert "max_concurrency=2" in caplog.text


def test_next_done_with_nothing_running_is_a_lookup_error() -> None:
    def flow() -> Flow[str]:
        try:
            yield NextDone()
        except LookupError:
            return "nothing ran"
        return "unreachable"

    assert drive(flow(), answering(lambda call: None)).result == "nothing ran"


def test_sleep_and_now_use_the_injected_clock() -> None:
    def flow() -> Flow[list[float]]:
        start = yield Now()
        yield Sleep(2.5)
        end = yield Now()
        return [start, end]

    driven = drive(flow(), answering(lambda call: None), start=100.0)
    assert driven.result == [100.0, 102.5] and driven.slept == [2.5]


def _napper(seconds: float, entry_id: str) -> Flow[str]:
    yield Sleep(seconds)
    entry = yield base_entry.get(entry_id)
    return str(entry.id)


def _fails() -> Flow[str]:
    yield base_entry.get("0_gone")
    return "unreachable"


def test_interleaved_flows_sleep_alone_and_fail_alone() -> None:
    def handler(call: Any) -> MediaEntry:
        if call.params["entryId"] == "0_gone":
            raise ApiError.create("ENTRY_ID_NOT_FOUND", "gone")
        return MediaEntry(id=call.params["entryId"])

    flows = [_napper(5, "0_slow"), _fails(), _napper(1, "0_quick")]
    driven = drive(interleave(flows, limit=3), answering(handler))
    slow, failed, quick = driven.result
    assert (slow, quick) == ("0_slow", "0_quick") and isinstance(failed, EntryNotFoundError)
    ids = [s.target.params["entryId"] for s in driven.sends]
    assert ids == ["0_gone", "0_quick", "0_slow"]  # the quick sleeper did not wait for the slow
    assert sum(driven.slept) == 5


def test_an_exception_the_group_does_not_expect_ends_the_interleave() -> None:
    def parent() -> Flow[str]:
        try:
            yield from interleave([_fails(), _napper(9, "0_a")], 2, lambda exc: False)
        except EntryNotFoundError:
            return "stopped"
        return "unreachable"

    gone = answering(lambda call: (_ for _ in ()).throw(ApiError.create("ENTRY_ID_NOT_FOUND", "")))
    driven = drive(parent(), gone)
    assert driven.result == "stopped" and len(driven.sends) == 1


def _stream() -> Stream[str]:
    for entry_id in ("0_a", "0_b"):
        entry = yield base_entry.get(entry_id)
        yield Emit(entry.id)


def test_the_machine_takes_answers_in_any_order_and_drops_late_ones() -> None:
    """A hand-written adapter: both sends out before any answer, answered last first."""

    def flow() -> Flow[list[str]]:
        yield Start("a", base_entry.get("0_a"))
        yield Start("b", base_entry.get("0_b"))
        done = [(yield NextDone())[0], (yield NextDone())[0]]
        return done

    now = [0.0]
    machine = Machine(flow(), Settings(ks=FixedKs("ks")), clock=lambda: now[0], random=Random(1))
    sends = [machine.next_action(), machine.next_action()]
    assert all(isinstance(s, Send) for s in sends) and machine.next_action() == Wait(None)
    body = b'{"objectType": "KalturaMediaEntry", "id": "0_b"}'
    machine.answer(Reply(sends[1].id, 200, {}, body))  # type: ignore[union-attr]
    reset = TransportError("reset", may_have_reached_server=True)
    machine.answer(Failed(sends[0].id, reset))  # type: ignore[union-attr]
    machine.answer(Failed(99, reset))  # no such send: dropped
    action = machine.next_action()
    while not isinstance(action, Done):
        if isinstance(action, Wait):  # the retry's backoff
            assert action.until is not None
            now[0] = action.until
        else:
            assert isinstance(action, Send) and action.target.params["entryId"] == "0_a"
            machine.answer(Reply(action.id, 200, {}, body.replace(b"0_b", b"0_a")))
        action = machine.next_action()
    assert action.result == ["b", "a"]


def test_closing_a_stream_early_sends_nothing_more() -> None:
    machine = Machine(
        _stream(), Settings(ks=FixedKs("ks")), clock=lambda: 0.0, random=Random(1), streaming=True
    )
    send = machine.next_action()
    assert isinstance(send, Send) and machine.next_action() == Wait(None)
    machine.answer(Reply(send.id, 200, {}, b'{"objectType": "KalturaMediaEntry", "id": "0_a"}'))
    assert machine.next_action() == Item("0_a")
    machine.close()  # the consumer stopped iterating
    with pytest.raises(RuntimeError, match="closed"):
        machine.next_action()
