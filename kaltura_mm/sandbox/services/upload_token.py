"""The ``uploadToken`` service: add, get, list, delete and the chunked ``upload``.

Upload preconditions, in the server's order: token visible (else ``UPLOAD_TOKEN_NOT_FOUND``);
PARTIAL and idle past 7 days (``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED``); status not PENDING or
PARTIAL (``UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD``). Chunk placement rules live in ``chunks``.
"""

from __future__ import annotations

import math
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from kaltura_mm.sandbox import chunks, content, ids
from kaltura_mm.sandbox.actions import Action, Call, Param, UploadedFile, pager_of
from kaltura_mm.sandbox.core import MAX_RESUME_TIME
from kaltura_mm.sandbox.errors import ApiError
from kaltura_mm.sandbox.listing import Query, csv, order_sql, page_window
from kaltura_mm.sandbox.schema import KInput, check_insert

PENDING, PARTIAL, FULL, CLOSED, DELETED = 0, 1, 2, 3, 5
FAR_OFFSET = 2**63 - 1


def view(call: Call, row: sqlite3.Row) -> dict[str, Any]:
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


def visible(call: Call, token_id: str) -> sqlite3.Row | None:
    """Return a non-deleted token of the partner (a USER KS sees only its own)."""
    row = call.core.store.one(
        "SELECT * FROM upload_tokens WHERE id = ? AND partner_id = ? AND status != 5",
        (token_id, call.partner_id),
    )
    if row is not None and not call.is_admin and row["user_id"] != call.user_id:
        return None
    return row


def _must(call: Call, token_id: str) -> sqlite3.Row:
    row = visible(call, token_id)
    if row is None:
        raise ApiError("UPLOAD_TOKEN_NOT_FOUND")
    return row


def _save(call: Call, token_id: str, **fields: Any) -> None:
    fields["updated_at"] = int(call.now())
    sets = ", ".join(f"{k} = ?" for k in fields)
    call.core.store.execute(
        f"UPDATE upload_tokens SET {sets} WHERE id = ?",  # noqa: S608
        [*fields.values(), token_id],
    )


def _insert(call: Call, obj: KInput | None) -> str:
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
            values.get("fileName"),
            values.get("fileSize"),
            now,
            now,
            values.get("autoFinalize", -1),
        ),
    )
    return new_id


def add(call: Call) -> dict[str, Any]:
    """Create a PENDING token."""
    obj: KInput | None = call.args["uploadToken"]
    if obj is not None:
        check_insert(obj)
        if obj.get("autoFinalize") == 1 and not obj.get("fileSize"):
            raise ApiError("UPLOAD_TOKEN_MISSING_FILE_SIZE")
    return view(call, _must(call, _insert(call, obj)))


def create_full(call: Call, part: UploadedFile) -> str:
    """Store a whole file as a new FULL_UPLOAD token (``media.upload``) and return its id."""
    token_id = _insert(call, None)
    os.replace(part.path, chunks_path(call, token_id))
    _save(call, token_id, status=FULL, file_name=part.filename, uploaded_file_size=part.size)
    return token_id


def chunks_path(call: Call, token_id: str) -> Path:
    """Return the token's contiguous data file."""
    return call.core.upload_dir / token_id


def get(call: Call) -> dict[str, Any]:
    """Return a token (CLOSED ones too; DELETED ones are not found)."""
    return view(call, _must(call, call.args["uploadTokenId"]))


def delete(call: Call) -> None:
    """Mark a token DELETED, drop its bytes and undo a pending attachment."""
    token_id = call.args["uploadTokenId"]
    with call.core.token_condition(token_id):
        row = _must(call, token_id)
        with call.core.store.tx() as conn:
            conn.execute(
                "UPDATE upload_tokens SET status = 5, updated_at = ? WHERE id = ?",
                (int(call.now()), token_id),
            )
            content.cancel(conn, row)
        chunks.discard(chunks_path(call, token_id))


def list_(call: Call) -> dict[str, Any]:
    """List tokens (own tokens only for a USER KS); no 10,000 cap (MySQL-backed)."""
    f: KInput | None = call.args["filter"]
    v = f.values if f else {}
    q = Query(["partner_id = ?"], [call.partner_id])
    if not call.is_admin:
        q.eq("user_id", call.user_id)
    q.eq("id", v.get("idEqual"))
    q.in_("id", csv(v.get("idIn"), str))
    q.eq("user_id", v.get("userIdEqual"))
    q.eq("file_name", v.get("fileNameEqual"))
    q.eq("file_size", v.get("fileSizeEqual"))
    statuses = csv(v.get("statusIn"), int)
    if v.get("fileNameEqual") is not None and v.get("statusEqual") is None and statuses is None:
        statuses = [PENDING, PARTIAL, FULL]
    q.eq("status", v.get("statusEqual"))
    q.in_("status", statuses)
    if v.get("statusEqual") != DELETED and DELETED not in (statuses or []):
        q.add("status != 5")
    size, index = pager_of(call)
    offset, limit = page_window(size, index, None)
    order = order_sql(v.get("orderBy"), {"createdAt": "created_at"}, "-createdAt")
    store = call.core.store
    total = store.scalar(f"SELECT COUNT(*) FROM upload_tokens WHERE {q.sql()}", q.params)  # noqa: S608
    rows = store.all(
        f"SELECT * FROM upload_tokens WHERE {q.sql()} ORDER BY {order}, rowid "  # noqa: S608
        "LIMIT ? OFFSET ?",
        [*q.params, limit, offset],
    )
    return {
        "objects": [view(call, r) for r in rows],
        "totalCount": total,
        "objectType": "KalturaUploadTokenListResponse",
    }


def _preconditions(call: Call, token: sqlite3.Row) -> None:
    if token["status"] == PARTIAL and call.now() - token["updated_at"] > MAX_RESUME_TIME:
        raise ApiError("UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED", MAX_RESUME_TIME)
    if token["status"] not in (PENDING, PARTIAL):
        raise ApiError("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")


def upload(call: Call) -> dict[str, Any]:
    """Receive a file or a chunk (see the module docstring and ``chunks``)."""
    a = call.args
    token_id, part = a["uploadTokenId"], a["fileData"]
    cond = call.core.token_condition(token_id)
    with cond:
        token = _must(call, token_id)
        _preconditions(call, token)
        if not part.filename:
            if not a["resume"] and a["finalChunk"]:
                _save(call, token_id, status=DELETED)
            raise ApiError("UPLOAD_ERROR")
        if not token["file_name"]:
            _save(call, token_id, file_name=part.filename)
        status = _place(call, token, part, cond)
        cond.notify_all()
        fields: dict[str, Any] = {"status": status}
        size = chunks.size_of(chunks_path(call, token_id))
        if token["auto_finalize"] == 1 and token["file_size"] and size == token["file_size"]:
            fields["status"] = FULL
        if fields["status"] is not None:
            _save(call, token_id, uploaded_file_size=size, **fields)
        if fields["status"] == FULL:
            _finish(call, token_id)
        return view(call, _must(call, token_id))


def _place(call: Call, token: sqlite3.Row, part: UploadedFile, cond: Any) -> int | None:
    a = call.args
    path = chunks_path(call, token["id"])
    resume, final, resume_at = a["resume"], a["finalChunk"], a["resumeAt"]
    if not math.isfinite(resume_at):
        resume_at = FAR_OFFSET  # PHP's INF: a chunk that can never join the file
    if part.size == 0 and not final and resume_at > 0:
        return None  # silently discarded
    if not resume:
        os.replace(part.path, path)
        return FULL if final else PARTIAL
    if not path.exists():
        raise ApiError("UPLOAD_TOKEN_CANNOT_RESUME")
    if resume_at < 0:
        chunks.write_at(path, part.path, chunks.size_of(path))
        return FULL if final else PARTIAL
    if not final or resume_at == 0:
        chunks.append_pending(path)
        chunks.place(path, part.path, int(resume_at))
        chunks.append_pending(path)
        return PARTIAL
    return _finalize(call, path, part, int(resume_at), cond)


def _finalize(call: Call, path: Path, part: UploadedFile, resume_at: int, cond: Any) -> int:
    expected = resume_at + part.size
    chunks.stash(path, part.path, resume_at)
    deadline = time.monotonic() + call.core.settings.final_chunk_wait
    while True:
        size = chunks.append_pending(path, limit=10**9)
        if size == expected:
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _save(call, path.name, status=PARTIAL, uploaded_file_size=size)
            raise ApiError("UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
        cond.wait(min(remaining, 1.0))
    if _must(call, path.name)["status"] not in (PENDING, PARTIAL):
        raise ApiError("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    return FULL


def _finish(call: Call, token_id: str) -> None:
    """Complete a pending attachment now that the token is FULL_UPLOAD."""
    path = chunks_path(call, token_id)
    for _, leftover in chunks.pending(path):
        leftover.unlink(missing_ok=True)  # duplicates the real server would leave behind
    token = _must(call, token_id)
    if token["entry_id"]:
        with call.core.store.tx() as conn:
            content.complete(conn, call.core, token["entry_id"], token_id)


_ID = Param("uploadTokenId", required=True)
ACTIONS = {
    "add": Action(add, (Param("uploadToken", "object", type="KalturaUploadToken"),)),
    "get": Action(get, (_ID,)),
    "list": Action(
        list_,
        (
            Param("filter", "object", type="KalturaUploadTokenFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
    "delete": Action(delete, (_ID,)),
    "upload": Action(
        upload,
        (
            _ID,
            Param("fileData", "file", True),
            Param("resume", "bool", default=False),
            Param("finalChunk", "bool", default=True),
            Param("resumeAt", "float", default=-1.0),
        ),
    ),
}
