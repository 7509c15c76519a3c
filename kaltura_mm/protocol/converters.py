"""Field converters: for each model field type, a function built once that reads a raw JSON value.

Real servers are loose: numbers arrive as strings (``uploadedFileSize: "76786195"``), booleans as
ints, strings or JSON booleans, ``...Ids`` lists as CSV, enums with values nobody knew yet. The
converters accept all of that and raise ``DecodeError`` (a ``ValueError``) for anything else.

Type hints are resolved into converters once per hint (``converter_for`` is cached), not per
value: a 25,000-entry listing otherwise spends most of its time re-reading type annotations.
"""

from __future__ import annotations

import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Any

Converter = Callable[[Any], Any]
_ERRORS = (ValueError, TypeError)  # DecodeError is a ValueError


class DecodeError(ValueError):
    """A response value does not have the shape the call expects."""


def as_int(value: Any) -> int:
    """Read an integer from an int, a bool, an integral float or a numeric string."""
    if type(value) is int:
        return value
    if isinstance(value, int):  # bool and int subclasses
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)  # "3.0", "1e3"
        except ValueError:
            number = None
        if number is not None and number.is_integer():
            return int(number)
    raise DecodeError(f"expected an integer, got {value!r}")


def as_bool(value: Any) -> bool:
    """Read a boolean from a JSON boolean, ``0``/``1`` or a ``"0"``/``"1"``/``"true"`` string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false", ""):
        return value.strip().lower() in ("1", "true")
    raise DecodeError(f"expected a boolean, got {value!r}")


def as_float(value: Any) -> float:
    """Read a number from an int, a float or a numeric string."""
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return float(value)
    raise DecodeError(f"expected a number, got {value!r}")


def as_str(value: Any) -> str:
    """Read a string; a number becomes its decimal text (ids sent as ints)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise DecodeError(f"expected a string, got {value!r}")


def _keep(value: Any) -> Any:
    return value


_SCALARS: dict[Any, Converter] = {bool: as_bool, int: as_int, float: as_float, str: as_str}


def _enum_converter(cls: type[enum.IntEnum]) -> Converter:
    members = {member.value: member for member in cls}

    def convert(value: Any) -> Any:
        if type(value) is int:
            member = members.get(value)
            if member is not None:
                return member
        return cls(as_int(value))  # a string, or a value the enum learns through _missing_

    return convert


class _Members(dict[int, Any]):
    """An enum's members by value, for raw ints: a hit is one lookup in C, a miss (a value the
    enum learns through ``_missing_``) goes through the enum's converter."""

    def __init__(self, cls: type[enum.IntEnum]) -> None:
        super().__init__((member.value, member) for member in cls)
        self._convert = _enum_converter(cls)

    def __missing__(self, value: Any) -> Any:
        return self._convert(value)


def _union_converter(options: tuple[Any, ...]) -> Converter:
    converters = tuple(converter_for(option) for option in options)
    if len(converters) == 1:
        (single,) = converters
        return lambda value: None if value is None else single(value)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        errors = []
        for option in converters:
            try:
                return option(value)
            except _ERRORS as exc:
                errors.append(str(exc))
        raise DecodeError("; ".join(errors))

    return convert


def _tuple_converter(item_hint: Any) -> Converter:
    item = converter_for(item_hint)

    def convert(value: Any) -> tuple[Any, ...]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise DecodeError(f"expected a list, got {value!r}")
        return tuple(item(v) for v in items if v != "")

    return convert


def _options(hint: Any) -> tuple[Any, ...] | None:
    """Return the non-None members of a union hint, or None if ``hint`` is not a union."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return None
    return tuple(arg for arg in typing.get_args(hint) if arg is not type(None))


@functools.cache
def converter_for(hint: Any) -> Converter:
    """Return the function that converts a raw JSON value to the field type ``hint``."""
    options = _options(hint)
    if options is not None:
        return _union_converter(options)
    if typing.get_origin(hint) is tuple:
        return _tuple_converter(typing.get_args(hint)[0])
    if isinstance(hint, type) and issubclass(hint, enum.IntEnum):
        return _enum_converter(hint)
    return _SCALARS.get(hint, _keep)


@functools.cache
def converter_from(hint: Any, raw: type) -> Converter:
    """Return ``converter_for(hint)``, shortened for raw values of type ``raw`` (not None).

    An optional hint's None check is left out, an int going into a float field goes through
    ``float`` alone, and an int going into an enum field is looked up among the enum's members:
    the results are the same, one call cheaper per value of a big listing.
    """
    options = _options(hint)
    if options is not None and len(options) == 1:
        hint = options[0]
    if hint is float and raw is int:
        return float
    if raw is int and isinstance(hint, type) and issubclass(hint, enum.IntEnum):
        return _Members(hint).__getitem__
    return converter_for(hint)


@functools.cache
def ready_types(hint: Any) -> frozenset[type]:
    """Return the exact raw types that already are a valid ``hint`` value (no call needed)."""
    if hint in _SCALARS:
        return frozenset({hint})
    options = _options(hint)
    if options is None or len(options) != 1:
        # With two options a value of the second one's type may still convert to the first.
        return frozenset()
    return ready_types(options[0]) | {type(None)}
