"""Encoding what the server reads (a call's parameters, as JSON) and what it writes (an answer,
for fakes that answer with models).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kaltura_mm import models as m
from kaltura_mm.protocol.codec.registry import (
    FILTER_TYPES,
    READ_ONLY,
    WIRE_NAMES,
    camel,
    wire_fields,
)


def _scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _csv(values: Iterable[Any]) -> str:
    return ",".join(str(_scalar(v)) for v in values)


def encode_object(obj: Any, clear: Iterable[str] = ()) -> dict[str, Any]:
    """Encode an attrs model with its ``objectType``; ``clear`` names fields to null out."""
    cls = type(obj)
    if cls not in WIRE_NAMES:
        raise TypeError(f"{cls.__name__} has no Kaltura objectType")
    read_only = READ_ONLY.get(cls, frozenset())
    is_filter = isinstance(obj, FILTER_TYPES)
    out: dict[str, Any] = {}
    for wire, (name, _) in wire_fields(cls).items():
        value = getattr(obj, name)
        if value is None or wire in read_only:
            continue
        if is_filter and isinstance(value, tuple):
            out[wire] = _csv(value)
        else:
            out[wire] = encode(value)
    if is_filter:
        out.update({k: encode(v) for k, v in obj.extra.items()})
    for name in clear:
        wire = camel(name)
        if wire not in wire_fields(cls):
            raise ValueError(f"{cls.__name__} has no field {name!r} to clear")
        out.pop(wire, None)
        out[f"{wire}__null"] = ""
    out["objectType"] = WIRE_NAMES[cls]
    return out


def encode(value: Any) -> Any:
    """Encode a parameter value (model, enum, bool, list, mapping, scalar) for a JSON body."""
    if attrs.has(type(value)):
        return encode_object(value)
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        # The server reads an empty array only in this form.
        return [encode(v) for v in value] if value else {"-": ""}
    return _scalar(value)


def encode_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """Encode a call's action parameters; ``None`` values are left out (server defaults)."""
    return {key: encode(value) for key, value in params.items() if value is not None}


def encode_answer(value: Any) -> Any:
    """Encode a value as the server writes it in a response: every set field, read-only ones too.

    The other way round from ``decode``, for fakes that answer with models (``kaltura_mm.testing``).
    """
    if isinstance(value, m.ListPage):
        objects = [encode_answer(obj) for obj in value.objects]
        return {
            "objects": objects,
            "totalCount": value.total_count,
            "objectType": "KalturaListResponse",
        }
    if type(value) in WIRE_NAMES:
        out = {
            wire: encode_answer(getattr(value, name))
            for wire, (name, _) in wire_fields(type(value)).items()
            if getattr(value, name) is not None
        }
        return {**getattr(value, "extra", {}), **out, "objectType": WIRE_NAMES[type(value)]}
    if isinstance(value, list | tuple):
        return [encode_answer(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode_answer(v) for k, v in value.items()}
    return value.value if isinstance(value, enum.Enum) else value  # JSON keeps its booleans
