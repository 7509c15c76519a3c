"""Kaltura values as frozen attrs classes, and Kaltura's enums with their real numbers.

Python names are snake_case; the codec (``kaltura_mm.protocol.codec``) maps them to the wire's
camelCase names and ``objectType`` strings, so this module holds no wire knowledge. Every object
keeps the fields this package does not model in ``extra`` (wire name -> raw value), so nothing a
server sends is lost. Move state with ``attrs.evolve``. The enums live in ``kaltura_mm.enums``
(re-exported here), so that code needing only an enum does not pay for building these classes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import attrs

from kaltura_mm.enums import (
    AppTokenStatus,
    CategoryEntryStatus,
    CategoryStatus,
    DocumentType,
    EntryStatus,
    EntryType,
    FlavorAssetStatus,
    MediaType,
    ModerationStatus,
    SessionType,
    UploadTokenStatus,
    UserRoleStatus,
)

__all__ = [
    "ApiObject",
    "AppToken",
    "AppTokenFilter",
    "AppTokenParams",
    "AppTokenStatus",
    "BaseEntry",
    "BaseEntryFilter",
    "BaseEntryParams",
    "Category",
    "CategoryEntry",
    "CategoryEntryFilter",
    "CategoryEntryStatus",
    "CategoryFilter",
    "CategoryParams",
    "CategoryStatus",
    "DataEntry",
    "DocumentEntry",
    "DocumentEntryParams",
    "DocumentType",
    "EntryStatus",
    "EntryType",
    "Filter",
    "FlavorAsset",
    "FlavorAssetFilter",
    "FlavorAssetStatus",
    "ListPage",
    "LiveStreamEntry",
    "MediaEntry",
    "MediaEntryFilter",
    "MediaEntryParams",
    "MediaType",
    "ModerationStatus",
    "Pager",
    "PlaylistEntry",
    "Resource",
    "SessionInfo",
    "SessionType",
    "UploadToken",
    "UploadTokenFilter",
    "UploadTokenParams",
    "UploadTokenStatus",
    "UploadedFileTokenResource",
    "UrlResource",
    "UserRole",
    "UserRoleFilter",
    "UserRoleParams",
    "UserRoleStatus",
    "WidgetSession",
]

T = TypeVar("T")


def _frozen_extra(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def _extra() -> Any:
    return attrs.field(factory=dict, converter=_frozen_extra, repr=False, eq=False)


class _ShortRepr:
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


# Each kind of object comes in two shapes, as in stripe-python's ``Customer`` and
# ``CustomerCreateParams``: ``...Params``, what a caller sends to create or change one (its
# writable fields, every one optional), and the object the server returns (a subclass adding the
# server-owned fields), whose fields the server always sends are required: a returned entry has
# its ``id`` typed ``str``, not ``str | None``. A returned object is also a valid ``...Params``.
#
# Entries and categories come by the thousand and have up to seventy fields: without slots an
# instance is built with one ``__dict__.update`` (``kaltura_mm.protocol.build``), where setting
# seventy slots one by one cost more than parsing the JSON. The price: about 1 KiB more each.
@attrs.frozen(kw_only=True, repr=False, slots=False)
class BaseEntryParams(_ShortRepr):
    """The fields of an entry to send with ``baseEntry.add`` or ``update``; all optional."""

    name: str | None = None
    description: str | None = None
    user_id: str | None = None
    creator_id: str | None = None
    tags: str | None = None
    admin_tags: str | None = None
    categories: str | None = None
    categories_ids: str | None = None
    type: EntryType | None = None
    group_id: int | None = None
    partner_data: str | None = None
    license_type: int | None = None
    access_control_id: int | None = None
    start_date: int | None = None
    end_date: int | None = None
    reference_id: str | None = None
    partner_sort_value: int | None = None
    conversion_profile_id: int | None = None
    redirect_entry_id: str | None = None
    parent_entry_id: str | None = None
    entitled_users_edit: str | None = None
    entitled_users_publish: str | None = None
    entitled_users_view: str | None = None
    template_entry_id: str | None = None
    display_in_search: int | None = None
    application: str | None = None
    application_version: str | None = None
    block_auto_transcript: bool | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False, slots=False)
class BaseEntry(BaseEntryParams):
    """An entry of any type, as the server returns it (``KalturaBaseEntry``).

    ``id`` is required: the server always sends it. ``partner_id`` is not, though it is always
    set: a list with a response profile returns only the fields it names
    (``tests/payloads/list-media-entry-trimmed.json``: ``id``, ``name``, ``type``).
    """

    id: str
    partner_id: int | None = None
    status: EntryStatus | None = None
    moderation_status: ModerationStatus | None = None
    moderation_count: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    rank: float | None = None
    total_rank: int | None = None
    votes: int | None = None
    download_url: str | None = None
    search_text: str | None = None
    version: int | None = None
    thumbnail_url: str | None = None
    replacing_entry_id: str | None = None
    replaced_entry_id: str | None = None
    replacement_status: int | None = None
    root_entry_id: str | None = None
    capabilities: str | None = None
    default_language: str | None = None
    response_language: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False)
class MediaEntryParams(BaseEntryParams):
    """The fields of a video, audio or image entry to send with ``add`` or ``update``."""

    ms_duration: int | None = None
    media_type: MediaType | None = None
    conversion_quality: str | None = None
    source_type: str | None = None
    source_version: str | None = None
    search_provider_type: int | None = None
    search_provider_id: str | None = None
    credit_user_name: str | None = None
    credit_url: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False)
class MediaEntry(BaseEntry, MediaEntryParams):
    """A video, audio or image entry (``KalturaMediaEntry``, with ``KalturaPlayableEntry``)."""

    plays: int | None = None
    views: int | None = None
    last_played_at: int | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    duration_type: str | None = None
    media_date: int | None = None
    data_url: str | None = None
    flavor_params_ids: str | None = None
    is_trim_disabled: bool | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False)
class DocumentEntryParams(BaseEntryParams):
    """The fields of a document entry to send with ``add`` or ``update``."""

    document_type: DocumentType | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False)
class DocumentEntry(BaseEntry, DocumentEntryParams):
    """A document entry: PDF, SWF or other document (``KalturaDocumentEntry``)."""

    asset_params_ids: str | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False)
class LiveStreamEntry(MediaEntry):
    """A live stream (``KalturaLiveStreamEntry``); broadcast URLs and password stay out of reprs."""

    stream_name: str | None = None
    live_status: int | None = None
    record_status: int | None = None
    dvr_status: int | None = None
    dvr_window: int | None = None
    recorded_entry_id: str | None = None
    first_broadcast: int | None = None
    last_broadcast: int | None = None
    primary_broadcasting_url: str | None = attrs.field(default=None, repr=False)
    secondary_broadcasting_url: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True, repr=False, slots=False)
class PlaylistEntry(BaseEntry):
    """A playlist (``KalturaPlaylist``): static (entry ids) or dynamic (filters)."""

    playlist_content: str | None = None
    playlist_type: int | None = None
    plays: int | None = None
    views: int | None = None
    duration: int | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False)
class DataEntry(BaseEntry):
    """A data entry (``KalturaDataEntry``): text content stored on the server."""

    data_content: str | None = None
    retrieve_data_content_by_get: bool | None = None


@attrs.frozen(kw_only=True, repr=False, slots=False)
class CategoryParams(_ShortRepr):
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
    extra: Mapping[str, Any] = _extra()


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
class CategoryEntry(_ShortRepr):
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
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class UploadTokenParams(_ShortRepr):
    """The fields of an upload token to send with ``uploadToken.add``; all optional."""

    file_name: str | None = None
    file_size: int | None = None
    auto_finalize: bool | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class UploadToken(UploadTokenParams):
    """A server-side upload slot that receives a file in one or more parts (``KalturaUploadToken``).

    ``uploaded_file_size`` is the number of bytes contiguous from offset 0 the server holds.
    """

    id: str
    partner_id: int | None = None
    user_id: str | None = None
    status: UploadTokenStatus | None = None
    uploaded_file_size: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    upload_url: str | None = None
    attached_object_type: str | None = None
    attached_object_id: str | None = None


@attrs.frozen(kw_only=True, repr=False)
class FlavorAsset(_ShortRepr):
    """One rendition of an entry's media (``KalturaFlavorAsset``, a ``KalturaAsset``): the
    source (``is_original``, ``flavor_params_id`` 0) holds the file the entry was made or last
    replaced from; the others are its conversions. Read-only here.

    ``size`` is in KB as ``KalturaAsset`` documents it (the server fills it from more than one
    place, not always in KB); ``size_in_bytes`` is exact where the server sends it. ``version``
    rises each time the asset's file changes: a replacement swaps the new file into the same
    asset (``asset::linkFromAsset``), so the source's ``version`` moves where the entry's does
    not. ``id`` and ``entry_id`` are required: the server always sends them.
    """

    id: str
    entry_id: str
    partner_id: int | None = None
    version: int | None = None
    size: int | None = None
    size_in_bytes: int | None = None
    tags: str | None = None
    file_ext: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    deleted_at: int | None = None
    description: str | None = None
    partner_data: str | None = None
    partner_description: str | None = None
    actual_source_asset_params_ids: str | None = None
    flavor_params_id: int | None = None
    width: int | None = None
    height: int | None = None
    bitrate: int | None = None
    frame_rate: float | None = None
    is_original: bool | None = None
    is_web: bool | None = None
    container_format: str | None = None
    video_codec_id: str | None = None
    status: FlavorAssetStatus | None = None
    language: str | None = None
    label: str | None = None
    is_default: bool | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True)
class WidgetSession:
    """The answer of ``session.startWidgetSession``; the KS is hidden from ``repr``."""

    partner_id: int | None = None
    ks: str | None = attrs.field(default=None, repr=False)
    user_id: str | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True)
class SessionInfo:
    """A session the server started (``KalturaSessionInfo``): ``appToken.startSession``'s answer.

    ``expiry`` is the KS's end, in the server's Unix seconds. The KS is hidden from ``repr``.
    """

    ks: str | None = attrs.field(default=None, repr=False)
    session_type: SessionType | None = None
    partner_id: int | None = None
    user_id: str | None = None
    expiry: int | None = None
    privileges: str | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class AppTokenParams(_ShortRepr):
    """The fields of an application token to send with ``appToken.add``; all optional.

    ``session_type``, ``session_user_id`` and ``session_privileges`` override what
    ``appToken.startSession`` asks for; ``expiry`` is the token's own end (Unix seconds),
    ``session_duration`` the longest session made from it.
    """

    expiry: int | None = None
    session_type: SessionType | None = None
    session_user_id: str | None = None
    session_duration: int | None = None
    session_privileges: str | None = None
    hash_type: str | None = None
    description: str | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class AppToken(AppTokenParams):
    """An application token (``KalturaAppToken``): sessions made from it need no admin secret.

    ``token`` is the secret itself (the server shows it to whoever may read app tokens): it is
    never shown in ``repr``.
    """

    id: str
    token: str | None = attrs.field(default=None, repr=False)
    partner_id: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    status: AppTokenStatus | None = None


@attrs.frozen(kw_only=True, repr=False)
class UserRoleParams(_ShortRepr):
    """The fields of a role to send with ``userRole.add``; all optional."""

    name: str | None = None
    system_name: str | None = None
    description: str | None = None
    status: UserRoleStatus | None = None
    permission_names: str | None = None
    tags: str | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class UserRole(UserRoleParams):
    """A role: a named set of permissions (``KalturaUserRole``); a KS takes one by ``setrole``."""

    id: int
    partner_id: int | None = None
    created_at: int | None = None
    updated_at: int | None = None


@attrs.frozen(kw_only=True)
class ApiObject:
    """A Kaltura object of a type this package does not model: its ``objectType`` and fields."""

    object_type: str
    extra: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_extra, eq=False)


@attrs.frozen(kw_only=True)
class ListPage(Generic[T]):
    """One page of a list action: the objects and the server's total count of matches."""

    objects: tuple[T, ...] = ()
    total_count: int = 0


@attrs.frozen(kw_only=True)
class UploadedFileTokenResource:
    """Content taken from an upload token (``KalturaUploadedFileTokenResource``)."""

    token: str


@attrs.frozen(kw_only=True)
class UrlResource:
    """Content the server fetches from a URL (``KalturaUrlResource``)."""

    url: str


Resource = UploadedFileTokenResource | UrlResource


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
class BaseEntryFilter(_ShortRepr):
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
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class MediaEntryFilter(BaseEntryFilter):
    """Filter for media entries; needed for ``media_type_equal`` to have any effect."""

    media_type_equal: MediaType | None = None
    media_type_in: tuple[MediaType, ...] | None = _csv_field()


@attrs.frozen(kw_only=True, repr=False)
class CategoryFilter(_ShortRepr):
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
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class CategoryEntryFilter(_ShortRepr):
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
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class UploadTokenFilter(_ShortRepr):
    """Filter for ``uploadToken.list``."""

    order_by: str | None = None
    id_equal: str | None = None
    id_in: tuple[str, ...] | None = _csv_field()
    user_id_equal: str | None = None
    status_equal: UploadTokenStatus | None = None
    status_in: tuple[UploadTokenStatus, ...] | None = _csv_field()
    file_name_equal: str | None = None
    file_size_equal: int | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class FlavorAssetFilter(_ShortRepr):
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
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class AppTokenFilter(_ShortRepr):
    """Filter for ``appToken.list``."""

    order_by: str | None = None
    id_equal: str | None = None
    id_in: tuple[str, ...] | None = _csv_field()
    status_equal: AppTokenStatus | None = None
    status_in: tuple[AppTokenStatus, ...] | None = _csv_field()
    session_user_id_equal: str | None = None
    extra: Mapping[str, Any] = _extra()


@attrs.frozen(kw_only=True, repr=False)
class UserRoleFilter(_ShortRepr):
    """Filter for ``userRole.list``."""

    order_by: str | None = None
    id_equal: int | None = None
    id_in: tuple[int, ...] | None = _csv_field()
    name_equal: str | None = None
    system_name_equal: str | None = None
    status_equal: UserRoleStatus | None = None
    extra: Mapping[str, Any] = _extra()


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


Filter = (
    BaseEntryFilter
    | CategoryFilter
    | CategoryEntryFilter
    | UploadTokenFilter
    | FlavorAssetFilter
    | AppTokenFilter
    | UserRoleFilter
)
