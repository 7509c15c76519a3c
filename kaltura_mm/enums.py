"""Kaltura's enums with the server's real numbers (re-exported by ``kaltura_mm.models``).

A separate module so that configuration and KS code can use them without building the models.
"""

from __future__ import annotations

import enum
from typing import Any


class _LenientIntEnum(enum.IntEnum):
    """An IntEnum that keeps values it does not know as ``UNKNOWN_<n>`` pseudo-members."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        # Servers add values over time (plugins, new statuses); decoding must not fail on them.
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member


class EntryStatus(_LenientIntEnum):
    """Status of an entry (``KalturaEntryStatus``)."""

    ERROR_IMPORTING = -2
    ERROR_CONVERTING = -1
    IMPORT = 0
    PRECONVERT = 1
    READY = 2
    DELETED = 3
    PENDING = 4
    MODERATE = 5
    BLOCKED = 6
    NO_CONTENT = 7


class ReplacementStatus(_LenientIntEnum):
    """Where an entry's content replacement stands (``KalturaEntryReplacementStatus``).

    With ``FEATURE_ENTRY_REPLACEMENT_APPROVAL`` a replacement goes NOT_READY_AND_NOT_APPROVED,
    then READY_BUT_NOT_APPROVED, and waits for ``media.approveReplace``; FAILED stays until
    ``media.cancelReplace``.
    """

    NONE = 0
    APPROVED_BUT_NOT_READY = 1
    READY_BUT_NOT_APPROVED = 2
    NOT_READY_AND_NOT_APPROVED = 3
    FAILED = 4


class EntryType(_LenientIntEnum):
    """Type of an entry (``KalturaEntryType``)."""

    AUTOMATIC = -1
    MEDIA_CLIP = 1
    MIX = 2
    PLAYLIST = 5
    DATA = 6
    LIVE_STREAM = 7
    LIVE_CHANNEL = 8
    DOCUMENT = 10


class MediaType(_LenientIntEnum):
    """Media type of a media entry (``KalturaMediaType``)."""

    VIDEO = 1
    IMAGE = 2
    AUDIO = 5
    LIVE_STREAM_FLASH = 201
    LIVE_STREAM_WINDOWS_MEDIA = 202
    LIVE_STREAM_REAL_MEDIA = 203
    LIVE_STREAM_QUICKTIME = 204


class DocumentType(_LenientIntEnum):
    """Type of a document entry (``KalturaDocumentType``)."""

    DOCUMENT = 11
    SWF = 12
    PDF = 13


class ModerationStatus(_LenientIntEnum):
    """Moderation status of an entry (``KalturaEntryModerationStatus``)."""

    PENDING_MODERATION = 1
    APPROVED = 2
    REJECTED = 3
    FLAGGED_FOR_REVIEW = 5
    AUTO_APPROVED = 6


class UploadTokenStatus(_LenientIntEnum):
    """Status of an upload token (``KalturaUploadTokenStatus``)."""

    PENDING = 0
    PARTIAL_UPLOAD = 1
    FULL_UPLOAD = 2
    CLOSED = 3
    TIMED_OUT = 4
    DELETED = 5


class FlavorAssetStatus(_LenientIntEnum):
    """Status of a flavor asset (``KalturaFlavorAssetStatus``, with ``KalturaAssetStatus``)."""

    ERROR = -1
    QUEUED = 0
    CONVERTING = 1
    READY = 2
    DELETED = 3
    NOT_APPLICABLE = 4
    TEMP = 5
    WAIT_FOR_CONVERT = 6
    IMPORTING = 7
    VALIDATING = 8
    EXPORTING = 9


class CategoryEntryStatus(_LenientIntEnum):
    """Status of an entry's membership in a category (``KalturaCategoryEntryStatus``)."""

    PENDING = 1
    ACTIVE = 2
    DELETED = 3
    REJECTED = 4


class CategoryStatus(_LenientIntEnum):
    """Status of a category (``KalturaCategoryStatus``)."""

    UPDATING = 1
    ACTIVE = 2
    DELETED = 3
    PURGED = 4


class SessionType(_LenientIntEnum):
    """Type of a Kaltura session (``KalturaSessionType``)."""

    USER = 0
    ADMIN = 2


class AppTokenStatus(_LenientIntEnum):
    """Status of an application token (``KalturaAppTokenStatus``)."""

    DISABLED = 1
    ACTIVE = 2
    DELETED = 3


class UserRoleStatus(_LenientIntEnum):
    """Status of a user role (``KalturaUserRoleStatus``)."""

    ACTIVE = 1
    BLOCKED = 2
    DELETED = 3


class AppTokenHashType(enum.StrEnum):
    """How an app token's ``tokenHash`` is made (``KalturaAppTokenHashType``); SHA256 is best."""

    MD5 = "MD5"
    SHA1 = "SHA1"
    SHA256 = "SHA256"
    SHA512 = "SHA512"

    @classmethod
    def parse(cls, value: Any) -> AppTokenHashType:
        """Return the hash type ``value`` names (``"sha256"``, ``"SHA256"``...), or refuse it."""
        text = value.value if isinstance(value, cls) else value
        if isinstance(text, str) and text.strip().upper() in cls.__members__:
            return cls[text.strip().upper()]
        from kaltura_mm.errors import ConfigError

        names = ", ".join(kind.value.lower() for kind in cls)
        raise ConfigError(f"unknown app token hash type {value!r}: use one of {names}")
