"""The rows the model stores (its MySQL), with the real status enums.

Rows are mutable on purpose: they are the server's database. Everything a request reads from a
row it copies first (see ``uploads.TokenView``), so a request can act on a stale view of a row,
as a PHP request acts on the Propel object it loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# entryStatus (alpha/lib/enums/entryStatus.php)
ERROR_IMPORTING, ERROR_CONVERTING, IMPORT, PRECONVERT, READY = -2, -1, 0, 1, 2
DELETED, PENDING, MODERATE, BLOCKED, NO_CONTENT = 3, 4, 5, 6, 7
ENTRY_STATUSES = frozenset({-2, -1, 0, 1, 2, 3, 4, 5, 6, 7})

# entryType
AUTOMATIC, MEDIA_CLIP, DOCUMENT = -1, 1, 10
ENTRY_TYPES = frozenset({-1, 1, 2, 5, 6, 7, 8, 10})

# KalturaMediaType
VIDEO, IMAGE, AUDIO = 1, 2, 5

# KalturaUploadTokenStatus (UploadToken::UPLOAD_TOKEN_*)
TOKEN_PENDING, PARTIAL_UPLOAD, FULL_UPLOAD, CLOSED, TIMED_OUT, TOKEN_DELETED = 0, 1, 2, 3, 4, 5
OPEN_TOKEN_STATUSES = frozenset({TOKEN_PENDING, PARTIAL_UPLOAD, FULL_UPLOAD})

# CategoryEntryStatus / CategoryStatus
CE_PENDING, CE_ACTIVE, CE_DELETED = 1, 2, 3
CATEGORY_ACTIVE, CATEGORY_DELETED = 2, 3


@dataclass(slots=True)
class Entry:
    """One ``entry`` row, plus what the model needs to know about its content."""

    id: str
    int_id: int
    partner_id: int
    user_id: str
    name: str
    type: int
    status: int
    created_at: int
    updated_at: int
    media_type: int | None = None
    reference_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    content: bytes | None = None
    ready_at: float | None = None
    asset_id: str | None = None  # the source flavor asset (not an image's: it has none)
    pending_token: str | None = None
    version: int = 0  # the entry's data file's: only an image's content raises it


# KalturaFlavorAssetStatus
ASSET_ERROR, ASSET_QUEUED, ASSET_READY, ASSET_DELETED, ASSET_IMPORTING = -1, 0, 2, 3, 7


@dataclass(slots=True)
class FlavorAsset:
    """One source ``flavor_asset`` row (``flavorParamsId`` 0, ``isOriginal``); ``size`` is in
    bytes until converted, then KB (the sandbox's ``flavor_assets`` rules)."""

    id: str
    partner_id: int
    entry_id: str
    status: int
    version: int
    created_at: int
    updated_at: int
    file_ext: str | None = None
    size: int = 0
    size_in_bytes: int = 0
    deleted_at: int | None = None


@dataclass(slots=True)
class Token:
    """One ``upload_token`` row, and the token's file on "disk".

    ``data`` is the file at ``uploadTempPath`` (shared by every request, as the disk is);
    ``pending`` the ``{path}.chunk.{offset}`` files. The columns (``status``,
    ``uploaded_file_size``, ``has_temp_path``…) are what ``save()`` wrote last.
    """

    id: str
    partner_id: int
    user_id: str
    status: int
    created_at: int
    updated_at: int
    file_name: str = ""
    file_size: float | None = None
    uploaded_file_size: int | None = None
    has_temp_path: bool = False
    attached_type: str | None = None
    attached_id: str | None = None
    entry_id: str | None = None  # the entry behind ``attached_id`` (not an API field)
    data: bytearray | None = None
    pending: dict[int, bytes] = field(default_factory=dict)


@dataclass(slots=True)
class Category:
    """One ``category`` row."""

    id: int
    partner_id: int
    parent_id: int
    name: str
    full_name: str
    full_ids: str
    depth: int
    created_at: int
    updated_at: int
    status: int = CATEGORY_ACTIVE
    extra: dict[str, Any] = field(default_factory=dict)
    privacy_context: str = ""  # its own (``privacyContext``)
    privacy_contexts: str = ""  # its own and its ancestors' (``privacyContexts``): the rules


@dataclass(slots=True)
class CategoryEntry:
    """One ``category_entry`` row."""

    category_id: int
    entry_id: str
    partner_id: int
    status: int
    created_at: int
    creator_user_id: str
