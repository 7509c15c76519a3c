"""Categories (``KalturaCategory``) and an entry's membership in one (``KalturaCategoryEntry``).

Categories, like entries, are built without slots (see ``kaltura_mm.models.entries``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kaltura_mm.enums import CategoryEntryStatus, CategoryStatus
from kaltura_mm.models.base import ShortRepr, extra_field

__all__ = ["Category", "CategoryEntry", "CategoryParams"]


@attrs.frozen(kw_only=True, repr=False, slots=False)
class CategoryParams(ShortRepr):
    """The fields of a category to send with ``category.add`` or ``update``; all optional."""

    parent_id: int | None = None
    name: str | None = None
    description: str | None = None
    tags: str | None = None
    admin_tags: str | None = None
    appear_in_list: int | None = None
    privacy: int | None = None
    inheritance_type: int | None = None
    default_permission_level: int | None = None
    owner: str | None = None
    reference_id: str | None = None
    contribution_policy: int | None = None
    privacy_context: str | None = None
    partner_sort_value: int | None = None
    partner_data: str | None = None
    default_order_by: str | None = None
    moderation: bool | None = None
    is_aggregation_category: bool | None = None
    aggregation_categories: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False, slots=False)
class Category(CategoryParams):
    """A category as the server returns it (``KalturaCategory``); ``full_name`` joins the path
    with ``>``, ``full_ids`` the ids on it. ``parent_id`` is 0 for a top-level category.

    The fields every category has (its id, place and names) are required.
    """

    id: int
    parent_id: int
    name: str
    full_name: str
    full_ids: str
    depth: int | None = None
    partner_id: int | None = None
    entries_count: int | None = None
    direct_entries_count: int | None = None
    direct_sub_categories_count: int | None = None
    pending_entries_count: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    members_count: int | None = None
    pending_members_count: int | None = None
    privacy_contexts: str | None = None
    status: CategoryStatus | None = None
    inherited_parent_id: int | None = None


@attrs.frozen(kw_only=True, repr=False)
class CategoryEntry(ShortRepr):
    """An entry's membership in a category (``KalturaCategoryEntry``).

    ``category_id`` and ``entry_id`` are required both ways: ``categoryEntry.add`` refuses a
    membership without them, and the server always returns them.
    """

    category_id: int
    entry_id: str
    created_at: int | None = None
    category_full_ids: str | None = None
    status: CategoryEntryStatus | None = None
    creator_user_id: str | None = None
    extra: Mapping[str, Any] = extra_field()
