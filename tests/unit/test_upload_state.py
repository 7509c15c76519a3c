"""UploadState JSON round trip, referenceId derivation and the on-disk store."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from kaltura_mm.models import MediaType
from kaltura_mm.store import StoreError, UploadStateStore
from kaltura_mm.upload.request import (
    FileFingerprint,
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
    token_names,
)

PRINT = FileFingerprint(
    size=5_000_000, mtime_ns=123, sample_sha256="ab" * 32, content_sha256="0f" * 32
)


def _state(**changes: object) -> UploadState:
    request = UploadRequest(
        path=Path("/data/lecture.mp4"),
        category_ids=(7, 9),
        tags="a, b",
        entry_type=MediaType.VIDEO,
    )
    values: dict[str, object] = {
        "request": request,
        "fingerprint": PRINT,
        "reference_id": reference_id_for(request, PRINT),
        "chunk_size": 1_000_000,
        "edge_size": 100_000,
    }
    values.update(changes)
    return UploadState(**values)  # type: ignore[arg-type]


def test_state_round_trips_through_json() -> None:
    state = _state(entry_id="0_abcdefgh", token_id="0_" + "f" * 32)
    book = state.book()
    book = book.start(book.head).ack(book.head)
    state = state.with_book(book)
    again = UploadState.from_json(state.to_json())
    assert again == state
    assert again.bytes_confirmed == 100_000
    assert again.request.tags == ("a", "b") and again.request.entry_type is MediaType.VIDEO


def test_reference_id_is_deterministic_and_depends_on_target() -> None:
    request = UploadRequest(path="/x/a.mp4", category_ids=[3, 1])
    same = UploadRequest(path="/elsewhere/a.mp4", category_ids=[1, 3], name="other")
    other_target = UploadRequest(path="/x/a.mp4", category_ids=[2])
    assert reference_id_for(request, PRINT) == reference_id_for(same, PRINT)
    assert reference_id_for(request, PRINT) != reference_id_for(other_target, PRINT)
    assert reference_id_for(request, PRINT).startswith("kmm-")
    assert reference_id_for(UploadRequest(path="a.mp4", reference_id="mine"), PRINT) == "mine"


def test_request_refuses_bad_category_ids_and_defaults_name() -> None:
    with pytest.raises(ValueError, match="positive integers"):
        UploadRequest(path="a.mp4", category_ids=[0])
    assert UploadRequest(path="/x/My Talk.mp4").entry_name == "My Talk"


def test_options_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        UploadOptions(concurrency=0)
    with pytest.raises(ValueError, match="chunk_size"):
        UploadOptions(chunk_size=10)


def test_damaged_json_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not an upload state"):
        UploadState.from_json("{}")


def test_store_saves_loads_and_lists_pending(tmp_path: Path) -> None:
    store = UploadStateStore(tmp_path / "states")
    state = _state()
    assert store.load(state.reference_id) is None
    store.save(state)
    store.save(state)  # replaces, never appends
    assert store.load(state.reference_id) == state
    assert store.pending() == [state]
    assert (tmp_path / "states" / "state.db").is_file()
    done = _state(reference_id="done", complete=True)
    store.save(done)
    assert store.pending() == [state]
    store.discard(state.reference_id)
    assert store.load(state.reference_id) is None


def test_store_reports_a_damaged_state(tmp_path: Path) -> None:
    store = UploadStateStore(tmp_path)
    store.save(_state(reference_id="x"))
    store.db.write("UPDATE uploads SET state = 'garbage' WHERE reference_id = 'x'")
    with pytest.raises(StoreError, match="damaged") as caught:
        store.load("x")
    assert "uploads abort" in caught.value.fix


def test_two_files_differing_only_in_the_middle_never_share_an_identity() -> None:
    # Same name, size, mtime and first and last MiB, in two folders: different content.
    first = UploadRequest(path="/a/lecture.mp4")
    second = UploadRequest(path="/b/lecture.mp4")
    other = attrs.evolve(PRINT, content_sha256="1e" * 32)
    assert reference_id_for(first, PRINT) != reference_id_for(second, other)
    assert token_names(first, PRINT, "x").marker != token_names(second, other, "x").marker


def test_the_identity_ignores_the_mtime_and_the_folder_but_not_the_owner() -> None:
    request = UploadRequest(path="/a/lecture.mp4")
    touched = attrs.evolve(PRINT, mtime_ns=999)
    assert reference_id_for(request, PRINT) == reference_id_for(request, touched)
    moved = UploadRequest(path="/b/lecture.mp4")
    assert reference_id_for(request, PRINT) == reference_id_for(moved, PRINT)
    bob = UploadRequest(path="/a/lecture.mp4", owner_user_id="bob")
    assert reference_id_for(request, PRINT) != reference_id_for(bob, PRINT)


def test_an_identity_needs_the_content_read() -> None:
    with pytest.raises(ValueError, match="content was not read"):
        reference_id_for(UploadRequest(path="/a/x.mp4"), attrs.evolve(PRINT, content_sha256=None))


def test_receipt_names_carry_their_entry_and_nothing_else_passes_for_one() -> None:
    names = token_names(UploadRequest(path="/a/Talk {1}.mp4"), PRINT, "kmm-x")
    assert "{" not in names.marker and names.marker.endswith(".mp4")
    assert names.entry_of(names.receipt("0_abc123")) == "0_abc123"
    assert names.entry_of(names.marker) is None
    assert names.entry_of(names.receipt("")) is None
    assert names.entry_of("Talk _1_.mp4") is None


def test_a_state_saved_without_a_content_hash_or_marker_still_loads() -> None:
    state = _state(entry_id="0_abcdefgh", token_id="0_" + "f" * 32, marker_id="0_" + "e" * 32)
    assert UploadState.from_json(state.to_json()) == state
    data = json.loads(state.to_json())
    del data["fingerprint"]["content_sha256"], data["marker_id"]
    old = UploadState.from_json(json.dumps(data))
    assert old.fingerprint.content_sha256 is None and old.marker_id is None
