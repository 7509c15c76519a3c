"""Decoding one JSON object into a model of a known class: a field table built once per class,
and for the wide classes a builder per shape of object (``kaltura_mm.protocol.shapes``).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from kaltura_mm.protocol import converters
from kaltura_mm.protocol.build import Builder, FastPlan, fast_builder
from kaltura_mm.protocol.codec.registry import WIRE_NAMES, wire_fields
from kaltura_mm.protocol.converters import DecodeError
from kaltura_mm.protocol.shapes import (
    MAX_KEYS,
    Layout,
    ShapeDecoder,
    layout_builder,
    written_decoder,
)

ObjectDecoder = Callable[[Mapping[str, Any]], Any]


@functools.cache
def object_decoder(cls: type) -> ObjectDecoder:
    """Return the function building a ``cls`` from a JSON object, with its field table built once.

    Each wire name maps to (python name, raw types taken as they are, converter); values a field
    cannot take, and fields the model does not have, are kept in ``extra``. The objects of one
    page share their keys and value types (a shape), so for the wide models each shape gets a
    builder doing only that shape's work (``shapes.layout_builder``), and a shape that keeps
    coming one written out as source (``shapes.written_decoder``). Narrow slotted models, and
    objects a shape's converter cannot read, decode value by value.
    """
    table = {wire: _field(name, hint) for wire, (name, hint) in wire_fields(cls).items()}
    keeps_extra = "extra" in attrs.fields_dict(cls)
    fast = fast_builder(cls)
    plan = FastPlan.of(cls)
    required = _required(cls)
    shapes: dict[tuple[Any, ...], _Shape] = {}  # by the keys, then their values' types
    latest: list[ShapeDecoder] = [_no_shape]  # the decoder written last: a page is mostly one shape

    def one_by_one(data: Mapping[str, Any]) -> Any:
        _check_required(cls, required, data)
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, raw in data.items():
            field = table.get(key)
            if field is None:
                if key != "objectType":
                    extra[key] = raw
                continue
            name, ready, convert, _ = field
            if type(raw) in ready:
                kwargs[name] = raw
                continue
            try:
                kwargs[name] = convert(raw)
            except (ValueError, TypeError):
                # An unexpected value type must not lose the whole object: keep it raw.
                extra[key] = raw
        if fast is not None:
            return _built(cls, fast, kwargs.items(), extra if keeps_extra else None)
        if keeps_extra:
            kwargs["extra"] = extra
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise DecodeError(f"cannot build {cls.__name__}: {exc}") from exc

    def by_shape(data: Mapping[str, Any]) -> Any:
        values = tuple(data.values())
        key = (*data, *map(type, values))  # the keys, then their values' types
        shape = shapes.get(key)
        if shape is None:
            _check_required(cls, required, data)  # once per shape: the keys and types are its own
            if len(shapes) >= _SHAPES:  # a server whose objects all differ: stay bounded
                shapes.clear()
            assert plan is not None  # only used for classes with a plan
            shape = shapes[key] = _Shape(plan, _layout(key, table))
        shape.uses += 1
        if shape.uses >= _WRITE_AFTER and len(values) <= MAX_KEYS:
            if shape.written is None:
                shape.written, shape.build = written_decoder(shape.plan, shape.layout)
            latest[0] = shape.written  # for the next object, likely of the same shape
        try:
            return shape.build(values)
        except (ValueError, TypeError):
            return one_by_one(data)  # rare: keeps the value a converter cannot read in ``extra``

    def decode_object(data: Mapping[str, Any]) -> Any:
        try:
            obj = latest[0](data)
        except (ValueError, TypeError):
            return one_by_one(data)
        return by_shape(data) if obj is None else obj

    # Writing a decoder per shape pays for the wide classes built without ``__init__``; a
    # narrow slotted one (a token: a dozen fields) is built by its ``__init__``, value by value.
    return decode_object if plan is not None else one_by_one


def _no_shape(data: Mapping[str, Any]) -> None:
    return None


class _Shape:
    """A shape seen: its layout, its builder, and how many objects of it came."""

    def __init__(self, plan: FastPlan, layout: Layout) -> None:
        self.plan = plan
        self.layout = layout
        self.build = layout_builder(plan, layout)
        self.uses = 0
        self.written: ShapeDecoder | None = None


# A written decoder costs about 0.5 ms to write and saves about 2 us per object against the
# layout's builder. Real pages hold several shapes (the server leaves null fields out), so it is
# written only for a shape that came this often: likely to keep coming. At worst 0.5 ms is lost
# on a shape that never comes again.
_WRITE_AFTER = 64
_SHAPES = 64


def _required(cls: type) -> tuple[str, ...]:
    """Return the wire names of the fields ``cls`` cannot be built without."""
    fields = attrs.fields_dict(cls)
    return tuple(
        wire
        for wire, (name, _) in wire_fields(cls).items()
        if fields[name].default is attrs.NOTHING
    )


def _check_required(cls: type, required: tuple[str, ...], data: Mapping[str, Any]) -> None:
    """Refuse an object the server always sends with fields it lacks: a malformed answer."""
    missing = [wire for wire in required if data.get(wire) is None]
    if missing:
        kind = data.get("objectType") or WIRE_NAMES.get(cls, cls.__name__)
        raise DecodeError(
            f"malformed server answer: {kind} without {', '.join(missing)}, which the server"
            " always sends"
        )


_NONE = frozenset({type(None)})
_JSON_KINDS = (str, int, float, bool, list, dict)
# A field's row: python name, raw types taken as they are, its converter, and that converter
# shortened for each JSON type of raw value (``converters.converter_from``).
_Field = tuple[str, frozenset[type], converters.Converter, Mapping[type, converters.Converter]]


def _field(name: str, hint: Any) -> _Field:
    # Type hints are read here, when the table is built, and never again per shape or value.
    by_kind: dict[type, converters.Converter] = {
        kind: converters.converter_from(hint, kind) for kind in _JSON_KINDS
    }
    return name, _ready(hint), converters.converter_for(hint), by_kind


def _ready(hint: Any) -> frozenset[type]:
    """Return the raw types a ``hint`` field takes as they are; ``None`` too if it is optional."""
    ready = converters.ready_types(hint)
    options = typing.get_args(hint)
    return ready | _NONE if type(None) in options else ready


def _built(
    cls: type, build: Builder, values: Iterable[tuple[str, Any]], extra: dict[str, Any] | None
) -> Any:
    try:
        return build(values, extra)
    except (TypeError, ValueError) as exc:
        raise DecodeError(f"cannot build {cls.__name__}: {exc}") from exc


def _layout(
    key: tuple[Any, ...],
    table: Mapping[str, _Field],
) -> Layout:
    """Return what to do with each value of objects with ``key``: their wire names, then their
    value types."""
    half = len(key) // 2
    keys, kinds = key[:half], key[half:]
    taken: list[tuple[int, str]] = []
    converted: list[tuple[int, str, converters.Converter]] = []
    extra: list[int] = []
    for position, (wire, kind) in enumerate(zip(keys, kinds, strict=True)):
        field = table.get(wire)
        if field is None:
            if wire != "objectType":
                extra.append(position)
            continue
        name, ready, convert, by_kind = field
        if kind in ready:
            taken.append((position, name))
        else:  # never None here: an optional field takes None as it is
            converted.append((position, name, by_kind.get(kind, convert)))
    return Layout(keys, kinds, tuple(taken), tuple(converted), tuple(extra))
