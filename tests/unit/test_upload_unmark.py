"""The markers of settled uploads ride the run's next request; their outcomes wait for it."""

from __future__ import annotations

from kaltura_mm.protocol.calls import MultiRequest
from kaltura_mm.upload.unmark import Unmarks


def test_a_settled_marker_rides_the_next_request_once() -> None:
    unmarks = Unmarks()
    unmarks.add("a.mp4", "m-a")
    batch = MultiRequest()
    assert unmarks.carry(batch) == ["m-a"]
    assert [(c.service, c.action) for c in batch.calls] == [("uploadToken", "delete")]
    assert unmarks.carry(MultiRequest()) == []  # carried once


def test_an_outcome_waits_until_the_request_carrying_its_marker_is_answered() -> None:
    unmarks, told = Unmarks(), []
    unmarks.add("a.mp4", "m-a")
    assert unmarks.hold("a.mp4", lambda: told.append("a"))
    carried = unmarks.carry(MultiRequest())
    unmarks.answered(carried, sent=False)  # lost: queued again, still held
    assert told == [] and unmarks.pending == ["m-a"]
    unmarks.answered(unmarks.carry(MultiRequest()), sent=True)
    assert told == ["a"]


def test_an_outcome_whose_marker_is_gone_already_is_told_at_once() -> None:
    unmarks = Unmarks()
    assert not unmarks.hold("b.mp4", lambda: None)  # no marker queued: nothing to wait for
    unmarks.add("c.mp4", "m-c")
    unmarks.answered(unmarks.carry(MultiRequest()), sent=True)
    assert not unmarks.hold("c.mp4", lambda: None)
