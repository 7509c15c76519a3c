"""Kaltura values as frozen attrs classes, and Kaltura's enums with their real numbers.

Python names are snake_case; the codec (``kaltura_mm.protocol.codec``) maps them to the wire's
camelCase names and ``objectType`` strings, so this package holds no wire knowledge. Every object
keeps the fields this package does not model in ``extra`` (wire name -> raw value), so nothing a
server sends is lost. Move state with ``attrs.evolve``. The enums live in ``kaltura_mm.enums``
(re-exported here), so that code needing only an enum does not pay for building these classes.

One module per kind of object: ``entries`` (and the resources their content comes from),
``categories`` (and memberships), ``upload_tokens``, ``sessions`` (sessions, app tokens, roles),
``flavor_assets``, ``filters``, ``pages`` (``ListPage``, ``Pager``), and ``base`` (what they
share). Every name is importable from ``kaltura_mm.models`` as before the split.
"""

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
from kaltura_mm.models.base import ApiObject
from kaltura_mm.models.categories import Category, CategoryEntry, CategoryParams
from kaltura_mm.models.entries import (
    BaseEntry,
    BaseEntryParams,
    DataEntry,
    DocumentEntry,
    DocumentEntryParams,
    LiveStreamEntry,
    MediaEntry,
    MediaEntryParams,
    PlaylistEntry,
    Resource,
    UploadedFileTokenResource,
    UrlResource,
)
from kaltura_mm.models.filters import (
    AppTokenFilter,
    BaseEntryFilter,
    CategoryEntryFilter,
    CategoryFilter,
    Filter,
    FlavorAssetFilter,
    MediaEntryFilter,
    UploadTokenFilter,
    UserRoleFilter,
)
from kaltura_mm.models.flavor_assets import FlavorAsset
from kaltura_mm.models.pages import ListPage, Pager
from kaltura_mm.models.sessions import (
    AppToken,
    AppTokenParams,
    SessionInfo,
    UserRole,
    UserRoleParams,
    WidgetSession,
)
from kaltura_mm.models.upload_tokens import UploadToken, UploadTokenParams

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
