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
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import attrs

from kaltura_mm import models as m

T = TypeVar("T")


class UnknownObjectTypeWarning(UserWarning):
    """A response held an ``objectType`` this package does not model; a base class was used."""


class DecodeError(ValueError):
    """A response value does not have the shape the call expects."""


OBJECT_TYPES: dict[str, type] = {
    "KalturaBaseEntry": m.BaseEntry,
    "KalturaMediaEntry": m.MediaEntry,
    "KalturaDocumentEntry": m.DocumentEntry,
    "KalturaCategory": m.Category,
    "KalturaCategoryEntry": m.CategoryEntry,
    "KalturaUploadToken": m.UploadToken,
    "KalturaStartWidgetSessionResponse": m.WidgetSession,
    "KalturaUploadedFileTokenResource": m.UploadedFileTokenResource,
    "KalturaUrlResource": m.UrlResource,
    "KalturaBaseEntryFilter": m.BaseEntryFilter,
    "KalturaMediaEntryFilter": m.MediaEntryFilter,
    "KalturaCategoryFilter": m.CategoryFilter,
    "KalturaCategoryEntryFilter": m.CategoryEntryFilter,
    "KalturaUploadTokenFilter": m.UploadTokenFilter,
    "KalturaFilterPager": m.Pager,
}
_NAMES: dict[type, str] = {cls: name for name, cls in OBJECT_TYPES.items()}

# Kaltura classes we do not model, with their parent in Kaltura's own hierarchy.
PARENTS: dict[str, str] = {
    "KalturaPlayableEntry": "KalturaBaseEntry",
    "KalturaPlaylist": "KalturaBaseEntry",
    "KalturaDataEntry": "KalturaBaseEntry",
    "KalturaMixEntry": "KalturaPlayableEntry",
    "KalturaLiveEntry": "KalturaMediaEntry",
    "KalturaLiveStreamEntry": "KalturaLiveEntry",
    "KalturaLiveStreamAdminEntry": "KalturaLiveStreamEntry",
    "KalturaLiveChannel": "KalturaLiveEntry",
    "KalturaExternalMediaEntry": "KalturaMediaEntry",
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
}  # fmt: skip
_FILTERS = (
    m.BaseEntryFilter,
    m.CategoryFilter,
    m.CategoryEntryFilter,
    m.UploadTokenFilter,
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


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            number = float(text)
            if number.is_integer():
                return int(number)
    raise DecodeError(f"expected an integer, got {value!r}")


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("0", "1", "true", "false", ""):
        return value.strip().lower() in ("1", "true")
    raise DecodeError(f"expected a boolean, got {value!r}")


def _coerce(value: Any, hint: Any) -> Any:
    """Convert a raw JSON value to the field type ``hint``, accepting the server's looseness."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        errors = []
        for option in options:
            try:
                return _coerce(value, option)
            except (DecodeError, ValueError, TypeError) as exc:
                errors.append(str(exc))
        raise DecodeError("; ".join(errors))
    if origin is tuple:
        (item_hint, *_rest) = typing.get_args(hint)
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise DecodeError(f"expected a list, got {value!r}")
        return tuple(_coerce(item, item_hint) for item in items if item != "")
    if isinstance(hint, type) and issubclass(hint, enum.IntEnum):
        return hint(_as_int(value))
    if hint is bool:
        return _as_bool(value)
    if hint is int:
        return _as_int(value)
    if hint is float:
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            return float(value)
        raise DecodeError(f"expected a number, got {value!r}")
    if hint is str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise DecodeError(f"expected a string, got {value!r}")
    return value


def _decode_object(cls: type[T], data: Mapping[str, Any]) -> T:
    known = _fields(cls)
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, raw in data.items():
        if key == "objectType":
            continue
        if key not in known:
            extra[key] = raw
            continue
        name, hint = known[key]
        try:
            kwargs[name] = _coerce(raw, hint)
        except (DecodeError, ValueError, TypeError):
            # An unexpected value type must not lose the whole object: keep it raw.
            extra[key] = raw
    if any(f.name == "extra" for f in attrs.fields(cls)):  # type: ignore[arg-type]
        kwargs["extra"] = extra
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise DecodeError(f"cannot build {cls.__name__}: {exc}") from exc


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
        warnings.warn(
            f"unknown objectType {object_type!r} decoded as {cls.__name__}",
            UnknownObjectTypeWarning,
            stacklevel=2,
        )
    return _decode_object(cls, value)


def decode_list(value: Any, item: type | None = None) -> m.ListPage[Any]:
    """Decode a ``Kaltura...ListResponse`` into a ``ListPage``."""
    if not isinstance(value, dict) or not isinstance(value.get("objects", []), list):
        raise DecodeError(f"expected a list response, got {type(value).__name__}")
    objects = tuple(decode(obj, item) for obj in value.get("objects", []))
    return m.ListPage(objects=objects, total_count=_as_int(value.get("totalCount", len(objects))))


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

    def _decode(value: Any) -> list[T]:
        if not isinstance(value, list):
            raise DecodeError(f"expected an array, got {type(value).__name__}")
        return [decoder_for(item)(v) for v in value]

    return _decode


def decode_none(value: Any) -> None:
    """Accept the ``null`` a void action returns."""
    if value not in (None, "", []):
        raise DecodeError(f"expected null, got {type(value).__name__}")


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
