"""What every model shares: ``extra`` (the wire fields a model does not hold, kept frozen), the
short ``repr``, and ``ApiObject`` for a type this package does not model.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["ApiObject"]


def _frozen_extra(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def extra_field() -> Any:
    return attrs.field(factory=dict, converter=_frozen_extra, repr=False, eq=False)


class ShortRepr:
    """A repr naming only the fields that are set: an entry has some sixty, mostly None. The
    required ones (ids, names) come first."""

    def __repr__(self) -> str:
        fields = attrs.fields(type(self))  # type: ignore[arg-type]
        ordered = sorted(fields, key=lambda field: field.default is not attrs.NOTHING)
        shown = (
            f"{field.name}={getattr(self, field.name)!r}"
            for field in ordered
            if field.repr is not False and getattr(self, field.name) is not None
        )
        return f"{type(self).__name__}({', '.join(shown)})"


@attrs.frozen(kw_only=True)
class ApiObject:
    """A Kaltura object of a type this package does not model: its ``objectType`` and fields."""

    object_type: str
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_extra, eq=False)
