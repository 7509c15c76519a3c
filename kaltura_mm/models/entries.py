"""Entries of every type (``KalturaBaseEntry`` and its subclasses), each as the ``...Params`` a
caller sends and the object the server returns, and the resources an entry's content comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kaltura_mm.enums import DocumentType, EntryStatus, EntryType, MediaType, ModerationStatus
from kaltura_mm.models.base import ShortRepr, extra_field

__all__ = [
    "BaseEntry",
    "BaseEntryParams",
    "DataEntry",
    "DocumentEntry",
    "DocumentEntryParams",
    "LiveStreamEntry",
    "MediaEntry",
    "MediaEntryParams",
    "PlaylistEntry",
    "Resource",
    "UploadedFileTokenResource",
    "UrlResource",
]


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
class BaseEntryParams(ShortRepr):
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
    extra: Mapping[str, Any] = extra_field()


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


@attrs.frozen(kw_only=True)
class UploadedFileTokenResource:
    """Content taken from an upload token (``KalturaUploadedFileTokenResource``)."""

    token: str


@attrs.frozen(kw_only=True)
class UrlResource:
    """Content the server fetches from a URL (``KalturaUrlResource``)."""

    url: str


Resource = UploadedFileTokenResource | UrlResource
