"""Models and enums: real Kaltura numbers, lenient enums, filters and pager checks."""

from __future__ import annotations

import attrs
import pytest

from kaltura_mm.models import (
    BaseEntryFilter,
    CategoryEntryStatus,
    DocumentType,
    EntryStatus,
    EntryType,
    MediaEntry,
    MediaType,
    Pager,
    SessionType,
    UploadTokenStatus,
)


def test_enums_carry_the_server_numbers() -> None:
    assert EntryStatus.READY == 2 and EntryStatus.NO_CONTENT == 7
    assert EntryStatus.ERROR_IMPORTING == -2
    assert EntryType.MEDIA_CLIP == 1 and EntryType.DOCUMENT == 10 and EntryType.AUTOMATIC == -1
    assert MediaType.VIDEO == 1 and MediaType.IMAGE == 2 and MediaType.AUDIO == 5
    assert DocumentType.PDF == 13
    assert UploadTokenStatus.FULL_UPLOAD == 2 and UploadTokenStatus.CLOSED == 3
    assert CategoryEntryStatus.ACTIVE == 2
    assert SessionType.ADMIN == 2 and SessionType.USER == 0


def test_an_unknown_enum_value_is_kept_not_refused() -> None:
    status = EntryStatus(42)
    assert status == 42
    assert status.name == "UNKNOWN_42"


def test_models_are_frozen_and_evolve() -> None:
    entry = MediaEntry(id="0_a", name="a")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        entry.name = "b"  # type: ignore[misc]
    assert attrs.evolve(entry, name="b").name == "b"


def test_in_filters_accept_lists_single_values_and_csv() -> None:
    assert BaseEntryFilter(id_in=["0_a", "0_b"]).id_in == ("0_a", "0_b")
    assert BaseEntryFilter(categories_ids_match_or=7).categories_ids_match_or == (7,)
    assert BaseEntryFilter(id_in="0_a,0_b").id_in == ("0_a", "0_b")


@pytest.mark.parametrize("kwargs", [{"page_size": 501}, {"page_size": -1}, {"page_index": 0}])
def test_pager_refuses_values_the_server_would_clamp(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="page_"):
        Pager(**kwargs)


def test_repr_names_only_what_is_set() -> None:
    entry = MediaEntry(id="0_a", name="talk", media_type=MediaType.VIDEO, extra={"rank": 3})
    assert repr(entry) == "MediaEntry(id='0_a', name='talk', media_type=<MediaType.VIDEO: 1>)"
    assert repr(BaseEntryFilter(id_in=["0_a", "0_b"])) == "BaseEntryFilter(id_in=('0_a', '0_b'))"
