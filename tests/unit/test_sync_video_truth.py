"""Content truth for a video: its source flavor asset's version, kept in the referenceId beside
the entry's, and the plan's judgement from it (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaltura_mm.models import BaseEntry, Category, EntryStatus, FlavorAsset
from kaltura_mm.sync import derived_key, truth
from kaltura_mm.sync.model import Plan
from kaltura_mm.sync.plan import SOURCES_UNREAD, build_plan
from kaltura_mm.sync.planfile import dumps, loads
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.source import Source, SyncItem
from kaltura_mm.upload.request import FileFingerprint

SCOPE = Category(id=10, parent_id=0, name="Courses", full_name="Courses", full_ids="10")
KEY = derived_key(10, "a.mp4")
MINE = FileFingerprint(size=5, mtime_ns=1, sample_sha256="", content_sha256="ab" * 32)
EDITED = FileFingerprint(size=5, mtime_ns=2, sample_sha256="", content_sha256="cd" * 32)


def _plan(
    source: truth.SourceMark | None,
    now: int | None,
    print_: FileFingerprint = MINE,
    readable: bool = True,
    **options: object,
) -> Plan:
    """Plan one video whose referenceId keeps ``source`` and whose source asset is at ``now``;
    the entry's own version never moves (a video's replacement leaves it)."""
    ref = truth.stamped(KEY, MINE, 0, source)
    entry = BaseEntry(id="0_a", reference_id=ref, status=EntryStatus.READY, name="a", version=0)
    assets = {} if now is None else {"0_a": FlavorAsset(id="0_s", entry_id="0_a", version=now)}
    view = ServerView(
        SCOPE, {10: SCOPE}, {"0_a": entry}, {"0_a": frozenset({10})},
        sources=assets, sources_read=readable,
    )  # fmt: skip
    item = SyncItem(path=Path("/src/a.mp4"), relative="a.mp4")
    return build_plan(
        Source((item,), (), "test"),
        view,
        {},
        lambda i, r: print_,
        scope_name="Courses",
        **options,  # type: ignore[arg-type]
    )


def test_the_referenceid_keeps_the_source_assets_version_after_the_entrys() -> None:
    ours = truth.stamped(KEY, MINE, 0, truth.SourceMark(12, ours=True))
    assert ours == f"{KEY}.{'ab' * 8}.v0.f12+"
    assert truth.read(ours) == truth.Truth(KEY, "ab" * 8, 0, truth.SourceMark(12, ours=True))
    exact = truth.stamped(KEY, MINE, 3, truth.SourceMark(22))
    assert exact.endswith(".v3.f22") and truth.read(exact) == truth.Truth(
        KEY, "ab" * 8, 3, truth.SourceMark(22)
    )
    assert truth.identity(ours) == truth.identity(exact) == KEY
    assert truth.stamped(KEY, MINE, None, truth.SourceMark(2)) == f"{KEY}.{'ab' * 8}"  # needs v
    for bad in (f"{KEY}.{'ab' * 8}.f2", f"{KEY}.{'ab' * 8}.v1.f2-", f"{KEY}.{'ab' * 8}.v1.f"):
        assert truth.read(bad) is None  # not ours: never rewritten


@pytest.mark.parametrize(
    ("version", "highest"), [(0, 2), (1, 12), (2, 12), (11, 22), (12, 22), (20, 22)]
)
def test_one_swap_reaches_at_most_the_next_ten_and_two(version: int, highest: int) -> None:
    # kDataCenterMgr::incrementVersion: ceil(v / 10) * 10 + 2 - dc (dc 0 or 1)
    assert truth.one_step(version) == highest
    for dc in (0, 1):
        once = -(-version // 10) * 10 + 2 - dc
        twice = -(-once // 10) * 10 + 2 - dc
        assert once <= highest < twice


def test_the_syncs_own_swap_is_never_another_tools() -> None:
    added = truth.SourceMark(0, ours=True)  # an add: the upload makes the source, at 2 (dc 0)
    assert not added.moved(None) and not added.moved(2) and not added.moved(1)
    assert added.moved(12)  # another replacement since
    replaced = truth.SourceMark(12, ours=True)  # a replacement of the source at 12, converting
    assert not replaced.moved(12) and not replaced.moved(22) and replaced.moved(32)
    kept = truth.SourceMark(22)  # kept as the server held it: exact
    assert not kept.moved(22) and kept.moved(32)


def test_a_video_replaced_by_another_tool_is_a_conflict_with_no_records() -> None:
    assert _plan(truth.SourceMark(0, ours=True), 2).items[0].actions == ("keep",)
    plan = _plan(truth.SourceMark(0, ours=True), 12)
    (row,) = plan.items
    assert row.actions == ("conflict",) and plan.changes == 0
    assert (
        row.note is not None
        and "its source file's version 12, above the 2 this sync left it at" in row.note
    )
    assert "--on-conflict keep-server" in row.note
    assert _plan(truth.SourceMark(0, ours=True), 12, EDITED).items[0].actions == ("conflict",)
    assert _plan(None, 12).items[0].actions == ("keep",)  # an older stamp: not known


def test_a_conflict_is_resolved_either_way_and_keep_server_keeps_the_exact_version() -> None:
    local = _plan(truth.SourceMark(2), 12, on_conflict="keep-local").items[0]
    assert local.actions == ("replace",) and local.seen is not None and local.seen.source == 12
    server = _plan(truth.SourceMark(2), 12, on_conflict="keep-server")
    (row,) = server.items
    assert row.actions == ("update",)
    assert row.after == {"reference_id": truth.stamped(KEY, MINE, 0, truth.SourceMark(12))}
    saved = loads(dumps(server))[0].items[0]  # a saved plan keeps what it saw of the source
    assert saved.seen is not None and saved.seen.source == 12 and saved.seen.foreign


def test_a_session_that_may_not_read_flavor_assets_is_told_what_it_misses() -> None:
    (row,) = _plan(truth.SourceMark(0, ours=True), None, readable=False).items
    assert row.actions == ("keep",) and row.note == SOURCES_UNREAD
    assert _plan(truth.SourceMark(0, ours=True), None).items[0].note is None


@pytest.mark.parametrize(("now", "action"), [(2, "update"), (12, "add")])
def test_a_renamed_file_takes_over_its_video_only_while_it_holds_the_syncs_file(
    now: int, action: str
) -> None:
    ref = truth.stamped(KEY, MINE, 0, truth.SourceMark(0, ours=True))  # made from a.mp4
    entry = BaseEntry(id="0_a", reference_id=ref, status=EntryStatus.READY, name="a", version=0)
    view = ServerView(
        SCOPE, {10: SCOPE}, {"0_a": entry}, {"0_a": frozenset({10})},
        sources={"0_a": FlavorAsset(id="0_s", entry_id="0_a", version=now)},
    )  # fmt: skip
    renamed = SyncItem(path=Path("/src/b.mp4"), relative="b.mp4")
    plan = build_plan(
        Source((renamed,), (), "test"), view, {}, lambda i, r: MINE, scope_name="Courses"
    )
    assert plan.items[0].action == action  # 12: another tool's video, not the file's any more
