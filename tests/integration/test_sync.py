"""The sync's plan and apply against the realistic sandbox: each action, re-runs, drift, resume."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kaltura_mm import ConfigError
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sync import ApplyHooks, ItemOutcome, Resume, StalePlanError, read_source
from kaltura_mm.sync.planfile import dumps, loads
from kaltura_mm.upload.request import UploadState
from tests.integration.sync_support import Syncer, linked, live, media, writes


@pytest.fixture
def syncer(kaltura_sandbox: Sandbox) -> Iterator[Syncer]:
    kaltura_sandbox.create_category("Courses>Bio")
    one = Syncer(kaltura_sandbox, "Courses>Bio")
    yield one
    one.close()


def _actions(plan: object) -> dict[str, tuple[str, ...]]:
    return {i.relative or i.entry_id or "": i.actions for i in plan.items}  # type: ignore[attr-defined]


@pytest.mark.kaltura_sandbox(index_lag=60)
def test_a_folder_synced_twice_plans_nothing_the_second_time(
    syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    for name in ("a.mp4", "b.mp4", "week2/c.mp4"):
        media(tmp_path / "lectures", name)
    source = read_source(tmp_path / "lectures")
    plan = syncer.plan(source)
    assert plan.summary() == "3 changes: 3 add"
    outcomes = syncer.apply(plan)
    assert [o.status for o in outcomes] == ["done"] * 3
    entries = live(kaltura_sandbox)
    assert len(entries) == 3
    assert all(linked(kaltura_sandbox, e) == {"Courses>Bio"} for e in entries)
    assert sorted(e["name"] for e in entries.values()) == ["a", "b", "c"]
    # The index shows none of it for a minute: the records' entry ids are read exactly.
    before = writes(kaltura_sandbox)
    again = syncer.plan(source)
    assert again.summary() == "0 changes: 3 keep"
    assert syncer.apply(again) == []
    assert writes(kaltura_sandbox) == before
    assert len(live(kaltura_sandbox)) == 3


def test_each_action(syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path) -> None:
    kaltura_sandbox.create_category("Courses>Bio>Week 1")
    folder = tmp_path / "course"
    media(folder, "intro.mp4")
    media(folder, "lab.mp4")
    media(folder, "old.mp4")
    manifest = folder / "course.csv"
    manifest.write_text(
        "path,name,tags,category,referenceId\n"
        "intro.mp4,Intro,Bio,,bio-intro\n"
        "lab.mp4,Lab,,,bio-lab\n"
        "old.mp4,Old,,,bio-old\n"
    )
    syncer.apply(syncer.plan(read_source(manifest)))
    kaltura_sandbox.index.settle()
    ids = {e["reference_id"]: eid for eid, e in live(kaltura_sandbox).items()}
    media(folder, "intro.mp4", 5_000)  # new content
    media(folder, "new.mp4")
    manifest.write_text(
        "path,name,tags,category,referenceId\n"
        'intro.mp4,Intro,"BIO, genetics",,bio-intro\n'  # content and tags change
        "lab.mp4,Lab,,Courses>Bio>Week 1,bio-lab\n"  # moves into a sub-category
        "new.mp4,New,,,bio-new\n"
    )
    plan = syncer.plan(read_source(manifest))
    by_key = {i.reference_id: i for i in plan.items}
    assert by_key["bio-intro"].actions == ("replace", "update")
    assert dict(by_key["bio-intro"].after) == {"tags": "BIO,genetics"}
    assert by_key["bio-lab"].actions == ("attach", "detach")
    assert by_key["bio-new"].actions == ("add",)
    assert by_key["bio-old"].actions == ("extra",)  # kept without --prune
    assert by_key["bio-intro"].entry_id == ids["bio-intro"]
    outcomes = {o.item.reference_id: o for o in syncer.apply(plan)}
    assert {k: o.status for k, o in outcomes.items()} == {
        "bio-intro": "done",
        "bio-lab": "done",
        "bio-new": "done",
    }
    entries = live(kaltura_sandbox)
    assert ids["bio-intro"] in entries and entries[ids["bio-intro"]]["tags"] == "bio, genetics"
    assert linked(kaltura_sandbox, ids["bio-lab"]) == {"Courses>Bio>Week 1"}
    assert linked(kaltura_sandbox, ids["bio-old"]) == {"Courses>Bio"}
    kaltura_sandbox.clock.advance(5)  # the replacement converts and is swapped in
    kaltura_sandbox.core.promote_ready()
    assert (
        kaltura_sandbox.entry_bytes(ids["bio-intro"]).read_bytes()
        == (folder / "intro.mp4").read_bytes()
    )
    pruned = syncer.plan(read_source(manifest), prune="detach")
    assert [i.actions for i in pruned.items if i.changes] == [("extra", "detach")]
    syncer.apply(pruned)
    assert linked(kaltura_sandbox, ids["bio-old"]) == set()
    assert ids["bio-old"] in live(kaltura_sandbox)  # detached, not deleted


def test_prune_delete_and_a_new_category(
    syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Courses>Bio")
    (stray,) = kaltura_sandbox.seed_entries(category, 1)
    media(tmp_path, "a.mp4")
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"path": "a.mp4", "categories": ["Courses>Bio>New"]}) + "\n")
    with pytest.raises(ConfigError, match="--create-categories"):
        syncer.plan(read_source(manifest))
    plan = syncer.plan(read_source(manifest), prune="delete", create_categories=True)
    assert plan.create == ("Courses>Bio>New",)
    assert [i.actions for i in plan.items] == [("add",), ("extra", "delete")]
    syncer.apply(plan)
    entries = live(kaltura_sandbox)
    assert stray not in entries and len(entries) == 1
    assert linked(kaltura_sandbox, next(iter(entries))) == {"Courses>Bio>New"}


def test_a_category_outside_the_sync_is_refused(syncer: Syncer, tmp_path: Path) -> None:
    media(tmp_path, "a.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,category\na.mp4,Courses>Chem\n")
    with pytest.raises(ConfigError, match="outside 'Courses>Bio'"):
        syncer.plan(read_source(manifest))


def test_a_saved_plan_that_drifted_is_refused(
    syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    media(tmp_path, "a.mp4")
    media(tmp_path, "b.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,name\na.mp4,A\nb.mp4,B\n")
    syncer.apply(syncer.plan(read_source(manifest)))
    manifest.write_text("path,name\na.mp4,A2\nb.mp4,B2\n")
    saved, target = loads(dumps(syncer.plan(read_source(manifest)), {"partner_id": 1}))
    assert target == {"partner_id": 1}
    entry = next(i.entry_id for i in saved.items if i.relative == "a.mp4")
    syncer.client.update([_edit(entry, "Renamed by hand")])
    with pytest.raises(StalePlanError) as stale:
        syncer.apply(saved, check=True)
    assert f"entry {entry}: name is now 'Renamed by hand' (the plan saw 'A')" in str(stale.value)
    assert sorted(e["name"] for e in live(kaltura_sandbox).values()) == ["B", "Renamed by hand"]


def test_an_interrupted_apply_resumes_without_duplicates(
    syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    for i in range(4):
        media(tmp_path / "src", f"clip{i}.mp4", 250_000)  # three chunks each
    source = read_source(tmp_path / "src")
    plan = dumps(syncer.plan(source))  # saved, applied twice
    stop = threading.Event()
    uploads: dict[str, UploadState] = {}
    heard: list[ItemOutcome] = []

    def saved(state: UploadState) -> None:
        uploads[state.reference_id] = state
        if state.bytes_confirmed:
            stop.set()  # stop as soon as a part of something is in

    hooks = ApplyHooks(on_upload_state=saved, on_outcome=heard.append, cancel=stop)
    first = syncer.apply(loads(plan)[0], hooks=hooks, files_in_flight=1)
    assert {o.status for o in first} <= {"done", "cancelled", "failed"}
    assert any(o.status != "done" for o in first)
    kept = {k: s for k, s in uploads.items() if not s.complete}
    resumed = syncer.apply(
        loads(plan)[0], check=True, resume=Resume(uploads=kept), hooks=ApplyHooks()
    )
    assert all(o.ok for o in resumed)
    entries = live(kaltura_sandbox)
    assert len(entries) == 4  # one entry per file, none twice
    assert sorted(e["name"] for e in entries.values()) == [f"clip{i}" for i in range(4)]
    assert syncer.plan(source).changes == 0


def _edit(entry_id: str | None, name: str) -> object:
    from kaltura_mm.flows.edits import EntryEdit

    return EntryEdit(entry_id=entry_id or "", name=name)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_plan_and_apply_under_both_clients(
    mode: str, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    from tests.integration.clients import under

    kaltura_sandbox.create_category("Courses>Bio")
    media(tmp_path / "src", "a.mp4")
    source = read_source(tmp_path / "src")
    both = under(mode, kaltura_sandbox)
    plan = both(lambda c: c.sync.plan(source, "Courses>Bio"))
    assert plan.summary() == "1 change: 1 add"
    (outcome,) = both(lambda c: c.sync.apply(plan, check=True))
    assert outcome.status == "done" and outcome.entry_id in live(kaltura_sandbox)


def test_reads_the_rate_limiter_blocks_are_sent_again(
    syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    category = kaltura_sandbox.create_category("Courses>Bio")
    kaltura_sandbox.seed_entries(category, 1_200)  # three link reads of 500 entries
    kaltura_sandbox.faults.throttle("categoryentry", "list", limit=2, window=1)
    media(tmp_path / "src", "a.mp4")
    plan = syncer.plan(read_source(tmp_path / "src"))
    assert plan.summary() == "1 change: 1 add, 1200 extra"
    assert kaltura_sandbox.stats.blocked[("categoryentry", "list")] >= 1


def test_a_file_edited_in_the_middle_keeping_its_size_is_replaced(
    syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    folder = tmp_path / "lectures"
    talk = media(folder, "talk.mp4", 2_500_000)  # more than its first and last MiB
    syncer.apply(syncer.plan(read_source(folder)))
    kaltura_sandbox.index.settle()
    (entry_id,) = live(kaltura_sandbox)
    data = bytearray(talk.read_bytes())
    data[1_250_000] ^= 0xFF  # one byte in the middle: same size, same first and last MiB
    talk.write_bytes(bytes(data))
    plan = syncer.plan(read_source(folder))
    assert _actions(plan) == {"talk.mp4": ("replace",)}
    syncer.apply(plan)
    kaltura_sandbox.clock.advance(5)  # the replacement converts and is swapped in
    kaltura_sandbox.core.promote_ready()
    assert kaltura_sandbox.entry_bytes(entry_id).read_bytes() == bytes(data)
    assert syncer.plan(read_source(folder)).summary() == "0 changes: 1 keep"


def test_an_add_whose_half_made_entry_was_removed_updates_only_the_new_entry(
    syncer: Syncer, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    """The plan saw a half-made entry ('continues its half-made entry'); before the apply the
    re-run removed it (its file changed): the file goes to a new entry, and the referenceId
    stamp owed after the add is sent to that new entry, not to the one removed."""
    import attrs

    from kaltura_mm import BaseEntryParams

    media(tmp_path / "src", "talk.mp4", 250_000)
    plan = syncer.plan(read_source(tmp_path / "src"))
    half = syncer.client.base_entry.add(BaseEntryParams(name="talk"))
    syncer.client.base_entry.delete(half.id)
    (item,) = plan.items
    seen_half = attrs.evolve(item, entry_id=half.id, note="continues its half-made entry")
    (outcome,) = syncer.apply(attrs.evolve(plan, items=(seen_half,)))
    assert outcome.status == "done", outcome.error
    (entry,) = live(kaltura_sandbox).values()
    assert outcome.entry_id == entry["id"] != half.id
    assert str(entry["reference_id"]).startswith(str(item.reference_id) + ".")  # stamped
