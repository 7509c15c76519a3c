"""The ``uploadToken`` service: add, get, list and delete here; the chunked ``upload`` lives in
``token_upload`` (its placement and race rules are its own)."""

from __future__ import annotations

import os
from typing import Any

from kaltura_mm.sandbox import chunks, content, token_counts, tokens
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param, UploadedFile, pager_of
from kaltura_mm.sandbox.core import MAX_RESUME_TIME
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.listing import Query, csv, order_parts, page_window
from kaltura_mm.sandbox.schema import KInput, check_insert
from kaltura_mm.sandbox.services import token_upload
from kaltura_mm.sandbox.tokens import DELETED, FULL, PARTIAL, PENDING

visible = tokens.visible  # used by baseEntry's resources


def add(call: ActionCall) -> dict[str, Any]:
    """Create a PENDING token."""
    obj: KInput | None = call.args["uploadToken"]
    if obj is not None:
        check_insert(obj)
        if obj.get("autoFinalize") == 1 and not obj.get("fileSize"):
            raise KalturaApiException("UPLOAD_TOKEN_MISSING_FILE_SIZE")
    return tokens.view(call, tokens.must(call, tokens.insert(call, obj)))


def create_full(call: ActionCall, part: UploadedFile) -> str:
    """Store a whole file as a new FULL_UPLOAD token (``media.upload``) and return its id."""
    token_id = tokens.insert(call, None)
    os.replace(part.path, tokens.data_path(call, token_id))
    tokens.save(
        call,
        token_id,
        status=FULL,
        file_name=tokens.stored_name(part.filename),
        uploaded_file_size=part.size,
        data_size=part.size,
    )
    return token_id


def get(call: ActionCall) -> dict[str, Any]:
    """Return a token (CLOSED ones too; DELETED ones are not found)."""
    return tokens.view(call, tokens.must(call, call.args["uploadTokenId"]))


def delete(call: ActionCall) -> None:
    """Mark a token DELETED, drop its bytes and undo a pending attachment."""
    token_id = call.args["uploadTokenId"]
    with call.core.token_condition(token_id):
        row = tokens.must(call, token_id)
        with call.core.store.tx() as conn:
            conn.execute(
                "UPDATE upload_tokens SET status = 5, updated_at = ? WHERE id = ?",
                (int(call.now()), token_id),
            )
            content.cancel(conn, row)
        call.core.claims.drop(token_id)
        chunks.discard(tokens.data_path(call, token_id))


def list_(call: ActionCall) -> dict[str, Any]:
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
    if v.get("fileNameEqual") is not None and v.get("statusEqual") == PARTIAL:
        # UploadTokenService::listAction leaves out the tokens too old to resume
        q.ge("updated_at", int(call.now()) - MAX_RESUME_TIME)
    # ``UploadTokenPeer``'s default criteria: a DELETED token is never listed, whatever the
    # filter asks (``statusEqual=5`` finds nothing)
    q.add(f"status != {DELETED}")
    size, index = pager_of(call)
    offset, limit = page_window(size, index, None)
    # ``listAction`` adds no order of its own: without ``orderBy`` MySQL answers in the order it
    # reads the table (its primary key, the random-looking id), and equal ``createdAt`` seconds
    # come in that order too, never in the order the tokens were made
    order = ", ".join([*order_parts(v.get("orderBy"), {"createdAt": "created_at"}, ""), "id"])
    store = call.core.store
    counting = (
        token_counts.count_sql(q)  # the same conditions, on the kept counts
        if token_counts.answers(q)
        else f"SELECT COUNT(*) FROM upload_tokens WHERE {q.sql()}"  # noqa: S608
    )
    total = store.scalar(counting, q.params)
    rows = store.all(
        f"SELECT * FROM upload_tokens WHERE {q.sql()} ORDER BY {order} "  # noqa: S608
        "LIMIT ? OFFSET ?",
        [*q.params, limit, offset],
    )
    return {
        "objects": [tokens.view(call, r) for r in rows],
        "totalCount": total,
        "objectType": "KalturaUploadTokenListResponse",
    }


_ID = Param("uploadTokenId", required=True)
ACTIONS = {
    "add": ActionSpec(add, (Param("uploadToken", "object", type="KalturaUploadToken"),)),
    "get": ActionSpec(get, (_ID,)),
    "list": ActionSpec(
        list_,
        (
            Param("filter", "object", type="KalturaUploadTokenFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
    "delete": ActionSpec(delete, (_ID,)),
    "upload": ActionSpec(
        token_upload.upload,
        (
            _ID,
            Param("fileData", "file", True),
            Param("resume", "bool", default=False),
            Param("finalChunk", "bool", default=True),
            Param("resumeAt", "float", default=-1.0),
        ),
    ),
}
