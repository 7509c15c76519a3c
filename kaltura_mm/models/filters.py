"""The filters of the list actions (``Kaltura...Filter``): unset fields are not sent, and an
``...In`` field takes a sequence, a single value or a CSV string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from kaltura_mm.enums import (
    AppTokenStatus,
    CategoryEntryStatus,
    CategoryStatus,
    EntryStatus,
    EntryType,
    FlavorAssetStatus,
    MediaType,
    UploadTokenStatus,
    UserRoleStatus,
)
from kaltura_mm.models.base import ShortRepr, extra_field

__all__ = [
    "AppTokenFilter",
    "BaseEntryFilter",
    "CategoryEntryFilter",
    "CategoryFilter",
    "Filter",
    "FlavorAssetFilter",
    "MediaEntryFilter",
    "UploadTokenFilter",
    "UserRoleFilter",
]


def _csv_values(value: Iterable[Any] | str | int | None) -> tuple[Any, ...] | None:
    """Accept a sequence, a single value or a CSV string for an ``...In`` filter field."""
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(v for v in value.split(",") if v)
    if isinstance(value, int):
        return (value,)
    return tuple(value)


def _csv_field() -> Any:
    return attrs.field(default=None, converter=_csv_values)


@attrs.frozen(kw_only=True, repr=False)
class BaseEntryFilter(ShortRepr):
    """Filter for ``baseEntry.list``; unset fields are not sent. ``extra`` adds raw wire fields.

    Note that the server lists only READY entries unless a status filter is given.
    """

    order_by: str | None = None
    id_equal: str | None = None
    id_in: tuple[str, ...] | None = _csv_field()
    id_not_in: tuple[str, ...] | None = _csv_field()
    name_like: str | None = None
    name_equal: str | None = None
    user_id_equal: str | None = None
    tags_like: str | None = None
    tags_multi_like_or: str | None = None
    tags_multi_like_and: str | None = None
    categories_ids_match_or: tuple[int, ...] | None = _csv_field()
    categories_ids_match_and: tuple[int, ...] | None = _csv_field()
    categories_ids_not_contains: tuple[int, ...] | None = _csv_field()
    categories_ids_empty: bool | None = None
    category_ancestor_id_in: tuple[int, ...] | None = _csv_field()
    categories_full_name_in: tuple[str, ...] | None = _csv_field()
    status_equal: EntryStatus | None = None
    status_in: tuple[EntryStatus, ...] | None = _csv_field()
    status_not_in: tuple[EntryStatus, ...] | None = _csv_field()
    type_equal: EntryType | None = None
    type_in: tuple[EntryType, ...] | None = _csv_field()
    created_at_greater_than_or_equal: int | None = None
    created_at_less_than_or_equal: int | None = None
    updated_at_greater_than_or_equal: int | None = None
    updated_at_less_than_or_equal: int | None = None
    reference_id_equal: str | None = None
    reference_id_in: tuple[str, ...] | None = _csv_field()
    free_text: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class MediaEntryFilter(BaseEntryFilter):
    """Filter for media entries; needed for ``media_type_equal`` to have any effect."""

    media_type_equal: MediaType | None = None
    media_type_in: tuple[MediaType, ...] | None = _csv_field()


@attrs.frozen(kw_only=True, repr=False)
class CategoryFilter(ShortRepr):
    """Filter for ``category.list``."""

    order_by: str | None = None
    id_equal: int | None = None
    id_in: tuple[int, ...] | None = _csv_field()
    parent_id_equal: int | None = None
    parent_id_in: tuple[int, ...] | None = _csv_field()
    depth_equal: int | None = None
    full_name_equal: str | None = None
    full_name_starts_with: str | None = None
    full_name_in: tuple[str, ...] | None = _csv_field()
    full_ids_starts_with: str | None = None
    ancestor_id_in: tuple[int, ...] | None = _csv_field()
    reference_id_equal: str | None = None
    free_text: str | None = None
    status_equal: CategoryStatus | None = None
    status_in: tuple[CategoryStatus, ...] | None = _csv_field()
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class CategoryEntryFilter(ShortRepr):
    """Filter for ``categoryEntry.list``; non-admin sessions must filter on entry or category."""

    order_by: str | None = None
    category_id_equal: int | None = None
    category_id_in: tuple[int, ...] | None = _csv_field()
    entry_id_equal: str | None = None
    entry_id_in: tuple[str, ...] | None = _csv_field()
    category_full_ids_starts_with: str | None = None
    status_equal: CategoryEntryStatus | None = None
    status_in: tuple[CategoryEntryStatus, ...] | None = _csv_field()
    creator_user_id_equal: str | None = None
    created_at_greater_than_or_equal: int | None = None
    created_at_less_than_or_equal: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class UploadTokenFilter(ShortRepr):
    """Filter for ``uploadToken.list``."""

    order_by: str | None = None
    id_equal: str | None = None
    id_in: tuple[str, ...] | None = _csv_field()
    user_id_equal: str | None = None
    status_equal: UploadTokenStatus | None = None
    status_in: tuple[UploadTokenStatus, ...] | None = _csv_field()
    file_name_equal: str | None = None
    file_size_equal: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class FlavorAssetFilter(ShortRepr):
    """Filter for ``flavorAsset.list``: the server refuses one without ``entry_id_equal`` or
    ``entry_id_in`` (``KalturaAssetFilter::validateEntryIdsFiltered``). It lists every asset
    but deleted ones; ``flavor_params_id_equal=0`` keeps each entry's source."""

    order_by: str | None = None
    id_equal: str | None = None
    id_in: tuple[str, ...] | None = _csv_field()
    entry_id_equal: str | None = None
    entry_id_in: tuple[str, ...] | None = _csv_field()
    flavor_params_id_equal: int | None = None
    flavor_params_id_in: tuple[int, ...] | None = _csv_field()
    status_equal: FlavorAssetStatus | None = None
    status_in: tuple[FlavorAssetStatus, ...] | None = _csv_field()
    status_not_in: tuple[FlavorAssetStatus, ...] | None = _csv_field()
    size_greater_than_or_equal: int | None = None
    size_less_than_or_equal: int | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class AppTokenFilter(ShortRepr):
    """Filter for ``appToken.list``."""

    order_by: str | None = None
    id_equal: str | None = None
    id_in: tuple[str, ...] | None = _csv_field()
    status_equal: AppTokenStatus | None = None
    status_in: tuple[AppTokenStatus, ...] | None = _csv_field()
    session_user_id_equal: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class UserRoleFilter(ShortRepr):
    """Filter for ``userRole.list``."""

    order_by: str | None = None
    id_equal: int | None = None
    id_in: tuple[int, ...] | None = _csv_field()
    name_equal: str | None = None
    system_name_equal: str | None = None
    status_equal: UserRoleStatus | None = None
    extra: Mapping[str, Any] = extra_field()


Filter = (
    BaseEntryFilter
    | CategoryFilter
    | CategoryEntryFilter
    | UploadTokenFilter
    | FlavorAssetFilter
    | AppTokenFilter
    | UserRoleFilter
)
