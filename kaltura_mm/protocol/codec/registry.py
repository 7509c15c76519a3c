"""The ``objectType`` registry: which model each Kaltura class decodes to, which class each model
encodes as, Kaltura's own parents of the classes not modelled, the properties the server owns,
and the wire name of each model field.
"""

from __future__ import annotations

import typing
from typing import Any

import attrs

from kaltura_mm import models as m

OBJECT_TYPES: dict[str, type] = {
    "KalturaBaseEntry": m.BaseEntry,
    "KalturaMediaEntry": m.MediaEntry,
    "KalturaDocumentEntry": m.DocumentEntry,
    "KalturaLiveStreamEntry": m.LiveStreamEntry,
    "KalturaPlaylist": m.PlaylistEntry,
    "KalturaDataEntry": m.DataEntry,
    "KalturaCategory": m.Category,
    "KalturaCategoryEntry": m.CategoryEntry,
    "KalturaUploadToken": m.UploadToken,
    "KalturaFlavorAsset": m.FlavorAsset,
    "KalturaStartWidgetSessionResponse": m.WidgetSession,
    "KalturaSessionInfo": m.SessionInfo,
    "KalturaAppToken": m.AppToken,
    "KalturaUserRole": m.UserRole,
    "KalturaUploadedFileTokenResource": m.UploadedFileTokenResource,
    "KalturaUrlResource": m.UrlResource,
    "KalturaBaseEntryFilter": m.BaseEntryFilter,
    "KalturaMediaEntryFilter": m.MediaEntryFilter,
    "KalturaCategoryFilter": m.CategoryFilter,
    "KalturaCategoryEntryFilter": m.CategoryEntryFilter,
    "KalturaUploadTokenFilter": m.UploadTokenFilter,
    "KalturaFlavorAssetFilter": m.FlavorAssetFilter,
    "KalturaAppTokenFilter": m.AppTokenFilter,
    "KalturaUserRoleFilter": m.UserRoleFilter,
    "KalturaFilterPager": m.Pager,
}
# The shapes a caller sends to create or change an object encode as the object's own type.
PARAMS_TYPES: dict[type, str] = {
    m.BaseEntryParams: "KalturaBaseEntry",
    m.MediaEntryParams: "KalturaMediaEntry",
    m.DocumentEntryParams: "KalturaDocumentEntry",
    m.CategoryParams: "KalturaCategory",
    m.UploadTokenParams: "KalturaUploadToken",
    m.AppTokenParams: "KalturaAppToken",
    m.UserRoleParams: "KalturaUserRole",
}
WIRE_NAMES: dict[type, str] = {cls: name for name, cls in OBJECT_TYPES.items()} | PARAMS_TYPES

# Kaltura classes we do not model, with their parent in Kaltura's own hierarchy.
PARENTS: dict[str, str] = {
    "KalturaPlayableEntry": "KalturaBaseEntry",
    "KalturaMixEntry": "KalturaPlayableEntry",
    "KalturaLiveEntry": "KalturaMediaEntry",
    "KalturaLiveStreamAdminEntry": "KalturaLiveStreamEntry",
    "KalturaLiveChannel": "KalturaLiveEntry",
    "KalturaExternalMediaEntry": "KalturaMediaEntry",
    "KalturaLiveAsset": "KalturaFlavorAsset",  # a live entry's recordings list as flavors
    "KalturaWidevineFlavorAsset": "KalturaFlavorAsset",
}

# Properties the server owns: sending them on insert fails, so the encoder leaves them out.
_ENTRY_RO = {
    "id", "partnerId", "status", "moderationStatus", "moderationCount", "createdAt", "updatedAt",
    "rank", "totalRank", "votes", "downloadUrl", "searchText", "version", "thumbnailUrl",
    "replacingEntryId", "replacedEntryId", "replacementStatus", "rootEntryId", "capabilities",
    "defaultLanguage", "responseLanguage", "plays", "views", "lastPlayedAt", "width", "height",
    "duration", "durationType", "mediaDate", "dataUrl", "flavorParamsIds", "isTrimDisabled",
    "assetParamsIds",
}  # fmt: skip
READ_ONLY: dict[type, frozenset[str]] = {
    m.BaseEntry: frozenset(_ENTRY_RO),
    m.MediaEntry: frozenset(_ENTRY_RO),
    m.DocumentEntry: frozenset(_ENTRY_RO),
    m.LiveStreamEntry: frozenset(_ENTRY_RO),
    m.PlaylistEntry: frozenset(_ENTRY_RO),
    m.DataEntry: frozenset(_ENTRY_RO),
    m.Category: frozenset({
        "id", "depth", "partnerId", "fullName", "fullIds", "entriesCount", "directEntriesCount",
        "createdAt", "updatedAt", "membersCount", "pendingMembersCount", "privacyContexts",
        "status", "inheritedParentId", "directSubCategoriesCount", "pendingEntriesCount",
    }),
    m.CategoryEntry: frozenset({"createdAt", "categoryFullIds", "status", "creatorUserId"}),
    m.UploadToken: frozenset({
        "id", "partnerId", "userId", "status", "uploadedFileSize", "createdAt", "updatedAt",
        "uploadUrl", "attachedObjectType", "attachedObjectId",
    }),
    m.AppToken: frozenset({"id", "token", "partnerId", "createdAt", "updatedAt", "status"}),
    m.UserRole: frozenset({"id", "partnerId", "createdAt", "updatedAt"}),
}  # fmt: skip
FILTER_TYPES = (
    m.BaseEntryFilter,
    m.CategoryFilter,
    m.CategoryEntryFilter,
    m.UploadTokenFilter,
    m.FlavorAssetFilter,
    m.AppTokenFilter,
    m.UserRoleFilter,
)


def camel(name: str) -> str:
    """Return the wire name of a Python field name (``categories_ids`` -> ``categoriesIds``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


_FIELDS: dict[type, dict[str, tuple[str, Any]]] = {}


def wire_fields(cls: Any) -> dict[str, tuple[str, Any]]:
    """Map wire name -> (python name, resolved type) for an attrs class (cached per class)."""
    known = _FIELDS.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls)
        known = {camel(f.name): (f.name, hints[f.name]) for f in attrs.fields(cls)}
        known.pop("extra", None)
        _FIELDS[cls] = known
    return known
