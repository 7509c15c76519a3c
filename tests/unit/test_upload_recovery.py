"""The rules that turn what a lookup found into one decision (``kaltura_mm/upload/recover.py``).

Plus the token's deterministic fileName they rely on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kaltura_mm.models import BaseEntry, EntryStatus, UploadToken, UploadTokenStatus
from kaltura_mm.upload.recover import Action, decide, settle
from kaltura_mm.upload.request import (
    FileFingerprint,
    UploadRequest,
    reference_id_for,
    token_file_name,
)

NAME = "talk.kmm0123456789abcdef0123.mp4"
SIZE = 450_000
REF = "kmm-0123456789abcdef0123456789ab"
GIVEN = "catalog-42"  # a referenceId the caller chose


def _entry(entry_id: str, status: EntryStatus, created_at: int = 100) -> BaseEntry:
    return BaseEntry(id=entry_id, status=status, created_at=created_at, reference_id=REF)


def _token(
    token_id: str,
    status: UploadTokenStatus = UploadTokenStatus.PARTIAL_UPLOAD,
    name: str = NAME,
    size: int = SIZE,
) -> UploadToken:
    return UploadToken(id=token_id, status=status, file_name=name, file_size=size)


# -- decide: after the lookup ---------------------------------------------------------------


def test_nothing_found_creates() -> None:
    assert decide([], [], REF, NAME, SIZE).action is Action.CREATE


def test_a_half_made_entry_with_its_one_open_token_is_continued() -> None:
    entry, token = _entry("0_a", EntryStatus.IMPORT), _token("t1")
    decision = decide([entry], [token], REF, NAME, SIZE)
    assert (decision.action, decision.entry, decision.token) == (Action.RESUME, entry, token)
    assert decision.stray_entries == decision.stray_tokens == ()


def test_a_pending_token_with_no_bytes_yet_is_continued_too() -> None:
    token = _token("t1", UploadTokenStatus.PENDING)
    decision = decide([_entry("0_a", EntryStatus.IMPORT)], [token], REF, NAME, SIZE)
    assert decision.action is Action.RESUME


def test_a_complete_entry_is_the_upload_and_everything_else_under_its_names_a_stray() -> None:
    done = _entry("0_done", EntryStatus.READY, created_at=50)
    later = _entry("0_later", EntryStatus.PRECONVERT, created_at=60)
    half = _entry("0_half", EntryStatus.IMPORT)
    decision = decide([half, later, done], [_token("t1"), _token("t2")], REF, NAME, SIZE)
    assert decision.action is Action.EXISTING and decision.entry == done  # the oldest complete
    assert decision.stray_entries == ("0_half", "0_later")
    assert decision.stray_tokens == ("t1", "t2")


def test_under_a_given_reference_id_other_complete_entries_are_left_alone() -> None:
    done = _entry("0_done", EntryStatus.READY, created_at=50)
    theirs = _entry("0_theirs", EntryStatus.READY, created_at=60)
    half = _entry("0_half", EntryStatus.IMPORT)
    decision = decide([half, theirs, done], [], GIVEN, NAME, SIZE)
    assert decision.entry == done and decision.stray_entries == ("0_half",)


def test_a_no_content_entry_gets_a_new_token_and_its_old_ones_go() -> None:
    entry = _entry("0_a", EntryStatus.NO_CONTENT)
    decision = decide([entry], [_token("t1", UploadTokenStatus.FULL_UPLOAD)], REF, NAME, SIZE)
    assert (decision.action, decision.entry) == (Action.ATTACH, entry)
    assert decision.stray_entries == () and decision.stray_tokens == ("t1",)


@pytest.mark.parametrize(
    ("entries", "tokens"),
    [
        ([_entry("0_a", EntryStatus.IMPORT)], []),  # its token is gone
        ([_entry("0_a", EntryStatus.IMPORT)], [_token("t1"), _token("t2")]),  # which one?
        ([_entry("0_a", EntryStatus.IMPORT), _entry("0_b", EntryStatus.IMPORT)], [_token("t1")]),
        ([_entry("0_a", EntryStatus.ERROR_IMPORTING)], [_token("t1")]),
        ([_entry("0_a", EntryStatus.IMPORT)], [_token("t1", size=SIZE + 1)]),  # not this file
        ([_entry("0_a", EntryStatus.IMPORT)], [_token("t1", UploadTokenStatus.FULL_UPLOAD)]),
    ],
    ids=["token-gone", "two-tokens", "two-entries", "error-status", "wrong-size", "full-token"],
)
def test_anything_ambiguous_is_deleted_whole_before_one_new_entry(
    entries: list[BaseEntry], tokens: list[UploadToken]
) -> None:
    decision = decide(entries, tokens, REF, NAME, SIZE)
    assert decision.action is Action.CREATE and decision.entry is None
    assert decision.stray_entries == tuple(sorted(e.id or "" for e in entries))
    assert decision.stray_tokens == tuple(sorted(t.id or "" for t in tokens))


def test_tokens_of_other_names_and_closed_tokens_are_never_touched() -> None:
    other = _token("t-other", name="talk.mp4")
    closed = _token("t-closed", UploadTokenStatus.CLOSED)
    decision = decide([_entry("0_a", EntryStatus.IMPORT)], [other, closed], REF, NAME, SIZE)
    assert decision.action is Action.CREATE and decision.stray_tokens == ()


# -- settle: the last look once the upload's own entry is complete ----------------------------


def test_the_last_look_deletes_half_made_leftovers_and_other_open_tokens() -> None:
    own = _entry("0_own", EntryStatus.PRECONVERT, created_at=200)
    late = _entry("0_late", EntryStatus.IMPORT, created_at=201)  # a killed run's request, late
    tokens = [_token("own-token", UploadTokenStatus.CLOSED), _token("late-token")]
    decision = settle(own, "own-token", [own, late], tokens, REF, NAME)
    assert decision.entry == own
    assert decision.stray_entries == ("0_late",) and decision.stray_tokens == ("late-token",)


def test_the_last_look_yields_to_an_older_complete_entry() -> None:
    own = _entry("0_own", EntryStatus.READY, created_at=200)
    older = _entry("0_old", EntryStatus.READY, created_at=199)
    decision = settle(own, "own-token", [older, own], [], REF, NAME)
    assert decision.entry == older and decision.stray_entries == ("0_own",)


def test_the_last_look_deletes_a_newer_complete_duplicate() -> None:
    # Made in the same second by a killed process's late request: the id breaks the tie, and
    # any run looking last picks the same keeper.
    own = _entry("0_aaa", EntryStatus.READY, created_at=200)
    twin = _entry("0_zzz", EntryStatus.READY, created_at=200)
    decision = settle(own, "own-token", [own, twin], [_token("own-token")], REF, NAME)
    assert decision.entry == own and decision.stray_entries == ("0_zzz",)
    assert decision.stray_tokens == ()  # its own token stays
    other_side = settle(twin, "twin-token", [own, twin], [], REF, NAME)
    assert other_side.entry == own and other_side.stray_entries == ("0_zzz",)


def test_the_last_look_under_a_given_reference_id_yields_but_deletes_only_its_own() -> None:
    own = _entry("0_own", EntryStatus.READY, created_at=200)
    older = _entry("0_old", EntryStatus.READY, created_at=199)
    newer = _entry("0_new", EntryStatus.READY, created_at=201)
    decision = settle(own, "own-token", [older, own, newer], [], GIVEN, NAME)
    assert decision.entry == older and decision.stray_entries == ("0_own",)


# -- the token's fileName -------------------------------------------------------------------


def _named(path: str, size: int = SIZE, sample: str = "ab" * 32, ref: str | None = None) -> str:
    request = UploadRequest(path=Path(path), reference_id=ref)
    fingerprint = FileFingerprint(size=size, mtime_ns=1, sample_sha256=sample)
    return token_file_name(request, fingerprint, reference_id_for(request, fingerprint))


def test_the_token_name_is_deterministic_and_keeps_the_extension() -> None:
    name = _named("/data/Lecture 1.mp4")
    assert name == _named("/data/Lecture 1.mp4")
    assert name.startswith("Lecture 1.kmm") and name.endswith(".mp4")


def test_the_token_name_differs_per_content_even_under_one_given_reference_id() -> None:
    first = _named("/data/a.mp4", ref="my-ref")
    assert _named("/data/a.mp4", ref="my-ref", sample="cd" * 32) != first
    assert _named("/data/a.mp4", ref="my-ref", size=SIZE + 1) != first
    assert _named("/data/a.mp4", ref="other-ref") != first


def test_the_token_name_stays_short_for_a_long_file_name() -> None:
    assert len(_named("/data/" + "x" * 500 + ".mov")) < 120
