"""The decoders written per object shape give exactly what decoding value by value gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from kaltura_mm import models as m
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.codec import object_decoding
from tests.conftest import PAYLOADS
from tests.unit.test_codec_tables import _served_entry

# objects of one shape: the last ones use its written decoder
MANY = object_decoding._WRITE_AFTER + 10
PAYLOAD_FILES = sorted(p.name for p in PAYLOADS.glob("*.json") if p.name != "ks-samples.json")


@pytest.fixture(autouse=True)
def _fresh_decoders() -> Iterator[None]:
    """Each test starts with no shape seen, so that what it decodes is what it counts."""
    codec.object_decoder.cache_clear()
    yield
    codec.object_decoder.cache_clear()


def _state(value: Any) -> Any:
    """Every field of every object in ``value``, with its type and ``extra`` in order."""
    if isinstance(value, list | tuple):
        return [_state(item) for item in value]
    if not attrs.has(type(value)):
        return (value, type(value))
    fields = [(f.name, _state(getattr(value, f.name))) for f in attrs.fields(type(value))]
    extra = list(getattr(value, "extra", {}).items())
    return (type(value), fields, extra, list(vars(value)) if hasattr(value, "__dict__") else None)


def _decode_three_ways(value: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Decode ``value`` value by value, with each shape's layout builder, and with a decoder
    written for each shape at once."""
    decoded = []
    for write_after, builds in ((10**9, False), (10**9, True), (0, True)):
        codec.object_decoder.cache_clear()
        monkeypatch.setattr(object_decoding, "_WRITE_AFTER", write_after)
        if not builds:  # every object falls back to its value-by-value decode
            monkeypatch.setattr(object_decoding, "layout_builder", lambda *_: _refuse)
        decoded.append(_state(codec.decode(value)))
        monkeypatch.undo()
    return decoded


def _refuse(values: object) -> None:
    raise TypeError("decode value by value")


def _page(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"objects": objects, "totalCount": len(objects), "objectType": "KalturaListResponse"}


@pytest.mark.parametrize("name", PAYLOAD_FILES)
def test_every_payload_decodes_the_same_through_written_decoders(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_value, by_layout, written = _decode_three_ways(
        json.loads((PAYLOADS / name).read_text()), monkeypatch
    )
    assert by_layout == by_value and written == by_value


def test_a_served_page_decodes_the_same_through_written_decoders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = [_served_entry(n) for n in range(12)]
    entries += [{**_served_entry(12), "id": 12, "rank": 2.5, "status": "2", "tags": None}]
    entries += [{**_served_entry(13), "mediaType": 201, "categoryNew": {"x": [1]}}]
    entries += [{**_served_entry(14), "mediaType": 777}]  # a value the enum learns
    by_value, by_layout, written_state = _decode_three_ways(_page(entries), monkeypatch)
    assert by_layout == by_value and written_state == by_value
    monkeypatch.setattr(object_decoding, "_WRITE_AFTER", 0)
    written = codec.decode(_page(entries))
    assert written.objects[-1].media_type.name == "UNKNOWN_777"
    last = written.objects[-2]
    assert last.media_type is m.MediaType.LIVE_STREAM_FLASH
    assert list(last.extra) == ["operationAttributes", "categoryNew"]
    assert written.objects[12].id == "12" and written.objects[12].status is m.EntryStatus.READY


def test_a_long_page_of_one_shape_uses_its_written_decoder(monkeypatch: pytest.MonkeyPatch) -> None:
    page = codec.decode_list(_page([_served_entry(n) for n in range(MANY)]), m.MediaEntry)
    entry = page.objects[-1]
    assert type(entry) is m.MediaEntry and entry.id == f"0_{MANY - 1:08d}"
    assert entry.status is m.EntryStatus.READY and type(entry.rank) is float
    assert dict(entry.extra) == {"operationAttributes": []}
    third = attrs.evolve(entry, id="0_00000003", name="entry 3", created_at=1795703542)
    assert _state(page.objects[3]) == _state(third)  # built from the layout, before the writing


def test_a_bad_value_after_the_shape_is_written_stays_in_extra_in_key_order() -> None:
    good = [_served_entry(n) for n in range(MANY)]
    bad = {**_served_entry(999), "plays": "many"}
    page = codec.decode_list(_page([*good, bad, *good]), m.MediaEntry)
    decoded = page.objects[MANY]
    assert decoded.plays is None and decoded.id == "0_00000999"
    assert list(decoded.extra.items()) == [("plays", "many"), ("operationAttributes", [])]
    assert page.objects[MANY + 1].plays == 0 and len(page.objects) == 2 * MANY + 1


def test_objects_with_the_same_keys_in_another_order_decode_by_their_own_order() -> None:
    entries = [{**_served_entry(n), "zzz": n} for n in range(MANY)]
    turned = dict(reversed(list({**_served_entry(50), "zzz": 50}.items())))
    # Two keys of one value type swapped: only the order of the keys tells them apart.
    items = list({**_served_entry(51), "name": "n", "userId": "u", "zzz": 51}.items())
    items[7], items[9] = items[9], items[7]  # name, userId -> userId, name
    swapped = dict(items)
    page = codec.decode_list(_page([*entries, turned, swapped]), m.MediaEntry)
    last = page.objects[-2]
    assert last.id == "0_00000050" and last.media_type is m.MediaType.VIDEO
    assert list(last.extra.items()) == [("zzz", 50), ("operationAttributes", [])]
    assert (page.objects[-1].name, page.objects[-1].user_id) == ("n", "u")


def test_a_missing_required_field_is_malformed_after_the_shape_is_written() -> None:
    entries = [_served_entry(n) for n in range(MANY)]
    without_id = {k: v for k, v in _served_entry(21).items() if k != "id"}
    with pytest.raises(codec.DecodeError, match="malformed server answer: KalturaMediaEntry"):
        codec.decode_list(_page([*entries, without_id]), m.MediaEntry)
    with pytest.raises(codec.DecodeError, match="without id, which the server always sends"):
        codec.decode_list(_page([*entries, {**entries[0], "id": None}]), m.MediaEntry)


def test_objects_too_wide_for_a_written_decoder_still_decode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(object_decoding, "MAX_KEYS", 5)
    page = codec.decode_list(_page([_served_entry(n) for n in range(MANY)]), m.MediaEntry)
    assert [e.id for e in page.objects[-2:]] == [f"0_{MANY - 2:08d}", f"0_{MANY - 1:08d}"]
    assert page.objects[-1].status is m.EntryStatus.READY
