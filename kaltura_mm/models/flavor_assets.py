"""Flavor assets (``KalturaFlavorAsset``): the renditions of an entry's media."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kaltura_mm.enums import FlavorAssetStatus
from kaltura_mm.models.base import ShortRepr, extra_field

__all__ = ["FlavorAsset"]


@attrs.frozen(kw_only=True, repr=False)
class FlavorAsset(ShortRepr):
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
    extra: Mapping[str, Any] = extra_field()
