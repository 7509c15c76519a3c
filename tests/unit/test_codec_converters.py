"""Field converters: the server's loose values read right, bad ones refused, built once per hint."""

from __future__ import annotations

import pytest

from kaltura_mm.models import EntryStatus, MediaType
from kaltura_mm.protocol.converters import (
    DecodeError,
    as_bool,
    as_float,
    as_int,
    as_str,
    converter_for,
    ready_types,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(7, 7), ("76786195", 76786195), (" 12 ", 12), ("3.0", 3), (4.0, 4), (True, 1), (False, 0)],
)
def test_integers_from_numbers_strings_and_bools(raw: object, expected: int) -> None:
    value = as_int(raw)
    assert value == expected and type(value) is int


@pytest.mark.parametrize("raw", ["3.5", 2.5, None, [1], "", "abc"])
def test_non_integers_are_refused(raw: object) -> None:
    with pytest.raises(DecodeError, match="expected an integer"):
        as_int(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (0, False),
        (1, True),
        ("1", True),
        ("true", True),
        ("False", False),
        ("", False),
    ],
)
def test_booleans_from_json_booleans_ints_and_strings(raw: object, expected: bool) -> None:
    assert as_bool(raw) is expected


@pytest.mark.parametrize("raw", [2, "yes", None, 0.5])
def test_other_booleans_are_refused(raw: object) -> None:
    with pytest.raises(DecodeError, match="expected a boolean"):
        as_bool(raw)


def test_floats_and_strings_accept_numbers_but_not_bools() -> None:
    assert as_float(0) == 0.0 and type(as_float(0)) is float
    assert as_float("4.5") == 4.5
    assert as_str(1082342) == "1082342"
    with pytest.raises(DecodeError, match="expected a number"):
        as_float(True)
    with pytest.raises(DecodeError, match="expected a string"):
        as_str(False)


def test_optional_enum_reads_ints_strings_and_values_it_does_not_know() -> None:
    convert = converter_for(EntryStatus | None)
    assert convert(None) is None
    assert convert(2) is EntryStatus.READY
    assert convert("7") is EntryStatus.NO_CONTENT
    assert convert(True) is EntryStatus.PRECONVERT  # a bool is an int on the wire (1)
    unknown = convert(99)
    assert isinstance(unknown, EntryStatus) and unknown.name == "UNKNOWN_99"
    with pytest.raises(DecodeError):
        convert("document.Document")


def test_tuples_read_csv_and_arrays_skipping_empty_items() -> None:
    assert converter_for(tuple[int, ...])("1,2,,3") == (1, 2, 3)
    assert converter_for(tuple[MediaType, ...])([1, "5"]) == (MediaType.VIDEO, MediaType.AUDIO)
    with pytest.raises(DecodeError, match="expected a list"):
        converter_for(tuple[int, ...])(5)


def test_a_union_tries_each_option_in_order() -> None:
    convert = converter_for(int | str | None)
    assert convert("12") == 12
    assert convert("abc") == "abc"
    assert convert(None) is None
    with pytest.raises(DecodeError, match=r"expected an integer.*; expected a string"):
        convert([1])


def test_unmodelled_hints_keep_the_value() -> None:
    value = {"nested": [1]}
    assert converter_for(dict[str, object])(value) is value


def test_converters_are_built_once_per_hint() -> None:
    assert converter_for(int | None) is converter_for(int | None)
    assert converter_for(EntryStatus | None) is converter_for(EntryStatus | None)


def test_ready_types_are_only_those_needing_no_conversion() -> None:
    assert ready_types(str | None) == {str, type(None)}
    assert ready_types(int) == {int}
    assert ready_types(float | None) == {float, type(None)}  # an int still becomes a float
    assert ready_types(EntryStatus | None) == {type(None)}  # ints must become members
    assert ready_types(int | str | None) == frozenset()  # "12" must still become 12
    assert ready_types(tuple[int, ...] | None) == {type(None)}
