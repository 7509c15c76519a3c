"""The rules that turn what a lookup found into one decision (``kaltura_mm/upload/recover.py``).

Plus the token names they rely on (receipts naming their entry, the marker).
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from kaltura_mm.models import BaseEntry, EntryStatus, UploadToken, UploadTokenStatus
from kaltura_mm.upload.recover import (
    LookupFindings,
    RecoveryStep,
    decide,
    settle,
)
from kaltura_mm.upload.request import FileFingerprint, UploadRequest, token_names

SIZE = 450_000
REF = "kmm-0123456789abcdef0123456789ab"
PRINT = FileFingerprint(size=SIZE, mtime_ns=1, sample_sha256="ab" * 32, content_sha256="cd" * 32)
NAMES = token_names(UploadRequest(path=Path("/data/talk.mp4")), PRINT, REF)
S = UploadTokenStatus


def _entry(entry_id: str, status: EntryStatus, created_at: int = 100) -> BaseEntry:
    return BaseEntry(id=entry_id, status=status, created_at=created_at, reference_id=REF)


def _receipt(
    token_id: str, entry_id: str, status: S = S.PARTIAL_UPLOAD, size: int = SIZE, at: int = 100
) -> UploadToken:
    return UploadToken(
        id=token_id,
        status=status,
        file_name=NAMES.receipt(entry_id),
        file_size=size,
        created_at=at,
    )


def _marker(token_id: str, at: int = 100) -> UploadToken:
    return UploadToken(
        id=token_id, status=S.PENDING, file_name=NAMES.marker, file_size=SIZE, created_at=at
    )


def _decide(entries=(), receipts=(), markers=(), waited=False):  # type: ignore[no-untyped-def]
    found = LookupFindings(tuple(entries), tuple(receipts), tuple(markers), waited)
    return decide(found, NAMES, SIZE)


# -- decide: after the lookup ---------------------------------------------------------------


def test_nothing_found_creates() -> None:
    assert _decide().action is RecoveryStep.CREATE


def test_a_half_made_entry_with_its_open_receipt_is_continued() -> None:
    entry, token = _entry("0_a", EntryStatus.IMPORT), _receipt("t1", "0_a")
    decision = _decide([entry], [token], [_marker("m1")])
    assert (decision.action, decision.entry, decision.token) == (RecoveryStep.RESUME, entry, token)
    assert decision.stray_entries == () and decision.stray_tokens == ("m1",)


def test_a_pending_receipt_with_no_bytes_yet_is_continued_too() -> None:
    token = _receipt("t1", "0_a", S.PENDING)
    assert _decide([_entry("0_a", EntryStatus.IMPORT)], [token]).action is RecoveryStep.RESUME


def test_of_two_half_made_uploads_the_one_holding_most_is_continued() -> None:
    a, b = _entry("0_a", EntryStatus.IMPORT), _entry("0_b", EntryStatus.IMPORT)
    little = _receipt("t1", "0_a")
    much = attrs.evolve(_receipt("t2", "0_b"), uploaded_file_size=300_000)
    decision = _decide([a, b], [little, much])
    assert (decision.action, decision.entry, decision.token) == (RecoveryStep.RESUME, b, much)
    assert decision.stray_entries == ("0_a",) and decision.stray_tokens == ("t1",)


def test_a_complete_entry_is_the_upload_half_made_ones_strays_younger_complete_ones_kept() -> None:
    done = _entry("0_done", EntryStatus.READY, created_at=50)
    later = _entry("0_later", EntryStatus.PRECONVERT, created_at=60)
    half = _entry("0_half", EntryStatus.IMPORT)
    receipts = [
        _receipt("t0", "0_done", S.CLOSED),
        _receipt("t1", "0_half"),
        _receipt("t2", "0_later", S.FULL_UPLOAD),
    ]
    decision = _decide([half, later, done], receipts, [_marker("m1")])
    assert decision.action is RecoveryStep.EXISTING and decision.entry == done  # the oldest
    # 0_later is complete: another run may have reported it (rule 8), so it stays, with the
    # receipt that holds its content
    assert decision.stray_entries == ("0_half",)
    assert decision.stray_tokens == ("m1", "t1")  # CLOSED receipts hold no open slot


def test_an_import_entry_whose_receipt_finished_is_complete() -> None:
    entry = _entry("0_a", EntryStatus.IMPORT)
    decision = _decide([entry], [_receipt("t1", "0_a", S.FULL_UPLOAD)])
    assert (decision.action, decision.entry) == (RecoveryStep.EXISTING, entry)
    assert decision.stray_tokens == ()  # its own receipt stays


def test_a_no_content_entry_gets_a_new_receipt_and_its_old_ones_go() -> None:
    entry = _entry("0_a", EntryStatus.NO_CONTENT)
    decision = _decide([entry], [_receipt("t1", "0_a", S.PENDING)], [_marker("m1")])
    assert (decision.action, decision.entry) == (RecoveryStep.ATTACH, entry)
    assert decision.stray_entries == () and decision.stray_tokens == ("m1", "t1")


def test_a_marker_newer_than_every_receipt_waits_for_the_index() -> None:
    # A create began (its marker) and stopped before its receipt: only the index can show an
    # entry it may have made.
    assert _decide(markers=[_marker("m1", at=200)]).action is RecoveryStep.WAIT
    old = [_receipt("t0", "0_gone", S.CLOSED, at=100)]  # a receipt of an entry deleted since
    assert _decide(receipts=old, markers=[_marker("m1", at=200)]).action is RecoveryStep.WAIT


def test_a_marker_with_its_receipt_or_after_waiting_does_not_wait() -> None:
    paired = _decide(receipts=[_receipt("t0", "0_gone", at=200)], markers=[_marker("m1", 200)])
    assert paired.action is RecoveryStep.CREATE and paired.stray_tokens == ("m1", "t0")
    waited = _decide(markers=[_marker("m1", at=200)], waited=True)
    assert waited.action is RecoveryStep.CREATE and waited.stray_tokens == ("m1",)


@pytest.mark.parametrize(
    ("entries", "receipts"),
    [
        ([_entry("0_a", EntryStatus.IMPORT)], []),  # its receipt is gone
        ([_entry("0_a", EntryStatus.ERROR_IMPORTING)], [_receipt("t1", "0_a")]),
        ([_entry("0_a", EntryStatus.IMPORT)], [_receipt("t1", "0_a", size=SIZE + 1)]),
    ],
    ids=["receipt-gone", "error-status", "wrong-size"],
)
def test_anything_unusable_is_deleted_whole_before_one_new_entry(
    entries: list[BaseEntry], receipts: list[UploadToken]
) -> None:
    decision = _decide(entries, receipts)
    assert decision.action is RecoveryStep.CREATE and decision.entry is None
    assert decision.stray_entries == tuple(sorted(e.id or "" for e in entries))
    assert decision.stray_tokens == tuple(sorted(t.id or "" for t in receipts))


def test_closed_receipts_are_never_touched() -> None:
    closed = _receipt("t-closed", "0_gone", S.CLOSED)
    decision = _decide([_entry("0_a", EntryStatus.IMPORT)], [closed])
    assert decision.action is RecoveryStep.CREATE and decision.stray_tokens == ()


# -- settle: the last look once the upload's own entry is complete ----------------------------


def _settle(own: BaseEntry, entries=(), receipts=(), markers=(), patient=True, stalled=frozenset()):  # type: ignore[no-untyped-def]
    found = LookupFindings(tuple(entries), tuple(receipts), tuple(markers))
    mark = ("own-token", "own-marker")
    return settle(own, mark, found, NAMES, patient=patient, stalled=stalled)


def test_the_last_look_keeps_its_entry_over_a_younger_half_made_one() -> None:
    own = _entry("0_own", EntryStatus.PRECONVERT, created_at=200)
    late = _entry("0_late", EntryStatus.IMPORT, created_at=201)  # another run, still uploading
    receipts = [_receipt("own-token", "0_own", S.CLOSED), _receipt("late-token", "0_late")]
    decision = _settle(own, [late], receipts, [_marker("m-late")])
    assert decision.action is RecoveryStep.EXISTING and decision.entry == own
    # its run would yield to this older entry once complete: it is a stray now (a killed
    # run's late create leaves one), with its open receipt, and the markers go once decided
    assert decision.stray_entries == ("0_late",)
    assert decision.stray_tokens == ("own-marker", "late-token", "m-late")


def test_the_last_look_yields_to_an_older_complete_entry_deleting_only_its_own() -> None:
    own = _entry("0_own", EntryStatus.READY, created_at=200)
    older = _entry("0_old", EntryStatus.READY, created_at=199)
    for markers in ([], [_marker("m-old")]):
        decision = _settle(own, [older], markers=markers)
        assert decision.action is RecoveryStep.EXISTING and decision.entry == older
        assert decision.stray_entries == ("0_own",)
        # its own tokens after its entry, its marker last of them; then the keeper's run's
        # marker (that run keeps: nothing older shows), which a killed run would leave
        theirs = tuple(m.id for m in markers)
        assert decision.stray_tokens == ("own-token", "own-marker", *theirs)


def test_a_younger_run_waits_for_an_older_upload_to_complete_and_never_deletes_it() -> None:
    own = _entry("0_own", EntryStatus.READY, created_at=200)
    older = _entry("0_old", EntryStatus.IMPORT, created_at=199)  # its file still on its way
    receipts = [_receipt("old-token", "0_old")]
    assert _settle(own, [older], receipts).action is RecoveryStep.WAIT
    done = _settle(own, [older], [_receipt("old-token", "0_old", S.CLOSED)])
    assert done.entry == older and done.stray_entries == ("0_own",)
    # the wait is over: its own entry kept, its marker gone, the file raced (not reported)
    late = _settle(own, [older], receipts, patient=False)
    assert late.action is RecoveryStep.RACED and late.entry == own
    assert late.stray_entries == () and late.stray_tokens == ("own-marker",)
    # an older entry in an error status will never complete: not waited for
    broken = attrs.evolve(older, status=EntryStatus.ERROR_CONVERTING)
    assert _settle(own, [broken], receipts).entry == own
    # an older upload that made no progress for long is a killed run's: deleted, not waited for
    stalled = _settle(own, [older], receipts, stalled=frozenset({"0_old"}))
    assert stalled.action is RecoveryStep.EXISTING and stalled.entry == own
    assert stalled.stray_entries == ("0_old",) and stalled.stray_tokens == (
        "own-marker",
        "old-token",
    )


def test_the_older_entry_waits_while_the_younger_run_decides() -> None:
    # Same second, the id breaks the tie: 0_aaa is the older. Its run cannot tell whether the
    # other run looked before 0_aaa existed (and kept 0_zzz): it waits for that run's marker.
    own = _entry("0_aaa", EntryStatus.READY, created_at=200)
    twin = _entry("0_zzz", EntryStatus.READY, created_at=200)
    assert _settle(own, [twin], markers=[_marker("m-zzz")]).action is RecoveryStep.WAIT
    # its marker gone with its entry live: that run kept it (and may have reported it)
    kept = _settle(own, [twin])
    assert kept.entry == twin and kept.stray_entries == ("0_aaa",)
    # the wait is over undecided: never a guess; its own entry kept, the file raced
    late = _settle(own, [twin], markers=[_marker("m-zzz")], patient=False)
    assert late.action is RecoveryStep.RACED and late.entry == own
    assert late.stray_entries == () and late.stray_tokens == ("own-marker",)
    # that run yielded instead (its entry deleted, then its marker): this one is the upload
    gone = attrs.evolve(twin, status=EntryStatus.DELETED)
    alone = _settle(own, [gone])
    assert (
        alone.entry == own and alone.stray_entries == () and alone.stray_tokens == ("own-marker",)
    )


def test_two_runs_that_see_each_other_deciding_never_both_keep_nor_both_yield() -> None:
    a = _entry("0_aaa", EntryStatus.READY, created_at=200)
    b = _entry("0_zzz", EntryStatus.READY, created_at=200)
    both = [_marker("m-a"), _marker("m-b")]
    on_b = settle(b, ("t-b", "m-b"), LookupFindings((a,), (), tuple(both)), NAMES)
    assert on_b.entry == a and on_b.stray_entries == ("0_zzz",)  # the younger yields at once
    on_a = settle(a, ("t-a", "m-a"), LookupFindings((b,), (), tuple(both)), NAMES)
    assert on_a.action is RecoveryStep.WAIT  # the older waits until b's decision shows
    # b saw a still uploading (older, half-made): b waits, it does not keep its own
    half_a = attrs.evolve(a, status=EntryStatus.IMPORT)
    early = settle(b, ("t-b", "m-b"), LookupFindings((half_a,), (), tuple(both)), NAMES)
    assert early.action is RecoveryStep.WAIT


# -- the token names ------------------------------------------------------------------------


def _marker_of(path: str, size: int = SIZE, content: str = "ab" * 32, ref: str = REF) -> str:
    print_ = FileFingerprint(size=size, mtime_ns=1, sample_sha256="00", content_sha256=content)
    return token_names(UploadRequest(path=Path(path)), print_, ref).marker


def test_the_names_are_deterministic_and_keep_the_extension() -> None:
    name = _marker_of("/data/Lecture 1.mp4")
    assert name == _marker_of("/elsewhere/Lecture 1.mp4")
    assert name.startswith("Lecture 1.kmm") and name.endswith(".mp4")


def test_the_names_differ_per_content_even_under_one_given_reference_id() -> None:
    first = _marker_of("/data/a.mp4", ref="my-ref")
    assert _marker_of("/data/a.mp4", ref="my-ref", content="cd" * 32) != first
    assert _marker_of("/data/a.mp4", ref="my-ref", size=SIZE + 1) != first
    assert _marker_of("/data/a.mp4", ref="other-ref") != first


def test_the_names_stay_short_for_a_long_file_name() -> None:
    names = token_names(UploadRequest(path=Path("/d/" + "x" * 500 + ".mov")), PRINT, REF)
    assert len(names.receipt("0_abcd1234")) < 130


# -- token names fit the server's varchar(256), counted in UTF-8 bytes -------------------------


@pytest.mark.parametrize(
    "stem",
    ["🎬" * 120, "講義録画" * 60, "a" * 300, "mixé😀講" * 50],
    ids=["emoji", "cjk", "ascii", "mixed"],
)
def test_a_long_name_gives_a_receipt_of_at_most_256_utf8_bytes(stem: str) -> None:
    names = token_names(UploadRequest(path=Path(f"/data/{stem}.mp4")), PRINT, REF)
    entry_id = "0_abcdefgh"
    receipt = names.receipt(entry_id)
    assert len(receipt.encode("utf-8")) <= 256
    assert len(names.marker.encode("utf-8")) <= 256
    assert receipt.endswith(".mp4") and names.marker.endswith(".mp4")
    # cut on a character boundary: the name is a start of the file's own stem
    assert stem.startswith(receipt.split(".kmm")[0]) and len(receipt.split(".kmm")[0]) >= 40
    # the lookup recognises the receipt as the server stores it (nothing cut there)
    assert names.entry_of(receipt.encode("utf-8")[:256].decode("utf-8")) == entry_id


def test_a_receipt_with_a_long_entry_id_still_fits() -> None:
    names = token_names(UploadRequest(path=Path("/data/" + "🎬" * 120 + ".mp4")), PRINT, REF)
    assert len(names.receipt("1_" + "z" * 38).encode("utf-8")) <= 256


def test_a_short_name_is_kept_whole() -> None:
    names = token_names(UploadRequest(path=Path("/data/講義 1.mp4")), PRINT, REF)
    assert names.marker.startswith("講義 1.kmm")


# -- a token idle longer than the server resumes (7 days) is dead -------------------------------

WEEK = 604_800


def test_a_partial_receipt_idle_over_a_week_by_the_servers_clock_is_refilled() -> None:
    entry = _entry("0_a", EntryStatus.IMPORT)
    token = attrs.evolve(_receipt("t1", "0_a"), updated_at=1_000)
    found = LookupFindings((entry,), (token,), server_now=1_000 + 8 * 86_400)
    decision = decide(found, NAMES, SIZE)
    assert decision.action is RecoveryStep.ATTACH and decision.entry == entry
    assert decision.stray_tokens == ("t1",) and decision.stray_entries == ()


def test_a_partial_receipt_idle_six_days_is_resumed() -> None:
    entry = _entry("0_a", EntryStatus.IMPORT)
    token = attrs.evolve(_receipt("t1", "0_a"), updated_at=1_000)
    found = LookupFindings((entry,), (token,), server_now=1_000 + 6 * 86_400)
    assert decide(found, NAMES, SIZE).action is RecoveryStep.RESUME


def test_without_the_servers_clock_only_its_refusal_makes_a_token_dead() -> None:
    entry = _entry("0_a", EntryStatus.IMPORT)
    token = attrs.evolve(_receipt("t1", "0_a"), updated_at=1_000)
    assert decide(LookupFindings((entry,), (token,)), NAMES, SIZE).action is RecoveryStep.RESUME
    refused = LookupFindings((entry,), (token,), dead=frozenset({"t1"}))
    assert decide(refused, NAMES, SIZE).action is RecoveryStep.ATTACH


def test_a_pending_receipt_is_never_dead_by_age() -> None:
    # the server checks the age of PARTIAL tokens only
    entry = _entry("0_a", EntryStatus.IMPORT)
    token = attrs.evolve(_receipt("t1", "0_a", S.PENDING), updated_at=1_000)
    found = LookupFindings((entry,), (token,), server_now=1_000 + 30 * 86_400)
    assert decide(found, NAMES, SIZE).action is RecoveryStep.RESUME


def test_a_dead_receipt_beside_a_live_one_resumes_the_live_one() -> None:
    entry = _entry("0_a", EntryStatus.IMPORT)
    old = attrs.evolve(_receipt("t1", "0_a"), updated_at=1_000, uploaded_file_size=400_000)
    new = attrs.evolve(_receipt("t2", "0_a"), updated_at=1_000 + 7 * 86_400)
    found = LookupFindings((entry,), (old, new), server_now=1_000 + 8 * 86_400)
    decision = decide(found, NAMES, SIZE)
    assert decision.action is RecoveryStep.RESUME and decision.token == new
    assert "t1" in decision.stray_tokens
