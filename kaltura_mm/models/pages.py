"""A page of a list action (``ListPage``) and which page to ask for (``Pager``)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

__all__ = ["ListPage", "Pager"]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class ListPage(Generic[T]):
    """One page of a list action: the objects and the server's total count of matches."""

    objects: tuple[T, ...] = ()
    total_count: int = 0


def _check_page_size(_: Any, __: Any, value: int) -> None:
    if not 0 <= value <= 500:
        raise ValueError(f"page_size must be between 0 and 500 (the server's cap), got {value}")


def _check_page_index(_: Any, __: Any, value: int) -> None:
    if value < 1:
        raise ValueError(f"page_index starts at 1, got {value}")


@attrs.frozen(kw_only=True)
class Pager:
    """Which page of a list to fetch: ``page_size`` up to 500, ``page_index`` from 1."""

    page_size: int = attrs.field(default=30, validator=_check_page_size)
    page_index: int = attrs.field(default=1, validator=_check_page_index)
