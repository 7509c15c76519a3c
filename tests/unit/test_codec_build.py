"""The fast object builder and the per-shape decode give what the models' own ``__init__`` gives."""

from __future__ import annotations

import attrs

from kaltura_mm import models as m
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.build import builder


def _state(obj: object) -> list[tuple[str, object, type]]:
    return [(f.name, v := getattr(obj, f.name), type(v)) for f in attrs.fields(type(obj))]


def test_built_entry_equals_the_one_init_builds() -> None:
    built = builder(m.MediaEntry)({"id": "0_a", "plays": 3}.items(), {"x": 1})
    made = m.MediaEntry(id="0_a", plays=3, extra={"x": 1})
    assert built == made and _state(built) == _state(made)
    assert dict(built.extra) == {"x": 1}


def test_built_slotted_model_equals_the_one_init_builds() -> None:
    built = builder(m.UploadToken)({"id": "1_t", "file_size": 5}.items(), {})
    assert _state(built) == _state(m.UploadToken(id="1_t", file_size=5))


def test_objects_of_one_shape_with_a_bad_value_keep_it_in_extra_in_order() -> None:
    good = {"id": "0_a", "plays": "7", "zzz": 1, "objectType": "KalturaMediaEntry"}
    bad = {"id": "0_b", "plays": "many", "zzz": 2, "objectType": "KalturaMediaEntry"}
    page = codec.decode_list({"objects": [good, bad, good], "totalCount": 3}, m.MediaEntry)
    first, second, third = page.objects
    assert first.plays == 7 and third == first
    assert second.plays is None and list(second.extra.items()) == [("plays", "many"), ("zzz", 2)]


def test_same_keys_with_other_value_types_decode_by_their_own_types() -> None:
    rows = [{"id": "0_a", "rank": 1}, {"id": 5, "rank": 2.5}, {"id": "0_c", "rank": "3"}]
    objects = [codec.decode({**r, "objectType": "KalturaMediaEntry"}) for r in rows]
    assert [(o.id, o.rank) for o in objects] == [("0_a", 1.0), ("5", 2.5), ("0_c", 3.0)]
    assert [type(o.rank) for o in objects] == [float, float, float]
