"""Upload tokens (``KalturaUploadToken``): the server-side slots a file is uploaded into."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kaltura_mm.enums import UploadTokenStatus
from kaltura_mm.models.base import ShortRepr, extra_field

__all__ = ["UploadToken", "UploadTokenParams"]


@attrs.frozen(kw_only=True, repr=False)
class UploadTokenParams(ShortRepr):
    """The fields of an upload token to send with ``uploadToken.add``; all optional."""

    file_name: str | None = None
    file_size: int | None = None
    auto_finalize: bool | None = None
    extra: Mapping[str, Any] = extra_field()


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
