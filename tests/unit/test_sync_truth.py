"""Content truth in a derived referenceId, and the plan's content judgement from it (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaltura_mm.models import BaseEntry, Category, EntryStatus
from kaltura_mm.sync import SyncRecord, derived_key, truth
from kaltura_mm.sync.plan import build_plan
from kaltura_mm.sync.planfile import dumps, loads
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.source import Source, SyncItem
from kaltura_mm.upload.request import FileFingerprint

SCOPE = Category(id=10, parent_id=0, name="Courses", full_name="Courses", full_ids="10")
KEY = derived_key(10, "a.mp4")
MINE = FileFingerprint(size=5, mtime_ns=1, sample_sha256="", content_sha256="ab" * 32)
EDITED = FileFingerprint(size=5, mtime_ns=2, sample_sha256="", content_sha256="cd" * 32)


def _entry(ref: str, version: int = 3, **fields: object) -> BaseEntry:
    values = {"status": EntryStatus.READY, "name": "a", "created_at": 1, "version": version}
    return BaseEntry(id="0_a", reference_id=ref, **(values | fields))  # type: ignore[arg-type]


def _plan(entry: BaseEntry, print_: FileFingerprint, **options: object) -> tuple[str, ...]:
    item = SyncItem(path=Path("/src/a.mp4"), relative="a.mp4")
    view = ServerView(SCOPE, {10: SCOPE}, {"0_a": entry}, {"0_a": frozenset({10})})
    plan = build_plan(
        Source((item,), (), "test"),
        view,
        {},
        lambda i, r: print_,
        scope_name="Courses",
        **options,  # type: ignore[arg-type]
    )
    return plan.items[0].actions


def test_a_derived_reference_id_keeps_its_identity_content_and_version() -> None:
    written = truth.stamped(KEY, MINE, 7)
    assert written == f"{KEY}.{'ab' * 8}.v7" and len(written) == 53
    assert truth.read(written) == truth.Truth(KEY, "ab" * 8, 7)
    assert truth.identity(written) == truth.identity(KEY) == KEY
    assert truth.stamped(KEY, MINE) == f"{KEY}.{'ab' * 8}"
    assert truth.candidates(KEY, MINE) == [KEY, f"{KEY}.{'ab' * 8}"]


@pytest.mark.parametrize("own", ["BIO101-01", "sync-notahash", f"{KEY}.xyz", "sync-a.b"])
def test_a_users_own_reference_id_is_never_rewritten(own: str) -> None:
    assert truth.read(own) is None and truth.identity(own) == own
    assert truth.stamped(own, MINE, 3) == own and truth.candidates(own, MINE) == [own]


def test_without_every_byte_read_nothing_is_stamped() -> None:
    sampled = FileFingerprint(size=5, mtime_ns=1, sample_sha256="f" * 64)
    assert truth.stamped(KEY, sampled, 2) == KEY and truth.content_of(sampled) is None


def test_only_a_version_above_the_kept_one_is_another_tools_write() -> None:
    kept = truth.read(truth.stamped(KEY, MINE, 4))
    assert not truth.moved(kept, 4) and not truth.moved(kept, 3)
    assert truth.moved(kept, 5)
    assert not truth.moved(truth.read(truth.stamped(KEY, MINE)), 99)  # no version kept


def test_the_plan_compares_the_file_with_what_the_referenceid_keeps() -> None:
    entry = _entry(truth.stamped(KEY, MINE, 3))
    assert _plan(entry, MINE) == ("keep",)
    assert _plan(entry, EDITED) == ("replace",)
    assert _plan(_entry(KEY), EDITED) == ("keep",)  # an earlier sync's entry, no record


def test_content_replaced_on_the_server_is_a_conflict_a_flag_resolves() -> None:
    entry = _entry(truth.stamped(KEY, MINE, 3), version=4)
    assert _plan(entry, MINE) == ("conflict",)
    assert _plan(entry, EDITED) == ("conflict",)
    assert _plan(entry, MINE, on_conflict="keep-local") == ("replace",)
    assert _plan(entry, MINE, on_conflict="keep-server") == ("update",)


def test_keep_server_records_the_file_and_the_servers_version() -> None:
    item = SyncItem(path=Path("/src/a.mp4"), relative="a.mp4")
    entry = _entry(truth.stamped(KEY, MINE, 3), version=4)
    view = ServerView(SCOPE, {10: SCOPE}, {"0_a": entry}, {"0_a": frozenset({10})})
    source = Source((item,), (), "test")
    plan = build_plan(
        source, view, {}, lambda i, r: MINE, scope_name="Courses", on_conflict="keep-server"
    )
    (row,) = plan.items
    assert row.after == {"reference_id": truth.stamped(KEY, MINE, 4)}
    assert row.seen is not None and row.seen.foreign
    again = loads(dumps(plan))[0].items[0]  # a saved plan keeps it
    assert again.seen is not None and again.seen.foreign
    conflicted = build_plan(source, view, {}, lambda i, r: MINE, scope_name="Courses")
    assert conflicted.conflicts and conflicted.changes == 0
    assert "1 conflict" in conflicted.summary()


def test_a_record_still_judges_an_entry_whose_referenceid_keeps_nothing() -> None:
    record = SyncRecord.of(KEY, "0_a", MINE)
    item = SyncItem(path=Path("/src/a.mp4"), relative="a.mp4")
    view = ServerView(SCOPE, {10: SCOPE}, {"0_a": _entry(KEY)}, {"0_a": frozenset({10})})
    plan = build_plan(
        Source((item,), (), "test"), view, {KEY: record}, lambda i, r: EDITED, scope_name="Courses"
    )
    assert plan.items[0].actions == ("replace",)


def test_a_replacement_that_failed_on_the_server_is_sent_again() -> None:
    failed = _entry(truth.stamped(KEY, MINE, 3), replacement_status=4, replacing_entry_id="0_t")
    assert _plan(failed, MINE) == ("replace",)
