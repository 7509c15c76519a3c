"""Which entries to list: ``EntryQuery``, and the server filter it becomes."""

from __future__ import annotations

from typing import Any, Literal

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import (
    BaseEntryFilter,
    EntryStatus,
    EntryType,
    MediaEntryFilter,
    MediaType,
)

ANY_STATUS: tuple[EntryStatus, ...] = tuple(s for s in EntryStatus if s is not EntryStatus.DELETED)
"""Every status but DELETED: ready entries and those still importing, converting or failed."""

Order = Literal["+createdAt", "-createdAt", "+updatedAt", "-updatedAt", "+name", "-name"]


def _tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        return (value,)
    return tuple(value)


@attrs.frozen(kw_only=True)
class EntryQuery:
    """Which entries to list: a category's (direct or with sub-categories) or all, filtered.

    ``statuses=None`` lists READY entries only (the server's default); pass ``ANY_STATUS`` to
    include entries still importing or converting. ``media_types`` (video, image, audio) and
    ``entry_types`` (media clip, document...) narrow the kinds; ranges are Unix seconds,
    inclusive. ``order`` applies to page-by-page listing; listing everything is by creation time.
    """

    category_id: int | None = None
    include_subcategories: bool = False
    media_types: tuple[MediaType, ...] = attrs.field(default=(), converter=_tuple)
    entry_types: tuple[EntryType, ...] = attrs.field(default=(), converter=_tuple)
    statuses: tuple[EntryStatus, ...] | None = None
    free_text: str | None = None
    created_from: int | None = None
    created_to: int | None = None
    updated_from: int | None = None
    updated_to: int | None = None
    reference_id: str | None = None
    owner_user_id: str | None = None
    order: str = "+createdAt"

    def __attrs_post_init__(self) -> None:
        if self.category_id is not None and (
            isinstance(self.category_id, bool) or not isinstance(self.category_id, int)
        ):
            raise ConfigError(
                f"category_id must be an integer id such as 42, got {self.category_id!r}; "
                "resolve a path such as 'Root>Courses' with resolve_category first"
            )
        if self.statuses is not None and not self.statuses:
            raise ConfigError("statuses is empty: pass None for READY only, or ANY_STATUS")

    def to_filter(self, **overrides: Any) -> BaseEntryFilter:
        """Return the server filter for this query; ``overrides`` set further filter fields."""
        fields: dict[str, Any] = {
            "order_by": self.order,
            "type_in": self.entry_types or None,
            "status_in": self.statuses,
            "free_text": self.free_text,
            "created_at_greater_than_or_equal": self.created_from,
            "created_at_less_than_or_equal": self.created_to,
            "updated_at_greater_than_or_equal": self.updated_from,
            "updated_at_less_than_or_equal": self.updated_to,
            "reference_id_equal": self.reference_id,
            "user_id_equal": self.owner_user_id,
        }
        if self.category_id is not None:
            key = "category_ancestor_id_in" if self.include_subcategories else None
            fields[key or "categories_ids_match_or"] = (self.category_id,)
        fields.update(overrides)
        if self.media_types:
            # mediaTypeIn is silently ignored unless the filter is a KalturaMediaEntryFilter.
            return MediaEntryFilter(media_type_in=self.media_types, **fields)
        return BaseEntryFilter(**fields)
