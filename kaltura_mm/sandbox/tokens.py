"""Upload token records: statuses, the API view, lookups and saves shared by the token actions.

A token keeps two sizes. ``data_size`` is the length of its contiguous data, the real server's end
of file, which placement works from and which only grows while the token is open.
``uploaded_file_size`` is what the API reports: the view the last ``upload`` request to finish
saved (``kUploadTokenMgr``: last writer wins), which can be smaller than the data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kaltura_mm.sandbox import ids
from kaltura_mm.sandbox.actions import ActionCall
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.schema import KInput

PENDING, PARTIAL, FULL, CLOSED, DELETED = 0, 1, 2, 3, 5
OPEN = (PENDING, PARTIAL)
Record = sqlite3.Row | Mapping[str, Any]
"""A token row as stored, or a request's own view of it (a dict)."""


def view(call: ActionCall, row: Record) -> dict[str, Any]:
    """Return the ``KalturaUploadToken`` object (``uploadedFileSize`` a string, as on SaaS)."""
    uploaded = row["uploaded_file_size"]
    return {
        "id": row["id"],
        "partnerId": row["partner_id"],
        "userId": row["user_id"],
        "status": row["status"],
        "fileName": row["file_name"],
        "fileSize": row["file_size"],
        "uploadedFileSize": None if uploaded is None else str(uploaded),
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "uploadUrl": call.core.service_url,
        "autoFinalize": row["auto_finalize"] == 1,
        "attachedObjectType": row["attached_object_type"],
        "attachedObjectId": row["attached_object_id"],
        "objectType": "KalturaUploadToken",
    }


def visible(call: ActionCall, token_id: str) -> sqlite3.Row | None:
    """Return a non-deleted token of the partner (a USER KS sees only its own)."""
    row = call.core.store.one(
        "SELECT * FROM upload_tokens WHERE id = ? AND partner_id = ? AND status != 5",
        (token_id, call.partner_id),
    )
    if row is not None and not call.is_admin and row["user_id"] != call.user_id:
        return None
    return row


def must(call: ActionCall, token_id: str) -> sqlite3.Row:
    """Return a visible token or raise ``UPLOAD_TOKEN_NOT_FOUND``."""
    row = visible(call, token_id)
    if row is None:
        raise KalturaApiException("UPLOAD_TOKEN_NOT_FOUND")
    return row


def save(call: ActionCall, token_id: str, **fields: Any) -> int:
    """Write ``fields`` and ``updated_at`` (now); return the time written."""
    now = int(call.now())
    fields["updated_at"] = now
    sets = ", ".join(f"{k} = ?" for k in fields)
    call.core.store.execute(
        f"UPDATE upload_tokens SET {sets} WHERE id = ?",  # noqa: S608
        [*fields.values(), token_id],
    )
    return now


def set_data_size(call: ActionCall, token_id: str, size: int) -> None:
    """Record the length of the token's contiguous data (not an API-visible change)."""
    call.core.store.execute("UPDATE upload_tokens SET data_size = ? WHERE id = ?", (size, token_id))


def data_size(token: Record) -> int:
    """Return the length of the token's contiguous data (older rows: the reported size)."""
    size = token["data_size"]
    if size is None:
        size = token["uploaded_file_size"]
    return int(size or 0)


FILE_NAME_MAX = 256  # upload_token.file_name varchar(256)


def stored_name(name: str | None) -> str | None:
    """Return the file name as the column keeps it: its first 256 bytes of UTF-8.

    The real column is ``varchar(256)`` in a database run with ``sql_mode = ''``
    (``deployment/base/sql/01.kaltura_ce_tables.sql``), so a longer value is cut, not refused;
    the PHP client's bytes are counted, not characters (the harsher reading). A character cut
    in two is dropped: what SaaS shows for it (a broken character, or a null ``fileName`` from
    ``json_encode``) is unconfirmed.
    """
    if name is None:
        return None
    return name.encode()[:FILE_NAME_MAX].decode(errors="ignore")


def insert(call: ActionCall, obj: KInput | None) -> str:
    """Create a PENDING token from an optional ``KalturaUploadToken`` and return its id."""
    new_id = ids.token_id()
    now = int(call.now())
    values = obj.values if obj else {}
    call.core.store.execute(
        "INSERT INTO upload_tokens (id, partner_id, user_id, status, file_name, file_size,"
        " created_at, updated_at, auto_finalize) VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)",
        (
            new_id,
            call.partner_id,
            call.user_id,
            stored_name(values.get("fileName")),
            values.get("fileSize"),
            now,
            now,
            values.get("autoFinalize", -1),
        ),
    )
    return new_id


def data_path(call: ActionCall, token_id: str) -> Path:
    """Return the token's contiguous data file."""
    return call.core.upload_dir / token_id
