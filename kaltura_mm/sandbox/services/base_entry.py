"""The ``baseEntry`` and ``media`` services: entries, their content and their listing."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kaltura_mm.sandbox import (
    content,
    entitlement,
    entry_search,
    entry_update,
    ids,
    privacy,
    replacement,
)
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param, UploadedFile
from kaltura_mm.sandbox.errors import KalturaApiException, invalid_ks
from kaltura_mm.sandbox.schema import KInput
from kaltura_mm.sandbox.services import upload_token

ENTRY_TYPES = frozenset({-1, 1, 2, 5, 6, 7, 8, 10})
DELETED, NO_CONTENT = 3, 7
_TYPE_OF_CLASS = {"KalturaMediaEntry": 1, "KalturaDocumentEntry": 10, "KalturaDataEntry": 6}


def fetch(call: ActionCall, entry_id: str, media_only: bool = False) -> sqlite3.Row:
    """Return a live entry of the caller's partner or raise ``ENTRY_ID_NOT_FOUND``."""
    call.core.promote_ready()
    with call.core.store.reading() as conn:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM entries WHERE id = ? AND partner_id = ? AND status != 3",
            (entry_id, call.partner_id),
        ).fetchone()
        if row is not None and not entitlement.entry_entitled(conn, call, row):
            row = None  # ``entitlement`` rule 3
    if row is None or (media_only and row["type"] != 1):
        raise KalturaApiException("ENTRY_ID_NOT_FOUND", entry_id)
    return row


def show(call: ActionCall, entry_id: str, base_only: bool = False) -> dict[str, Any]:
    """Return the API object of an entry (``base_only``: as a ``KalturaBaseEntry``)."""
    row = fetch(call, entry_id)
    return privacy.entry_views(call, [row], base_only)[0]


def validate_user(call: ActionCall, owner_only: bool = False) -> None:
    """``@validateUser entry entryId edit [ownerOnly]`` (``KalturaDispatcher::validateUser``), run
    by the dispatcher before the role's access check: no KS, or a non-admin KS that neither holds
    ``edit:<id>`` / ``edit:*``, owns the entry (case ignored) nor is among its
    ``entitledUsersEdit`` (not enough for ``ownerOnly``): ``INVALID_KS`` ``-4,INVALID_TYPE``. An
    entry that does not exist passes (the action then reports it)."""
    session = call.session
    if session is None:
        raise invalid_ks("", "-4", "INVALID_TYPE")
    if session.is_admin or call.args.get("entryId") is None:
        return
    row = call.core.store.one(
        "SELECT * FROM entries WHERE id = ? AND partner_id = ? AND status != 3",
        (call.args["entryId"], call.partner_id),
    )
    if row is None or session.has_privilege("edit", row["id"]):
        return
    if (row["user_id"] or "").lower() == session.user_id.lower():
        return
    editors = json.loads(row["extra"]).get("entitledUsersEdit") or ""
    if owner_only or session.user_id not in editors.split(","):
        raise invalid_ks("", "-4", "INVALID_TYPE")


def _validate_owner(call: ActionCall) -> None:
    validate_user(call, owner_only=True)


def insert(call: ActionCall, obj: KInput, type_param: int = -1) -> str:
    """Insert an entry (status NO_CONTENT) and return its id."""
    entry_update.validate_insert(call, obj)
    entry_type = (
        type_param if type_param != -1 else obj.get("type", _TYPE_OF_CLASS.get(obj.type, -1))
    )
    columns, extra = entry_update.split_columns(obj)
    entry_update.normalise(columns, None)
    now = int(call.now())
    row = {
        "id": ids.entry_id(),
        "partner_id": call.partner_id,
        "type": entry_type,
        "status": NO_CONTENT,
        "name": obj.get("name") or f"{call.partner_id}_{now}",
        "user_id": call.user_id,
        "creator_id": obj.get("userId", call.user_id),  # the owner, unless creatorId says
        "created_at": now,
        "updated_at": now,
        **columns,
        "extra": json.dumps(extra),
    }
    row["name"] = row["name"] or f"{call.partner_id}_{now}"
    keys = ",".join(row)
    names = entry_update.wanted_categories(call, obj)
    with call.core.store.tx() as conn:
        conn.execute(
            f"INSERT INTO entries ({keys}) VALUES ({','.join('?' * len(row))})",  # noqa: S608
            list(row.values()),
        )
        if names:
            entry_update.relink(conn, call, str(row["id"]), names)
    return str(row["id"])


def add(call: ActionCall) -> dict[str, Any]:
    """Create an entry without content (``NO_CONTENT``)."""
    obj = call.args.get("entry") or call.args.get("mediaEntry")
    assert obj is not None
    return show(call, insert(call, obj, call.args.get("type", -1)))


def get(call: ActionCall) -> dict[str, Any]:
    """Return one entry (any status but DELETED; not owner-restricted)."""
    row = fetch(call, call.args["entryId"], media_only=call.args.get("_media", False))
    return privacy.entry_views(call, [row])[0]


def get_by_ids(call: ActionCall) -> list[dict[str, Any]]:
    """Return the entries among a CSV of ids; unknown ids are skipped."""
    call.core.promote_ready()
    wanted = [x.strip() for x in call.args["entryIds"].split(",") if x.strip()]
    if not wanted:
        return []
    with call.core.store.reading() as conn:
        rows = conn.execute(
            f"SELECT * FROM entries WHERE partner_id = ? AND status != 3 AND id IN "  # noqa: S608
            f"({','.join('?' * len(wanted))}) ORDER BY seq",
            [call.partner_id, *wanted],
        ).fetchall()
        rows = [r for r in rows if entitlement.entry_entitled(conn, call, r)]
    return privacy.entry_views(call, rows)


def _list(call: ActionCall, media_only: bool, response_type: str) -> dict[str, Any]:
    return entry_search.list_page(call, media_only, response_type)


def list_entries(call: ActionCall) -> dict[str, Any]:
    """``baseEntry.list``: every entry type, typed per item."""
    return _list(call, False, "KalturaBaseEntryListResponse")


def list_media(call: ActionCall) -> dict[str, Any]:
    """``media.list``: media clips only."""
    return _list(call, True, "KalturaMediaListResponse")


def count(call: ActionCall) -> int:
    """Return how many entries the search index matches (no cap)."""
    return entry_search.count(call)


def update(call: ActionCall) -> dict[str, Any]:
    """Change an entry's writable properties by the server's rules (``entry_update``)."""
    obj: KInput = call.args.get("baseEntry") or call.args["mediaEntry"]
    row = fetch(call, call.args["entryId"], media_only=call.args.get("_media", False))
    entry_update.validate(call, row, obj, show(call, row["id"]))
    entry_update.apply(call, row, obj)
    return show(call, row["id"])


def delete(call: ActionCall) -> None:
    """Soft-delete an entry (status DELETED) and detach it from its categories."""
    row = fetch(call, call.args["entryId"])
    with call.core.store.tx() as conn:
        conn.execute(
            "UPDATE entries SET status = 3, updated_at = ? WHERE id = ?",
            (int(call.now()), row["id"]),
        )
        conn.execute(
            "UPDATE category_entries SET status = 3 WHERE entry_id = ? AND status != 3",
            (row["id"],),
        )
    if row["content_path"]:
        # the bytes are not needed any more: a deleted entry is never served
        (call.core.content_dir / row["content_path"]).unlink(missing_ok=True)


def _token_of(call: ActionCall, resource: KInput | None) -> sqlite3.Row:
    if resource is None:
        raise KalturaApiException("MISSING_MANDATORY_PARAMETER", "resource")
    if resource.type != "KalturaUploadedFileTokenResource":
        raise KalturaApiException("RESOURCE_TYPE_NOT_SUPPORTED", resource.type)
    token = upload_token.visible(call, resource.get("token") or "")
    if token is None:
        raise KalturaApiException("UPLOAD_TOKEN_NOT_FOUND")
    return token


def add_content(call: ActionCall) -> dict[str, Any]:
    """Attach content to an entry that has none."""
    row = fetch(call, call.args["entryId"])
    if row["status"] != NO_CONTENT:
        raise KalturaApiException("ENTRY_ALREADY_WITH_CONTENT")
    resource = call.args.get("resource")
    if resource is None:
        return show(call, row["id"])
    return _attach(call, row, _token_of(call, resource))


def update_content(call: ActionCall) -> dict[str, Any]:
    """Attach content to an entry without any (or an image), else replace it through a
    temporary entry (``replacement``). ``baseEntry`` answers a ``KalturaBaseEntry``."""
    media = call.args.get("_media", False)
    row = fetch(call, call.args["entryId"], media_only=media)
    if row["type"] not in (-1, 1, 10):
        raise KalturaApiException("ENTRY_TYPE_NOT_SUPPORTED", row["type"])
    token = _token_of(call, call.args["resource"])
    if row["status"] == NO_CONTENT or row["media_type"] == 2:
        _attach(call, row, token)
    else:
        _replace(call, row, token)
    return show(call, row["id"], base_only=not media)


def _replace(call: ActionCall, row: sqlite3.Row, token: sqlite3.Row) -> None:
    if not call.core.feature_enabled(call.partner_id, replacement.FEATURE):
        raise KalturaApiException("FEATURE_FORBIDDEN", replacement.FEATURE)
    with call.core.token_condition(token["id"]), call.core.store.tx() as conn:
        original = conn.execute("SELECT * FROM entries WHERE id = ?", (row["id"],)).fetchone()
        approval = call.core.feature_enabled(call.partner_id, replacement.APPROVAL_FEATURE)
        temp = replacement.start(conn, original, call.user_id, int(call.now()), approval)
        fresh = conn.execute("SELECT * FROM upload_tokens WHERE id = ?", (token["id"],)).fetchone()
        content.attach(conn, call.core, temp, fresh)


def _attach(call: ActionCall, row: sqlite3.Row, token: sqlite3.Row) -> dict[str, Any]:
    with call.core.token_condition(token["id"]), call.core.store.tx() as conn:
        fresh = conn.execute("SELECT * FROM upload_tokens WHERE id = ?", (token["id"],)).fetchone()
        content.attach(conn, call.core, row, fresh)
    return show(call, row["id"])


def add_from_uploaded_file(call: ActionCall) -> dict[str, Any]:
    """Create an entry from a FULL_UPLOAD token (else ``..._INVALID_STATUS_FOR_ADD_ENTRY``)."""
    obj = call.args.get("entry") or call.args["mediaEntry"]
    token = upload_token.visible(call, call.args["uploadTokenId"])
    if token is None:
        raise KalturaApiException("UPLOAD_TOKEN_NOT_FOUND")
    if token["status"] != content.FULL_UPLOAD:
        raise KalturaApiException("UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY")
    entry_id = insert(call, obj, call.args.get("type", -1))
    return _attach(call, fetch(call, entry_id), token)


def upload(call: ActionCall) -> str:
    """Store a whole file as a FULL_UPLOAD token and return the token id (legacy flow)."""
    part: UploadedFile = call.args["fileData"]
    return upload_token.create_full(call, part)


_ENTRY = Param("entryId", required=True)
_PAGER = Param("pager", "object", type="KalturaFilterPager")
_TYPE = Param("type", "enum", default=-1, type="KalturaEntryType", enum=ENTRY_TYPES)
_RESOURCE = Param("resource", "object", True, type="KalturaResource")
_CONV = Param("conversionProfileId", "int")


def _media(run: Any) -> Any:
    def wrapped(call: ActionCall) -> Any:
        call.args["_media"] = True
        return run(call)

    return wrapped


BASE_ENTRY = {
    "add": ActionSpec(add, (Param("entry", "object", True, type="KalturaBaseEntry"), _TYPE)),
    "get": ActionSpec(get, (_ENTRY, Param("version", "int", default=-1))),
    "getbyids": ActionSpec(get_by_ids, (Param("entryIds", required=True),)),
    "list": ActionSpec(
        list_entries, (Param("filter", "object", type="KalturaBaseEntryFilter"), _PAGER)
    ),
    "count": ActionSpec(count, (Param("filter", "object", type="KalturaBaseEntryFilter"),)),
    "update": ActionSpec(
        update,
        (_ENTRY, Param("baseEntry", "object", True, type="KalturaBaseEntry")),
        validate_user=validate_user,
    ),
    "delete": ActionSpec(delete, (_ENTRY,), validate_user=_validate_owner),
    "addcontent": ActionSpec(add_content, (_ENTRY, _RESOURCE), validate_user=validate_user),
    "updatecontent": ActionSpec(
        update_content, (_ENTRY, _RESOURCE, _CONV), validate_user=validate_user
    ),
    "addfromuploadedfile": ActionSpec(
        add_from_uploaded_file,
        (
            Param("entry", "object", True, type="KalturaBaseEntry"),
            Param("uploadTokenId", required=True),
            _TYPE,
        ),
    ),
    "upload": ActionSpec(upload, (Param("fileData", "file", True),)),
}
MEDIA = {
    "add": ActionSpec(add, (Param("entry", "object", True, type="KalturaMediaEntry"),)),
    "get": ActionSpec(_media(get), (_ENTRY, Param("version", "int", default=-1))),
    "list": ActionSpec(
        list_media, (Param("filter", "object", type="KalturaMediaEntryFilter"), _PAGER)
    ),
    "count": ActionSpec(
        _media(count), (Param("filter", "object", type="KalturaMediaEntryFilter"),)
    ),
    "update": ActionSpec(
        _media(update),
        (_ENTRY, Param("mediaEntry", "object", True, type="KalturaMediaEntry")),
        validate_user=validate_user,
    ),
    "delete": ActionSpec(delete, (_ENTRY,), validate_user=validate_user),
    "addcontent": ActionSpec(
        add_content,
        (_ENTRY, Param("resource", "object", type="KalturaResource")),
        validate_user=validate_user,
    ),
    "updatecontent": ActionSpec(
        _media(update_content), (_ENTRY, _RESOURCE, _CONV), validate_user=validate_user
    ),
    "addfromuploadedfile": ActionSpec(
        add_from_uploaded_file,
        (
            Param("mediaEntry", "object", True, type="KalturaMediaEntry"),
            Param("uploadTokenId", required=True),
        ),
    ),
    "upload": ActionSpec(upload, (Param("fileData", "file", True),)),
}
