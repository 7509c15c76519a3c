"""The sync's pure parts: reading sources, identity, the plan rules, the plan file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kaltura_mm import ConfigError
from kaltura_mm.models import BaseEntry, Category, EntryStatus
from kaltura_mm.sync import SyncRecord, derived_key, read_source
from kaltura_mm.sync.plan import build_plan
from kaltura_mm.sync.planfile import dumps, loads
from kaltura_mm.sync.records import fingerprint
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.source import Source, SyncItem
from kaltura_mm.upload.request import FileFingerprint

SCOPE = Category(id=10, parent_id=0, name="Courses", full_name="Courses", full_ids="10")
WEEK = Category(id=11, name="Week 1", full_name="Courses>Week 1", full_ids="10>11", parent_id=10)
OTHER = Category(id=12, name="Other", full_name="Courses>Other", full_ids="10>12", parent_id=10)
PRINT = FileFingerprint(size=5, mtime_ns=1, sample_sha256="a" * 64)


def _prints(item: SyncItem, record: SyncRecord | None) -> FileFingerprint:
    return PRINT


def _view(*entries: BaseEntry, links: dict[str, set[int]] | None = None) -> ServerView:
    tree = {c.id or 0: c for c in (SCOPE, WEEK, OTHER)}
    found = {e.id or "": e for e in entries}
    linked = {k: frozenset(v) for k, v in (links or {}).items()}
    return ServerView(SCOPE, tree, found, linked)


def _entry(entry_id: str, ref: str, **fields: object) -> BaseEntry:
    values = {"status": EntryStatus.READY, "name": "n", "created_at": 1, "version": 1}
    return BaseEntry(id=entry_id, reference_id=ref, **(values | fields))  # type: ignore[arg-type]


def _source(*items: SyncItem, managed: tuple[str, ...] = ()) -> Source:
    return Source(items, managed, "test")


def _item(relative: str, ref: str | None = None, **fields: object) -> SyncItem:
    return SyncItem(path=Path("/src") / relative, relative=relative, reference_id=ref, **fields)  # type: ignore[arg-type]


def test_derived_keys_depend_on_the_category_and_the_path_only() -> None:
    assert derived_key(10, "a/b.mp4") == derived_key(10, "a/b.mp4")
    assert derived_key(10, "a/b.mp4") != derived_key(11, "a/b.mp4")
    assert derived_key(10, "a/b.mp4") != derived_key(10, "a/c.mp4")
    assert derived_key(10, "x").startswith("sync-") and not derived_key(10, "x").startswith("kmm-")


def test_each_action_from_one_comparison() -> None:
    record = SyncRecord.of(
        "r-edited", "0_b", FileFingerprint(size=9, mtime_ns=1, sample_sha256="b" * 64)
    )
    plan = build_plan(
        _source(
            _item("new.mp4", "r-new"),
            _item("same.mp4", "r-same", fields={"name": "n", "tags": "Bio, LAB"}),
            _item("edited.mp4", "r-edited", fields={"name": "n", "tags": ""}),
            _item("moved.mp4", "r-moved", fields={"name": "Moved"}, categories=("Courses>Week 1",)),
            managed=("name", "tags"),
        ),
        _view(
            _entry("0_a", "r-same", tags="bio, lab"),
            _entry("0_b", "r-edited"),
            _entry("0_c", "r-moved", name="n"),
            _entry("0_x", "not-mine"),
            links={"0_a": {10}, "0_b": {10}, "0_c": {10, 12}, "0_x": {12}},
        ),
        {"r-edited": record},
        _prints,
        scope_name="Courses",
    )
    by_ref = {i.reference_id: i for i in plan.items}
    assert by_ref["r-new"].actions == ("add",)
    assert by_ref["r-same"].actions == ("keep",)  # tags compare as the server keeps them
    assert by_ref["r-same"].note and "not compared" in by_ref["r-same"].note
    assert by_ref["r-edited"].actions == ("replace",)
    moved = by_ref["r-moved"]
    assert moved.actions == ("update", "attach", "detach")
    assert dict(moved.after) == {"name": "Moved"}
    assert [p.full_name for p in moved.attach] == ["Courses>Week 1"]
    assert [p.full_name for p in moved.detach] == ["Courses", "Courses>Other"]
    assert by_ref["not-mine"].actions == ("extra",)
    assert (
        plan.summary()
        == "3 changes: 1 add, 1 replace, 1 update, 1 attach, 1 detach, 1 keep, 1 extra"
    )


def test_prune_and_duplicates() -> None:
    source = _source(_item("a.mp4", "r-a"))
    view = _view(
        _entry("0_new", "r-a", created_at=5),
        _entry("0_old", "r-a", created_at=2),
        links={"0_new": {10}, "0_old": {10}},
    )
    plan = build_plan(source, view, {}, _prints, scope_name="Courses", prune="delete")
    first, extra = plan.items
    assert first.entry_id == "0_old" and "duplicates with the same referenceId: 0_new" in (
        first.note or ""
    )
    assert (extra.entry_id, extra.actions) == ("0_new", ("extra", "delete"))


def test_entries_without_content_are_given_it_and_half_made_ones_continued() -> None:
    source = _source(_item("a.mp4", "r-a"), _item("b.mp4", "r-b"))
    view = _view(
        _entry("0_a", "r-a", status=EntryStatus.NO_CONTENT),
        _entry("0_b", "r-b", status=EntryStatus.IMPORT),
        links={"0_a": {10}, "0_b": {10}},
    )
    plan = build_plan(source, view, {}, _prints, scope_name="Courses")
    assert [(i.entry_id, i.actions) for i in plan.items] == [
        ("0_a", ("replace",)),
        ("0_b", ("add",)),
    ]


def test_categories_outside_or_missing_are_refused_before_anything() -> None:
    outside = _source(_item("a.mp4", categories=("Elsewhere>X",)))
    with pytest.raises(ConfigError, match="outside 'Courses'"):
        build_plan(outside, _view(), {}, _prints, scope_name="Courses")
    unknown_id = _source(_item("a.mp4", categories=("99",)))
    with pytest.raises(ConfigError, match="category 99 is not Courses or below"):
        build_plan(unknown_id, _view(), {}, _prints, scope_name="Courses")
    missing = _source(_item("a.mp4", categories=("Courses>New",)))
    with pytest.raises(ConfigError, match="--create-categories"):
        build_plan(missing, _view(), {}, _prints, scope_name="Courses")
    plan = build_plan(missing, _view(), {}, _prints, scope_name="Courses", create_categories=True)
    assert plan.create == ("Courses>New",)
    twice = _source(_item("a.mp4", "same"), _item("b.mp4", "same"))
    with pytest.raises(ConfigError, match="are the same entry"):
        build_plan(twice, _view(), {}, _prints, scope_name="Courses")


def test_a_scope_yet_to_be_made_plans_adds_with_keys_to_derive() -> None:
    plan = build_plan(
        _source(_item("a.mp4")),
        ServerView(None),
        {},
        _prints,
        scope_name="CI>Smoke",
        create_categories=True,
    )
    (item,) = plan.items
    assert (item.actions, item.reference_id, plan.create) == (("add",), None, ("CI>Smoke",))


def test_a_plan_survives_its_file(tmp_path: Path) -> None:
    plan = build_plan(
        _source(_item("a.mp4", "r-a", categories=("Courses>Week 1",))),
        _view(_entry("0_a", "r-a"), links={"0_a": {10}}),
        {},
        _prints,
        scope_name="Courses",
        prune="detach",
    )
    again, target = loads(dumps(plan, {"service": "https://x", "partner_id": 5}))
    assert again == plan and target == {"service": "https://x", "partner_id": 5}
    with pytest.raises(ConfigError, match="not a plan kaltura-mm saved"):
        loads(json.dumps({"format": "something else"}))
    with pytest.raises(ConfigError, match="cannot read the plan"):
        loads("{not json")


def test_manifests_csv_and_json_lines(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").write_bytes(b"x" * 10)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.mp4").write_bytes(b"y" * 10)
    csv = tmp_path / "m.csv"
    csv.write_text(
        'path,name,tags,category\na.mp4,A,"x, y","Courses>W1, Courses>W2"\nsub/b.mp4,,,\n'
    )
    source = read_source(csv)
    a, b = source.items
    assert source.managed == ("name", "tags")
    assert (a.relative, a.fields, a.categories) == (
        "a.mp4",
        {"name": "A", "tags": "x, y"},
        ("Courses>W1", "Courses>W2"),
    )
    assert (b.relative, b.fields, b.categories) == ("sub/b.mp4", {"name": "", "tags": ""}, None)
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text(json.dumps({"path": "a.mp4", "tags": ["x", "y"], "referenceId": "r1"}) + "\n")
    (one,) = read_source(jsonl).items
    assert (one.reference_id, one.fields) == ("r1", {"tags": "x,y"})
    bad = tmp_path / "bad.csv"
    bad.write_text("path,colour\na.mp4,red\n")
    with pytest.raises(ConfigError, match="unknown columns colour"):
        read_source(bad)
    gone = tmp_path / "gone.csv"
    gone.write_text("path\nnope.mp4\n")
    with pytest.raises(ConfigError, match=r"line 2: .*nope.mp4 is not a file"):
        read_source(gone)


def test_a_folder_skips_what_cannot_be_an_entry(tmp_path: Path) -> None:
    (tmp_path / "a.mp4").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden.mp4").write_bytes(b"x")
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "b.MOV").write_bytes(b"x")
    source = read_source(tmp_path, exclude=("w/*",))
    assert [i.relative for i in source.items] == ["a.mp4"]
    assert [p.name for p, _ in source.skipped] == ["notes.txt"]


def test_an_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    path.write_bytes(b"x" * 100)
    real = fingerprint(path)
    record = SyncRecord.of("r", "0_a", real)
    pretend = SyncRecord.of(
        "r", "0_a", FileFingerprint(size=100, mtime_ns=real.mtime_ns, sample_sha256="z")
    )
    assert fingerprint(path, pretend).sample_sha256 == "z"  # size and mtime match: trusted
    assert fingerprint(path, record).content_sha256 == real.content_sha256  # the record's
    assert record.sample_sha256 == "all:" + str(real.content_sha256)  # every byte, not a sample
    path.write_bytes(b"y" * 100)
    assert fingerprint(path, pretend).sample_sha256 != "z"


def test_a_record_of_an_earlier_kaltura_mm_is_compared_by_its_sample(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    path.write_bytes(b"x" * 100)
    now = fingerprint(path)
    earlier = SyncRecord(  # written before records kept every byte: the sample only
        reference_id="r", entry_id="0_a", size=100, mtime_ns=1, sample_sha256=now.sample_sha256
    )
    assert earlier.holds(now)  # touched, same content: no replacement after an upgrade
    path.write_bytes(b"y" * 100)
    assert not earlier.holds(fingerprint(path))


def test_a_manifest_reference_id_is_kept_before_its_category_exists() -> None:
    plan = build_plan(
        _source(_item("a.mp4", "BIO-1"), _item("b.mp4")),
        ServerView(None),
        {},
        _prints,
        scope_name="Courses",
        create_categories=True,
    )
    assert [i.reference_id for i in plan.items] == ["BIO-1", None]  # the derived one: at apply


CONTENT = FileFingerprint(size=5, mtime_ns=1, sample_sha256="", content_sha256="c" * 64)


def _content(item: SyncItem, record: SyncRecord | None) -> FileFingerprint:
    return CONTENT


def test_an_entry_recorded_with_the_files_content_is_taken_over_once() -> None:
    old = _entry("0_old", derived_key(10, "old/a.mp4"))
    mine = _entry("0_mine", "ref-b")
    records = {
        r.reference_id: r
        for r in (
            SyncRecord.of(old.reference_id or "", "0_old", CONTENT, "old/a.mp4"),
            SyncRecord.of("ref-b", "0_mine", CONTENT, "b.mp4"),  # claimed by its own item
        )
    }
    view = _view(old, mine, links={"0_old": {10}, "0_mine": {10}})
    source = _source(_item("a.mp4", "ref-a"), _item("b.mp4", "ref-b"), _item("copy.mp4", "ref-c"))
    plan = build_plan(source, view, records, _content, scope_name="Courses")
    by_ref = {i.reference_id: i for i in plan.items}
    assert (by_ref["ref-a"].entry_id, by_ref["ref-a"].actions) == ("0_old", ("update",))
    assert by_ref["ref-a"].after["reference_id"] == "ref-a"
    assert "earlier sync" in (by_ref["ref-a"].note or "")
    assert (by_ref["ref-b"].entry_id, by_ref["ref-b"].actions) == ("0_mine", ("keep",))
    assert by_ref["ref-c"].actions == ("add",)  # the same content twice: one entry each
    stale = {**records, "ref-a": SyncRecord.of("ref-a", "0_old", CONTENT)}  # under another name
    del stale[old.reference_id or ""]
    again = build_plan(source, view, stale, _content, scope_name="Courses")
    assert [i.actions for i in again.items if i.reference_id == "ref-a"] == [("add",)]
