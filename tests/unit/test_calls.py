"""Calls, result references and the multiRequest guards."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.errors import DependencyError, EntryNotFoundError
from kaltura_mm.models import (
    BaseEntry,
    BaseEntryParams,
    MediaEntryParams,
    UploadedFileTokenResource,
)
from kaltura_mm.protocol.calls import FilePart, MultiRequest
from kaltura_mm.protocol.remainder import rest_of, substituted
from kaltura_mm.services import base_entry, category_entry, upload_token


def test_refs_are_one_based_with_nested_paths() -> None:
    batch = MultiRequest()
    listed = batch.add(base_entry.list())
    added = batch.add(base_entry.add(BaseEntryParams(name="x")))
    assert listed == "{1:result}"
    assert listed.objects[0].id == "{1:result:objects:0:id}"
    assert listed.total_count == "{1:result:totalCount}"
    assert added.at("count") == "{2:result:count}"
    assert (added.index, listed.objects[0].id.path) == (2, ("objects", "0", "id"))


def test_widget_upload_batch_records_dependencies() -> None:
    batch = MultiRequest()
    entry = batch.add(base_entry.add(MediaEntryParams(name="clip")))
    token = batch.add(upload_token.add(file_name="clip.mp4"))
    batch.add(base_entry.add_content(entry.id, UploadedFileTokenResource(token=token.id)))
    batch.add(category_entry.add(entry.id, 42))
    assert batch.dependencies(3) == {1, 2}
    assert batch.dependencies(4) == {1}
    assert not batch.idempotent
    assert batch.label.startswith("multirequest(baseEntry.add, uploadToken.add")


def test_a_ref_cannot_be_part_of_a_longer_string() -> None:
    batch = MultiRequest()
    ref = batch.add(base_entry.get("0_a"))
    with pytest.raises(TypeError, match="whole"):
        f"prefix {ref}"
    with pytest.raises(TypeError, match="whole"):
        ref + "x"
    with pytest.raises(TypeError, match="whole"):
        "x" + ref


def test_strings_embedding_a_reference_are_refused_at_add() -> None:
    batch = MultiRequest()
    one = batch.add(base_entry.get("0_a"))
    two = batch.add(base_entry.get("0_b"))
    joined = ",".join([one.id, two.id])  # two refs in one value: the server would garble it
    with pytest.raises(ValueError, match="only one reference per value"):
        batch.add(base_entry.update("0_c", BaseEntryParams(description=joined)))


def test_refs_from_another_batch_are_refused() -> None:
    first, second = MultiRequest(), MultiRequest()
    ref = first.add(base_entry.get("0_a"))
    with pytest.raises(ValueError, match="MultiRequest that returned it"):
        second.add(base_entry.get(ref.id))


def test_item_depending_on_a_failed_item_is_failed_because_of_it() -> None:
    batch = MultiRequest()
    entry = batch.add(base_entry.get("0_missing"))
    linked = batch.add(category_entry.add(entry.id, 42))
    unrelated = batch.add(base_entry.get("0_ok"))
    missing = EntryNotFoundError("ENTRY_ID_NOT_FOUND", "not found", {}, "baseEntry.get")
    response = batch.resolve([missing, "server said ok with an empty id", BaseEntry(id="0_ok")])
    failed = response.outcome(linked)
    assert isinstance(failed, DependencyError)
    assert (failed.index, failed.dependency, failed.cause) == (2, 1, missing)
    assert failed.server_outcome == "server said ok with an empty id"
    assert response[unrelated] == BaseEntry(id="0_ok")


def test_multiresponse_lookup_needs_the_whole_ref() -> None:
    batch = MultiRequest()
    ref = batch.add(base_entry.get("0_a"))
    response = batch.resolve([BaseEntry(id="0_a")])
    with pytest.raises(ValueError, match=r"Ref returned by MultiRequest\.add"):
        response[ref.id]


def test_file_part_checks_offsets(tmp_path: Path) -> None:
    assert FilePart(path=tmp_path / "a.mp4").name == "a.mp4"
    assert FilePart(path=tmp_path / "a.mp4", filename="b.mp4").name == "b.mp4"
    with pytest.raises(ValueError, match="offset"):
        FilePart(path=tmp_path / "a", offset=-1)


def test_the_rest_of_a_batch_holds_what_the_server_would_have_substituted() -> None:
    batch = MultiRequest()
    page = batch.add(base_entry.list())
    first = batch.add(base_entry.get(page.objects[0].id))
    batch.add(category_entry.add(first.id, 7))
    listed = {"objects": [{"id": "0_a"}, {"id": "0_b"}], "totalCount": 2}
    rest = rest_of(batch, 2, [listed])
    assert [c.label for c in rest.calls] == ["baseEntry.get", "categoryEntry.add"]
    assert rest.calls[0].params["entryId"] == "0_a"  # from the item that ran
    link = rest.calls[1].params["categoryEntry"]
    assert link.entry_id == "{1:result:id}" and rest.dependencies(2) == {1}  # renumbered
    assert batch.calls[1].params["entryId"] == "{1:result:objects:0:id}"  # the batch is intact


@pytest.mark.parametrize(
    ("result", "path", "text"),
    [
        ({"objects": [{"id": "0_a"}, {"id": "0_b"}]}, ("objects", "_all", "id"), "0_a,0_b,"),
        ({"objects": [{"id": "0_a"}]}, ("objects", "5", "id"), ""),
        ({"totalCount": 0}, ("totalCount",), "0"),
        ({"flag": True, "off": False}, ("flag",), "1"),
        ({"flag": True, "off": False}, ("off",), ""),
        ({"nested": {"a": 1}}, ("nested",), ""),
        ({"objectType": "KalturaAPIException", "code": "X"}, ("code",), ""),
        ("0_a", (), "0_a"),
    ],
)
def test_a_reference_is_substituted_as_the_server_does(
    result: Any, path: tuple[str, ...], text: str
) -> None:
    assert substituted(result, path) == text


def test_a_ref_may_sit_once_inside_a_longer_value_with_no_brace_around() -> None:
    batch = MultiRequest()
    entry = batch.add(base_entry.add(MediaEntryParams(name="a")))
    name = entry.id.within("talk.kmm0a1b.", ".mp4")
    assert name == "talk.kmm0a1b.{1:result:id}.mp4"
    batch.add(upload_token.add(name, 10))
    assert batch.dependencies(2) == {1}
    with pytest.raises(ValueError, match="no brace"):
        entry.id.within("talk}", ".mp4")
    with pytest.raises(ValueError, match="no brace"):
        entry.id.within("a", "").within("b", "")


def test_a_batch_label_counts_runs_of_the_same_call() -> None:
    # A 100-item batch's retry warning named every item: one 3 KB line per retry.
    batch = MultiRequest()
    batch.add(base_entry.get("0_a"))
    for n in range(100):
        batch.add(category_entry.delete(f"0_{n}", 42))
    assert batch.label == "multirequest(baseEntry.get, 100 x categoryEntry.delete)"
