"""Shared listing helpers: a small SQL WHERE builder, CSV filters and their cuts, orderBy and the
10,000 cap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from kaltura_mm.sandbox.errors import KalturaApiException

MAX_MATCHES = 10_000  # SphinxCriteria::MAX_MATCHES
MAX_IN_VALUES = 500  # baseObjectFilter::$maxInValues
T = TypeVar("T")


class Query:
    """Accumulate AND-ed SQL conditions and their parameters (values are always bound)."""

    def __init__(self, clauses: list[str] | None = None, params: list[Any] | None = None) -> None:
        self.clauses = clauses or []
        self.params = params or []

    def add(self, clause: str, params: Sequence[Any] = ()) -> None:
        """Add a raw condition with its parameters."""
        self.clauses.append(clause)
        self.params.extend(params)

    def eq(self, column: str, value: Any) -> None:
        """Add ``column = value`` unless value is None."""
        if value is not None:
            self.add(f"{column} = ?", [value])

    def ne(self, column: str, value: Any) -> None:
        """Add ``column != value`` unless value is None."""
        if value is not None:
            self.add(f"{column} != ?", [value])

    def ge(self, column: str, value: Any) -> None:
        """Add ``column >= value`` unless value is None."""
        if value is not None:
            self.add(f"{column} >= ?", [value])

    def le(self, column: str, value: Any) -> None:
        """Add ``column <= value`` unless value is None."""
        if value is not None:
            self.add(f"{column} <= ?", [value])

    def in_(self, column: str, values: list[Any] | None) -> None:
        """Add ``column IN (...)``; an empty given list matches nothing."""
        if values is None:
            return
        if not values:
            self.add("0")
            return
        self.add(f"{column} IN ({','.join('?' * len(values))})", values)

    def not_in(self, column: str, values: list[Any] | None) -> None:
        """Add ``column NOT IN (...)`` when values are given."""
        if values:
            self.add(f"{column} NOT IN ({','.join('?' * len(values))})", values)

    def starts(self, column: str, prefix: str | None) -> None:
        """Add a case-sensitive prefix match."""
        if prefix:
            self.add(f"substr({column}, 1, ?) = ?", [len(prefix), prefix])

    def sql(self) -> str:
        """Return the WHERE body."""
        return " AND ".join(self.clauses) or "1"


def csv(value: Any, cast: Callable[[str], T], limit: int | None = MAX_IN_VALUES) -> list[T] | None:
    """Split a CSV filter value (first ``limit`` items, 500 as ``baseObjectFilter::createSqlIn``);
    None when the filter is absent or empty."""
    if value is None or str(value).strip() == "":
        return None
    out: list[T] = []
    for item in str(value).split(","):
        item = item.strip()
        if item:
            try:
                out.append(cast(item))
            except ValueError:
                continue
    return out if limit is None else out[:limit]


def cut_sorted(
    values: list[T] | None, cut: int | None, key: Callable[[T], Any] | None = None
) -> list[T] | None:
    """IN on the index path: the values sorted (by ``key``), then the first ``cut`` kept.

    ``SphinxCriterion::getNonStringClause`` sorts an IN list ("solves sphinx IN bug") before it
    keeps ``MAX_IN_VALUES``: which values survive depends on their order, not the caller's.
    """
    if values is None or cut is None:
        return values
    return sorted(values, key=key)[:cut]  # type: ignore[arg-type,type-var]


def cut_first(values: list[T] | None, cut: int | None) -> list[T] | None:
    """NOT IN (and IN on text fields) on the index path: the first ``cut`` values, as given."""
    if values is None or cut is None:
        return values
    return values[:cut]


def order_parts(order_by: str | None, columns: dict[str, str], default: str = "") -> list[str]:
    """Translate ``"+createdAt,-name"`` into ORDER BY terms; unknown fields are dropped, as the
    server does (so there may be none)."""
    parts = []
    for item in (order_by or default).split(","):
        item = item.strip()
        if len(item) < 2 or item[0] not in "+-" or item[1:] not in columns:
            continue
        parts.append(f"{columns[item[1:]]} {'DESC' if item[0] == '-' else 'ASC'}")
    return parts


def order_sql(order_by: str | None, columns: dict[str, str], default: str) -> str:
    """Translate ``"+createdAt,-name"``; unknown fields are dropped, as the server does."""
    return ", ".join(order_parts(order_by, columns, default)) or "1"


def page_window(size: int, index: int, cap: int | None) -> tuple[int, int]:
    """Return (offset, limit); past the cap is ``QUERY_EXCEEDED_MAX_MATCHES_ALLOWED``."""
    offset = (index - 1) * size
    if cap is None:
        return offset, size
    if offset >= cap:
        raise KalturaApiException("QUERY_EXCEEDED_MAX_MATCHES_ALLOWED")
    return offset, min(size, cap - offset)
