"""Per-class decoders: built once, then a whole page decodes without re-reading type hints."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from kaltura_mm import models as m
from kaltura_mm.models import (
    BaseEntry,
    CategoryEntry,
    EntryStatus,
    EntryType,
    MediaEntry,
    MediaType,
    ModerationStatus,
)
from kaltura_mm.protocol import codec


def _served_entry(n: int) -> dict[str, Any]:
    """Return a media entry shaped like the sandbox's (and the SaaS server's) list items."""
    return {
        "mediaType": 1,
        "sourceType": "1",
        "flavorParamsIds": "",
        "plays": 0,
        "duration": 60,
        "msDuration": 60000,
        "id": f"0_{n:08d}",
        "name": f"entry {n}",
        "partnerId": 100,
        "userId": "",
        "categoriesIds": "2",
        "status": 2,
        "moderationStatus": 6,
        "type": 1,
        "createdAt": 1795703539 + n,
        "rank": 0,
        "licenseType": -1,
        "operationAttributes": [],
        "displayInSearch": "1",
        "blockAutoTranscript": False,
        "isTrimDisabled": 0,
        "objectType": "KalturaMediaEntry",
    }


def _page(count: int) -> dict[str, Any]:
    return {
        "objects": [_served_entry(n) for n in range(count)],
        "totalCount": str(count),
        "objectType": "KalturaBaseEntryListResponse",
    }


def test_a_served_entry_decodes_every_field_to_its_type() -> None:
    entry = codec.decode(_served_entry(7), BaseEntry)
    assert type(entry) is MediaEntry
    assert entry.media_type is MediaType.VIDEO and entry.source_type == "1"
    assert entry.status is EntryStatus.READY and entry.type is EntryType.MEDIA_CLIP
    assert entry.moderation_status is ModerationStatus.AUTO_APPROVED
    assert entry.rank == 0.0 and type(entry.rank) is float
    assert entry.display_in_search == 1 and entry.license_type == -1
    assert entry.block_auto_transcript is False and entry.is_trim_disabled is False
    assert entry.created_at == 1795703546 and entry.user_id == ""
    assert dict(entry.extra) == {"operationAttributes": []}


def test_the_decoder_of_a_class_is_built_once() -> None:
    assert codec.object_decoder(MediaEntry) is codec.object_decoder(MediaEntry)
    assert codec.object_decoder(MediaEntry) is not codec.object_decoder(BaseEntry)


def test_a_page_decodes_without_resolving_type_hints_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codec.decode(_page(1))  # the first page of a class builds its table

    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("type hints resolved while decoding a page")

    monkeypatch.setattr(typing, "get_type_hints", forbidden)
    monkeypatch.setattr(typing, "get_origin", forbidden)
    monkeypatch.setattr(typing, "get_args", forbidden)
    decode_entry = codec.decoder_for(BaseEntry)
    listing = codec.list_decoder(BaseEntry)(_page(500))
    assert listing.total_count == 500 and len(listing.objects) == 500
    assert [e.id for e in listing.objects[:2]] == ["0_00000000", "0_00000001"]
    assert all(e.status is EntryStatus.READY for e in listing.objects)
    assert decode_entry(_served_entry(3)).name == "entry 3"


def test_values_a_field_cannot_take_stay_in_extra_and_the_rest_decodes() -> None:
    raw = {**_served_entry(1), "status": "broken", "duration": {"x": 1}, "name": None}
    entry = codec.decoder_for(MediaEntry)(raw)
    assert entry.status is None and entry.duration is None and entry.name is None
    assert entry.extra["status"] == "broken" and entry.extra["duration"] == {"x": 1}
    assert entry.media_type is MediaType.VIDEO


def test_a_wire_field_named_extra_is_kept_as_an_unknown_field() -> None:
    membership = codec.decoder_for(CategoryEntry)(
        {"categoryId": "12", "entryId": "0_a", "extra": 5, "objectType": "KalturaCategoryEntry"}
    )
    assert membership.category_id == 12 and membership.extra == {"extra": 5}


def test_a_required_field_missing_is_a_decode_error_naming_the_class() -> None:
    with pytest.raises(codec.DecodeError, match="KalturaUrlResource without url"):
        codec.decode({"objectType": "KalturaUrlResource"})


@pytest.mark.parametrize(
    ("raw", "missing"),
    [
        ({"id": 7, "parentId": 0, "name": "A", "fullIds": "7"}, "KalturaCategory without fullName"),
        ({"categoryId": 7}, "KalturaCategoryEntry without entryId"),
        ({"fileName": "a.mp4"}, "KalturaUploadToken without id"),
        ({"name": "x", "partnerId": 1}, "KalturaMediaEntry without id"),
    ],
)
def test_an_answer_without_a_field_the_server_always_sends_is_malformed(
    raw: dict[str, object], missing: str
) -> None:
    kind = missing.split()[0]
    with pytest.raises(codec.DecodeError, match=f"malformed server answer: {missing}"):
        codec.decode({**raw, "objectType": kind})
    page = {"objects": [{**raw, "objectType": kind}], "objectType": "KalturaListResponse"}
    with pytest.raises(codec.DecodeError, match="malformed server answer"):
        codec.decode(page)


def test_the_shapes_sent_encode_as_their_objects_and_returned_objects_are_params() -> None:
    assert codec.encode_object(m.CategoryParams(name="A", parent_id=3)) == {
        "name": "A",
        "parentId": 3,
        "objectType": "KalturaCategory",
    }
    assert codec.encode_object(m.MediaEntryParams(name="a"))["objectType"] == "KalturaMediaEntry"
    entry = m.MediaEntry(id="0_a", name="a", partner_id=5)
    assert isinstance(entry, m.BaseEntryParams) and isinstance(entry, m.MediaEntryParams)
    assert codec.encode_object(entry) == {"name": "a", "objectType": "KalturaMediaEntry"}


def test_a_required_field_with_a_value_it_cannot_take_is_malformed_too() -> None:
    raw = {"id": {"not": "an id"}, "name": "x", "objectType": "KalturaMediaEntry"}
    with pytest.raises(codec.DecodeError, match="MediaEntry missing required field 'id'"):
        codec.decode(raw)
    token = {"id": ["no"], "objectType": "KalturaUploadToken"}
    with pytest.raises(codec.DecodeError, match="cannot build UploadToken"):
        codec.decode(token)
