"""JSON values <-> kaltura_mm models, through the ``objectType`` registry.

Decoding is lenient, because real servers are: numbers may arrive as strings
(``uploadedFileSize: "76786195"``), booleans as ints or JSON booleans, enums with values we do not
know; fields we do not model are kept in ``extra``; an unknown ``objectType`` decodes to its
nearest known base class with an ``UnknownObjectTypeWarning`` instead of failing.

Encoding writes what the server reads: camelCase names, ``objectType`` on every object, enums
and booleans as ints (PHP reads ``1``/``0`` right for both ``bool`` and ``KalturaNullableBoolean``),
``...In`` filter fields as CSV, ``name__null: ""`` to clear a property, read-only properties left
out (sending them on insert is an error).
"""

from __future__ import annotations

import enum
import functools
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from kaltura_mm import models as m
from kaltura_mm.protocol import converters
from kaltura_mm.protocol.build import Builder, FastPlan, fast_builder
from kaltura_mm.protocol.converters import DecodeError as DecodeError
from kaltura_mm.protocol.shapes import (
    MAX_KEYS,
    Layout,
    ShapeDecoder,
    layout_builder,
    written_decoder,
)

T = TypeVar("T")


class UnknownObjectTypeWarning(UserWarning):
    """A response held an ``objectType`` this package does not model; a base class was used."""


OBJECT_TYPES: dict[str, type] = {
    "KalturaBaseEntry": m.BaseEntry,
    "KalturaMediaEntry": m.MediaEntry,
    "KalturaDocumentEntry": m.DocumentEntry,
    "KalturaLiveStreamEntry": m.LiveStreamEntry,
    "KalturaPlaylist": m.PlaylistEntry,
    "KalturaDataEntry": m.DataEntry,
    "KalturaCategory": m.Category,
    "KalturaCategoryEntry": m.CategoryEntry,
    "KalturaUploadToken": m.UploadToken,
    "KalturaFlavorAsset": m.FlavorAsset,
    "KalturaStartWidgetSessionResponse": m.WidgetSession,
    "KalturaSessionInfo": m.SessionInfo,
    "KalturaAppToken": m.AppToken,
    "KalturaUserRole": m.UserRole,
    "KalturaUploadedFileTokenResource": m.UploadedFileTokenResource,
    "KalturaUrlResource": m.UrlResource,
    "KalturaBaseEntryFilter": m.BaseEntryFilter,
    "KalturaMediaEntryFilter": m.MediaEntryFilter,
    "KalturaCategoryFilter": m.CategoryFilter,
    "KalturaCategoryEntryFilter": m.CategoryEntryFilter,
    "KalturaUploadTokenFilter": m.UploadTokenFilter,
    "KalturaFlavorAssetFilter": m.FlavorAssetFilter,
    "KalturaAppTokenFilter": m.AppTokenFilter,
    "KalturaUserRoleFilter": m.UserRoleFilter,
    "KalturaFilterPager": m.Pager,
}
# The shapes a caller sends to create or change an object encode as the object's own type.
PARAMS_TYPES: dict[type, str] = {
    m.BaseEntryParams: "KalturaBaseEntry",
    m.MediaEntryParams: "KalturaMediaEntry",
    m.DocumentEntryParams: "KalturaDocumentEntry",
    m.CategoryParams: "KalturaCategory",
    m.UploadTokenParams: "KalturaUploadToken",
    m.AppTokenParams: "KalturaAppToken",
    m.UserRoleParams: "KalturaUserRole",
}
_NAMES: dict[type, str] = {cls: name for name, cls in OBJECT_TYPES.items()} | PARAMS_TYPES

# Kaltura classes we do not model, with their parent in Kaltura's own hierarchy.
PARENTS: dict[str, str] = {
    "KalturaPlayableEntry": "KalturaBaseEntry",
    "KalturaMixEntry": "KalturaPlayableEntry",
    "KalturaLiveEntry": "KalturaMediaEntry",
    "KalturaLiveStreamAdminEntry": "KalturaLiveStreamEntry",
    "KalturaLiveChannel": "KalturaLiveEntry",
    "KalturaExternalMediaEntry": "KalturaMediaEntry",
    "KalturaLiveAsset": "KalturaFlavorAsset",  # a live entry's recordings list as flavors
    "KalturaWidevineFlavorAsset": "KalturaFlavorAsset",
}

# Properties the server owns: sending them on insert fails, so the encoder leaves them out.
_ENTRY_RO = {
    "id", "partnerId", "status", "moderationStatus", "moderationCount", "createdAt", "updatedAt",
    "rank", "totalRank", "votes", "downloadUrl", "searchText", "version", "thumbnailUrl",
    "replacingEntryId", "replacedEntryId", "replacementStatus", "rootEntryId", "capabilities",
    "defaultLanguage", "responseLanguage", "plays", "views", "lastPlayedAt", "width", "height",
    "duration", "durationType", "mediaDate", "dataUrl", "flavorParamsIds", "isTrimDisabled",
    "assetParamsIds",
}  # fmt: skip
READ_ONLY: dict[type, frozenset[str]] = {
    m.BaseEntry: frozenset(_ENTRY_RO),
    m.MediaEntry: frozenset(_ENTRY_RO),
    m.DocumentEntry: frozenset(_ENTRY_RO),
    m.LiveStreamEntry: frozenset(_ENTRY_RO),
    m.PlaylistEntry: frozenset(_ENTRY_RO),
    m.DataEntry: frozenset(_ENTRY_RO),
    m.Category: frozenset({
        "id", "depth", "partnerId", "fullName", "fullIds", "entriesCount", "directEntriesCount",
        "createdAt", "updatedAt", "membersCount", "pendingMembersCount", "privacyContexts",
        "status", "inheritedParentId", "directSubCategoriesCount", "pendingEntriesCount",
    }),
    m.CategoryEntry: frozenset({"createdAt", "categoryFullIds", "status", "creatorUserId"}),
    m.UploadToken: frozenset({
        "id", "partnerId", "userId", "status", "uploadedFileSize", "createdAt", "updatedAt",
        "uploadUrl", "attachedObjectType", "attachedObjectId",
    }),
    m.AppToken: frozenset({"id", "token", "partnerId", "createdAt", "updatedAt", "status"}),
    m.UserRole: frozenset({"id", "partnerId", "createdAt", "updatedAt"}),
}  # fmt: skip
_FILTERS = (
    m.BaseEntryFilter,
    m.CategoryFilter,
    m.CategoryEntryFilter,
    m.UploadTokenFilter,
    m.FlavorAssetFilter,
    m.AppTokenFilter,
    m.UserRoleFilter,
)


def camel(name: str) -> str:
    """Return the wire name of a Python field name (``categories_ids`` -> ``categoriesIds``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_FIELDS: dict[type, dict[str, tuple[str, Any]]] = {}


def _fields(cls: Any) -> dict[str, tuple[str, Any]]:
    """Map wire name -> (python name, resolved type) for an attrs class (cached per class)."""
    known = _FIELDS.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls)
        known = {camel(f.name): (f.name, hints[f.name]) for f in attrs.fields(cls)}
        known.pop("extra", None)
        _FIELDS[cls] = known
    return known


# ---- decoding ---------------------------------------------------------------------------------

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
    table = {wire: _field(name, hint) for wire, (name, hint) in _fields(cls).items()}
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
        wire for wire, (name, _) in _fields(cls).items() if fields[name].default is attrs.NOTHING
    )


def _check_required(cls: type, required: tuple[str, ...], data: Mapping[str, Any]) -> None:
    """Refuse an object the server always sends with fields it lacks: a malformed answer."""
    missing = [wire for wire in required if data.get(wire) is None]
    if missing:
        kind = data.get("objectType") or _NAMES.get(cls, cls.__name__)
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


# ---- encoding ---------------------------------------------------------------------------------


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
    if cls not in _NAMES:
        raise TypeError(f"{cls.__name__} has no Kaltura objectType")
    read_only = READ_ONLY.get(cls, frozenset())
    is_filter = isinstance(obj, _FILTERS)
    out: dict[str, Any] = {}
    for wire, (name, _) in _fields(cls).items():
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
        if wire not in _fields(cls):
            raise ValueError(f"{cls.__name__} has no field {name!r} to clear")
        out.pop(wire, None)
        out[f"{wire}__null"] = ""
    out["objectType"] = _NAMES[cls]
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
    if type(value) in _NAMES:
        out = {
            wire: encode_answer(getattr(value, name))
            for wire, (name, _) in _fields(type(value)).items()
            if getattr(value, name) is not None
        }
        return {**getattr(value, "extra", {}), **out, "objectType": _NAMES[type(value)]}
    if isinstance(value, list | tuple):
        return [encode_answer(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode_answer(v) for k, v in value.items()}
    return value.value if isinstance(value, enum.Enum) else value  # JSON keeps its booleans
