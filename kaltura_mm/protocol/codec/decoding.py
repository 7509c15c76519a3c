"""Decoding a response value: an object by its ``objectType`` (an unknown one as its nearest
known base class), a list response into a ``ListPage``, and the plain results of void, count and
string actions.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from kaltura_mm import models as m
from kaltura_mm.protocol import converters
from kaltura_mm.protocol.codec.object_decoding import ObjectDecoder, object_decoder
from kaltura_mm.protocol.codec.registry import OBJECT_TYPES, PARENTS
from kaltura_mm.protocol.converters import DecodeError

T = TypeVar("T")


class UnknownObjectTypeWarning(UserWarning):
    """A response held an ``objectType`` this package does not model; a base class was used."""


def _nearest_known(object_type: str) -> type | None:
    seen = object_type
    while seen not in OBJECT_TYPES and seen in PARENTS:
        seen = PARENTS[seen]
    return OBJECT_TYPES.get(seen)


def decode(value: Any, expected: type | None = None) -> Any:
    """Decode a JSON value into models; ``expected`` is the class the call promises."""
    if isinstance(value, list):
        return [decode(item, expected) for item in value]
    if not isinstance(value, dict):
        return value
    object_type = value.get("objectType")
    if not isinstance(object_type, str):
        return {key: decode(item) for key, item in value.items()}
    if object_type.endswith("ListResponse") or expected is m.ListPage:
        return decode_list(value)
    cls = OBJECT_TYPES.get(object_type)
    if cls is None:
        cls = _nearest_known(object_type) or expected
        if cls is None:
            return m.ApiObject(object_type=object_type, extra=value)
        if object_type in PARENTS:
            # A Kaltura class we know the place of (a live channel, a mix): its modelled base
            # is the right answer, and its own fields stay in ``extra``.
            return object_decoder(cls)(value)
        warnings.warn(
            f"unknown objectType {object_type!r} decoded as {cls.__name__}",
            UnknownObjectTypeWarning,
            stacklevel=2,
        )
    return object_decoder(cls)(value)


def decode_list(value: Any, item: type | None = None) -> m.ListPage[Any]:
    """Decode a ``Kaltura...ListResponse`` into a ``ListPage``."""
    if not isinstance(value, dict) or not isinstance(value.get("objects", []), list):
        raise DecodeError(f"expected a list response, got {type(value).__name__}")
    objects = tuple(_decode_all(value.get("objects", []), item))
    return m.ListPage(
        objects=objects, total_count=converters.as_int(value.get("totalCount", len(objects)))
    )


def _decode_all(raw: list[Any], item: type | None) -> list[Any]:
    """Decode a page's objects as ``decode`` does, looking each known ``objectType`` up once."""
    known: dict[str, ObjectDecoder] = {}
    out = []
    for obj in raw:
        object_type = obj.get("objectType") if type(obj) is dict else None
        decoder = known.get(object_type) if type(object_type) is str else None
        if decoder is not None:
            out.append(decoder(obj))
            continue
        out.append(decode(obj, item))
        if isinstance(object_type, str) and item is not m.ListPage:
            cls = OBJECT_TYPES.get(object_type)
            if cls is not None and not object_type.endswith("ListResponse"):
                known[object_type] = object_decoder(cls)  # what ``decode`` just used for it
    return out


def decoder_for(cls: type[T]) -> Callable[[Any], T]:
    """Return a decoder that turns a response value into a ``cls`` (or a subclass)."""

    def _decode(value: Any) -> T:
        result = decode(value, cls)
        if not isinstance(result, cls):
            raise DecodeError(f"expected {cls.__name__}, got {type(result).__name__}")
        return result

    return _decode


def list_decoder(item: type[T]) -> Callable[[Any], m.ListPage[T]]:
    """Return a decoder for a list response whose objects are ``item``s."""
    return functools.partial(decode_list, item=item)


def array_decoder(item: type[T]) -> Callable[[Any], list[T]]:
    """Return a decoder for a JSON array of ``item`` objects (``[]`` when empty)."""
    decode_one = decoder_for(item)

    def _decode(value: Any) -> list[T]:
        if not isinstance(value, list):
            raise DecodeError(f"expected an array, got {type(value).__name__}")
        return [decode_one(v) for v in value]

    return _decode


def decode_none(value: Any) -> None:
    """Accept the ``null`` a void action returns."""
    if value not in (None, "", []):
        raise DecodeError(f"expected null, got {type(value).__name__}")


def decode_int(value: Any) -> int:
    """Accept an integer result (``baseEntry.count``); JSON may carry it as a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DecodeError(f"expected an integer, got {type(value).__name__}")
    try:
        return int(value)
    except ValueError:
        raise DecodeError(f"expected an integer, got {value!r}") from None


def decode_str(value: Any) -> str:
    """Accept a string result (``session.start``'s KS)."""
    if not isinstance(value, str):
        raise DecodeError(f"expected a string, got {type(value).__name__}")
    return value
