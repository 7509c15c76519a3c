"""What a replacement became, read from ``replacementStatus`` (``upload/replacement.py``).

Against ``ScriptedKaltura`` (spec 13, "Content replacement states"): approval where the partner
requires it, a FAILED replacement cancelled and reported with its cause, a stale one cancelled
before a new one, and a bounded wait that says what it waited for.
"""

from __future__ import annotations

from typing import Any

import pytest

from kaltura_mm.enums import EntryStatus, ReplacementStatus
from kaltura_mm.errors import ReplacementFailedError, ReplacementTimeoutError
from kaltura_mm.models import MediaEntry
from kaltura_mm.testing import ScriptedKaltura, api_error, drive
from kaltura_mm.upload.replacement import cancel_stale, settle
from kaltura_mm.upload.request import UploadOptions

R = ReplacementStatus
WAIT = UploadOptions(wait_ready=True, ready_timeout=10.0, ready_poll_interval=2.0)
NO_WAIT = UploadOptions()


def _entry(status: R = R.NONE, temp: str | None = "0_temp") -> MediaEntry:
    replacing = temp if status is not R.NONE else None
    return MediaEntry(
        id="0_orig",
        status=EntryStatus.READY,
        replacement_status=int(status),
        replacing_entry_id=replacing,
    )


def _temp(status: EntryStatus = EntryStatus.PRECONVERT) -> MediaEntry:
    return MediaEntry(id="0_temp", status=status)


def _called(server: ScriptedKaltura) -> list[str]:
    return [r.called for r in server.requests]


def _settle(server: ScriptedKaltura, options: UploadOptions, approve: bool) -> Any:
    return drive(settle("0_orig", options, approve), server)


def test_no_approval_needed_and_converting_returns_at_once_without_wait() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", _entry(R.APPROVED_BUT_NOT_READY)), ("baseEntry.get", _temp())
    )
    entry = _settle(server, NO_WAIT, approve=False).result
    assert entry.replacing_entry_id == "0_temp" and server.done


def test_awaiting_approval_is_approved_with_approve() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", _entry(R.READY_BUT_NOT_APPROVED)),
        ("baseEntry.get", _temp(EntryStatus.READY)),
        ("media.approveReplace", _entry()),
        ("baseEntry.get", _entry()),  # swapped in
    )
    entry = _settle(server, WAIT, approve=True).result
    assert entry.replacing_entry_id is None and server.done
    assert "media.approvereplace" in _called(server)


def test_awaiting_approval_without_approve_is_not_waited_for() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", _entry(R.NOT_READY_AND_NOT_APPROVED)), ("baseEntry.get", _temp())
    )
    driven = _settle(server, WAIT, approve=False)
    assert driven.result.replacement_status == R.NOT_READY_AND_NOT_APPROVED
    assert driven.slept == [] and server.done
    assert "media.approvereplace" not in _called(server)


def test_a_failed_replacement_is_cancelled_and_names_its_cause() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", _entry(R.FAILED)),
        ("baseEntry.get", _temp(EntryStatus.ERROR_CONVERTING)),
        ("media.cancelReplace", _entry()),
    )
    with pytest.raises(ReplacementFailedError, match="ERROR_CONVERTING") as caught:
        _settle(server, WAIT, approve=True)
    assert "cancelled" in str(caught.value) and "old content" in str(caught.value)
    assert "0_temp" in caught.value.cause and server.done


def test_a_failed_status_is_enough_without_a_temporary_entry() -> None:
    # FAILED with no replacingEntryId: nothing more to read, the status says it
    failed = MediaEntry(id="0_orig", replacement_status=4)
    server = ScriptedKaltura(("baseEntry.get", failed), ("media.cancelReplace", _entry()))
    with pytest.raises(ReplacementFailedError, match="FAILED"):
        _settle(server, NO_WAIT, approve=False)
    assert server.done


def test_the_wait_is_bounded_and_says_what_it_waited_for() -> None:
    rounds = int(WAIT.ready_timeout / WAIT.ready_poll_interval) + 1
    steps = [
        step
        for _ in range(rounds)
        for step in (
            ("baseEntry.get", _entry(R.APPROVED_BUT_NOT_READY)),
            ("baseEntry.get", _temp(EntryStatus.PRECONVERT)),
        )
    ]
    server = ScriptedKaltura(*steps)
    with pytest.raises(ReplacementTimeoutError) as caught:
        _settle(server, WAIT, approve=False)
    text = str(caught.value)
    assert "APPROVED_BUT_NOT_READY" in text and "0_temp" in text and "PRECONVERT" in text
    assert "10 s" in text and server.done


def test_a_temporary_entry_gone_because_it_was_swapped_is_no_failure() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", _entry(R.APPROVED_BUT_NOT_READY)),
        ("baseEntry.get", api_error("ENTRY_ID_NOT_FOUND", "gone", [])),
        ("baseEntry.get", _entry()),  # the swap happened in between
        ("baseEntry.get", _entry()),
    )
    assert _settle(server, WAIT, approve=False).result.replacing_entry_id is None
    assert "media.cancelreplace" not in _called(server)


# -- a stale replacement goes first ---------------------------------------------------------------


def test_a_failed_replacement_is_cancelled_before_a_new_one() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", _temp(EntryStatus.ERROR_CONVERTING)),
        ("media.cancelReplace", _entry()),
        ("baseEntry.get", _entry()),
    )
    entry, why = drive(cancel_stale(_entry(R.FAILED), ours=True), server).result
    assert why and "ERROR_CONVERTING" in why and entry.replacing_entry_id is None


def test_another_files_replacement_waiting_for_approval_is_superseded() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", _temp(EntryStatus.READY)),
        ("media.cancelReplace", _entry()),
        ("baseEntry.get", _entry()),
    )
    _, why = drive(cancel_stale(_entry(R.READY_BUT_NOT_APPROVED), ours=False), server).result
    assert why and "approval" in why and server.done


def test_a_replacement_still_converting_or_this_files_is_left_alone() -> None:
    for status, ours in ((R.APPROVED_BUT_NOT_READY, False), (R.READY_BUT_NOT_APPROVED, True)):
        server = ScriptedKaltura(("baseEntry.get", _temp(EntryStatus.PRECONVERT)))
        entry, why = drive(cancel_stale(_entry(status), ours=ours), server).result
        assert why is None and entry.replacing_entry_id == "0_temp" and server.done


def test_no_replacement_reads_nothing() -> None:
    server = ScriptedKaltura()
    assert drive(cancel_stale(_entry(), ours=False), server).result == (_entry(), None)


def test_a_replacement_swapped_in_while_it_was_read_is_not_cancelled_as_stale() -> None:
    server = ScriptedKaltura(
        ("baseEntry.get", api_error("ENTRY_ID_NOT_FOUND", "gone", [])),
        ("baseEntry.get", _entry()),  # swapped in meanwhile
    )
    entry, why = drive(cancel_stale(_entry(R.APPROVED_BUT_NOT_READY), ours=True), server).result
    assert why is None and entry.replacing_entry_id is None and server.done
