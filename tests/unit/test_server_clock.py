"""The server's wall clock, read from its answers' headers (``runtime/server_clock.py``)."""

from __future__ import annotations

from kaltura_mm.runtime.server_clock import ServerClock, stamp_of


def test_the_kaltura_session_header_states_the_servers_time() -> None:
    assert stamp_of({"X-Kaltura-Session": "123456789, 1800000000"}) == 1_800_000_000.0


def test_the_date_header_is_used_without_a_kaltura_stamp() -> None:
    assert stamp_of({"date": "Tue, 15 Nov 1994 08:12:31 GMT"}) == 784_887_151.0


def test_no_header_states_no_time() -> None:
    assert stamp_of({}) is None
    assert stamp_of({"Date": "not a date", "X-Kaltura-Session": "1, soon"}) is None


def test_the_clock_moves_on_with_the_runtimes_clock() -> None:
    clock = ServerClock()
    assert clock.now(5.0) is None
    clock.heard({"X-Kaltura-Session": "1, 1000"}, now=10.0)
    assert clock.now(12.5) == 1002.5
    clock.heard({"Server": "x"}, now=20.0)  # an answer without a stamp keeps the last one
    assert clock.now(20.0) == 1010.0
