"""Click parameter types of the command line: times, categories, enum names."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import click

E = TypeVar("E", bound=enum.Enum)

if TYPE_CHECKING:  # click >= 8.2 types ParamType generically; older clicks cannot subscript it
    _TimeBase = click.ParamType[int, Any]
    _EnumBase = click.ParamType[Any, Any]
else:
    _TimeBase = _EnumBase = click.ParamType


class Timestamp(_TimeBase):
    """A point in time as Unix seconds, an ISO date (``2024-01-31``) or date-time (UTC if naive)."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Return Unix seconds for ``value``, or fail naming the accepted forms."""
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text.isdigit():
            return int(text)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(
                f"{text!r} is not a time: use 2024-01-31, 2024-01-31T08:00 or Unix seconds",
                param,
                ctx,
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return int(moment.timestamp())


class EnumName(_EnumBase, Generic[E]):
    """An enum member named case-insensitively (``ready``, ``READY``)."""

    def __init__(self, enum_type: type[E], exclude: tuple[str, ...] = ()) -> None:
        """Accept the member names of ``enum_type`` except ``exclude``."""
        self.enum_type = enum_type
        self.names = [m.name.lower() for m in enum_type if m.name not in exclude]
        self.name = enum_type.__name__

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> E:
        """Return the member named ``value``, or fail listing the names."""
        if isinstance(value, self.enum_type):
            return value
        text = str(value).strip().lower()
        if text not in self.names:
            self.fail(f"{value!r} is not one of {', '.join(self.names)}", param, ctx)
        return self.enum_type[text.upper()]

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """Show the accepted names in help."""
        return "[" + "|".join(self.names) + "]"


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}


class ByteSize(_TimeBase):
    """A size in bytes: ``5000000``, ``5MB``, ``8MiB``; at least ``minimum`` when given."""

    name = "size"

    def __init__(self, minimum: int | None = None) -> None:
        """Accept sizes of ``minimum`` bytes or more (any size when None)."""
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Return the byte count ``value`` names, or fail showing the accepted forms."""
        if isinstance(value, int):
            return value
        text = str(value).strip().lower().replace(" ", "")
        number = text.rstrip("kmgib")
        unit = text[len(number) :]
        try:
            if unit not in _UNITS:
                raise ValueError(unit)
            size = int(float(number) * _UNITS[unit])
        except ValueError:
            self.fail(f"{value!r} is not a size: use e.g. 5000000, 5MB or 8MiB", param, ctx)
        if self.minimum is not None and size < self.minimum:
            self.fail(f"{value!r} is less than {self.minimum} bytes", param, ctx)
        return size


def category_ref(value: str) -> int | str:
    """Return a category given on the command line: an int id, or a path such as ``A>B``."""
    text = value.strip()
    return int(text) if text.isdigit() else text


ORDERS = {"createdat": "createdAt", "updatedat": "updatedAt", "name": "name"}


class OrderChoice(_EnumBase):
    """A list order: ``name``, ``-createdAt``, ``+updated_at`` (no sign: ascending)."""

    name = "order"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Return the server's form (``+name``, ``-createdAt``), or fail naming the choices."""
        text = str(value).strip()
        sign = text[0] if text[:1] in ("+", "-") else "+"
        key = text.lstrip("+-").replace("_", "").lower()
        if key not in ORDERS:
            self.fail(
                f"{value!r} is not an order: use name, createdAt or updatedAt, with - for "
                "descending (e.g. -createdAt)",
                param,
                ctx,
            )
        return sign + ORDERS[key]

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """Show the accepted forms in help."""
        return "[-]name|createdAt|updatedAt"


_SPANS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class Duration(_TimeBase):
    """A span of time in seconds: ``3600``, ``90s``, ``30m``, ``12h``, ``90d``, ``2w``."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """Return the seconds ``value`` names (more than 0), or fail showing the forms."""
        if isinstance(value, int) and not isinstance(value, bool):
            seconds = value
        else:
            text = str(value).strip().lower()
            number, unit = text.rstrip("smhdw"), text.lstrip("0123456789")
            if not number.isdigit() or unit not in _SPANS or number + unit != text:
                self.fail(
                    f"{value!r} is not a duration: use e.g. 3600, 30m, 12h or 90d", param, ctx
                )
            seconds = int(number) * _SPANS[unit]
        if seconds <= 0:
            self.fail(f"{value!r} is not a duration longer than 0", param, ctx)
        return seconds
