"""The ``uploadToken`` service: add, get, list, delete and the chunked ``upload``.

Upload preconditions, in the server's order: token visible (else ``UPLOAD_TOKEN_NOT_FOUND``);
PARTIAL and idle past 7 days (``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED``); status not PENDING or
PARTIAL (``UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD``). Chunk placement rules live in ``chunks``;
a part written in place as it arrived (``claims``) is committed here, or detached and placed by
those rules when its assumptions no longer hold. ``uploaded_file_size`` is the contiguous size.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from kaltura_mm.sandbox import chunks, claims, content, ids
from kaltura_mm.sandbox.actions import Action, Call, Param, UploadedFile, pager_of
from kaltura_mm.sandbox.claims import Claim
from kaltura_mm.sandbox.core import MAX_RESUME_TIME, Core
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
        call.core.claims.drop(token_id)
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


def _size(token: sqlite3.Row) -> int:
    """Return the contiguous size the token has committed (``chunks`` rule 3)."""
    return int(token["uploaded_file_size"] or 0)


def claim_in_place(call: Call) -> Claim | None:
    """Let the coming part be written straight into the token's file (``claims`` rule 1)."""
    a = call.args
    resume_at, token_id = a["resumeAt"], a["uploadTokenId"]
    if not a["resume"] or not math.isfinite(resume_at) or resume_at < 0:
        return None
    with call.core.token_condition(token_id):
        token = visible(call, token_id)
        if token is None or token["status"] not in (PENDING, PARTIAL):
            return None
        if _size(token) != resume_at or call.now() - token["updated_at"] > MAX_RESUME_TIME:
            return None
        path = chunks_path(call, token_id)
        return call.core.claims.take(token_id, path, int(resume_at), bool(a["finalChunk"]))


def release_claim(core: Core, claim: Claim) -> None:
    """End a claim when its request is over, committed or not; wake whoever waits for it."""
    cond = core.token_condition(claim.token_id)
    with cond:
        core.claims.end(claim)
        cond.notify_all()


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
        status, size = _place(call, token, part, cond)
        cond.notify_all()
        if status is not None:
            _save(call, token_id, uploaded_file_size=size, status=status)
        if status != FULL and _auto_finalizes(token, size):
            status, size = _auto_finalize(call, token_id, cond)
        if status == FULL:
            chunks.cut(chunks_path(call, token_id), size)
            _finish(call, token_id)
        return view(call, _must(call, token_id))


def _auto_finalizes(token: sqlite3.Row, size: int) -> bool:
    return bool(token["auto_finalize"] == 1 and token["file_size"] and size == token["file_size"])


def _auto_finalize(call: Call, token_id: str, cond: Any) -> tuple[int | None, int]:
    _await_no_claim(call, token_id, cond)
    token = _must(call, token_id)
    if token["status"] in (PENDING, PARTIAL) and _auto_finalizes(token, _size(token)):
        _save(call, token_id, status=FULL)
        return FULL, _size(token)
    return None, _size(token)


def _await_no_claim(call: Call, token_id: str, cond: Any) -> None:
    """Wait until no in-place write is in flight on the token (``claims`` rule 2)."""
    while call.core.claims.active(token_id):
        cond.wait(1.0)


def _place(call: Call, token: sqlite3.Row, part: UploadedFile, cond: Any) -> tuple[int | None, int]:
    """Place the part; return the new status (None: nothing changed) and contiguous size."""
    a = call.args
    final, resume_at = a["finalChunk"], a["resumeAt"]
    if not math.isfinite(resume_at):
        resume_at = FAR_OFFSET  # PHP's INF: a chunk that can never join the file
    if part.size == 0 and not final and resume_at > 0:
        return None, _size(token)  # silently discarded
    claim = part.claim
    if claim is None:
        return _place_file(call, token, part, int(resume_at), cond)
    holds = call.core.claims.holds(claim, token["id"], int(resume_at), final)
    if a["resume"] and resume_at >= 0 and holds:
        return _commit_claim(call, part, claim, cond)
    copied = claims.detach(claim, part.size, call.core.incoming_dir)
    detached = dataclasses.replace(part, path=copied, claim=None)
    call.core.claims.end(claim)
    try:
        return _place_file(call, token, detached, int(resume_at), cond)
    finally:
        detached.path.unlink(missing_ok=True)


def _place_file(
    call: Call, token: sqlite3.Row, part: UploadedFile, resume_at: int, cond: Any
) -> tuple[int, int]:
    a = call.args
    token_id, final = token["id"], a["finalChunk"]
    path = chunks_path(call, token_id)
    if not a["resume"]:
        call.core.claims.drop(token_id)  # its bytes went to the replaced file (claims rule 3)
        os.replace(part.path, path)
        return (FULL if final else PARTIAL), part.size
    if not path.exists():
        raise ApiError("UPLOAD_TOKEN_CANNOT_RESUME")
    if resume_at < 0:
        _await_no_claim(call, token_id, cond)
        token = _must(call, token_id)
        _preconditions(call, token)
        size = _size(token) + chunks.write_at(path, part.path, _size(token))
        return (FULL if final else PARTIAL), size
    size = _size(token)
    if final and resume_at > 0:
        chunks.stash(path, part.path, resume_at)
        return _await_size(call, path, resume_at + part.size, size, cond)
    if call.core.claims.active(token_id):
        chunks.stash(path, part.path, resume_at)  # joins once the claim ends (claims rule 2)
        return PARTIAL, size
    size = chunks.append_pending(path, size)
    size = chunks.place(path, part.path, resume_at, size)
    return PARTIAL, chunks.append_pending(path, size)


def _commit_claim(call: Call, part: UploadedFile, claim: Claim, cond: Any) -> tuple[int, int]:
    """Count a part written in place: it starts at the contiguous end (claims rule 1)."""
    size = claim.offset + part.size
    call.core.claims.end(claim)
    if claim.final and claim.offset > 0:
        return _await_size(call, claim.path, size, size, cond)
    return PARTIAL, chunks.append_pending(claim.path, size)


def _await_size(call: Call, path: Path, expected: int, size: int, cond: Any) -> tuple[int, int]:
    """Append pending chunks until the data is ``expected`` bytes long, waiting for gaps."""
    token_id = path.name
    deadline = time.monotonic() + call.core.settings.final_chunk_wait
    while True:
        if not call.core.claims.active(token_id):
            size = chunks.append_pending(path, size, limit=10**9)
            if size == expected:
                break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            _save(call, token_id, status=PARTIAL, uploaded_file_size=size)
            raise ApiError("UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
        _save(call, token_id, uploaded_file_size=size)  # the calls that run while we wait
        cond.wait(min(remaining, 1.0))
        size = _size(_must(call, token_id))
    if _must(call, token_id)["status"] not in (PENDING, PARTIAL):
        raise ApiError("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    return FULL, size


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
