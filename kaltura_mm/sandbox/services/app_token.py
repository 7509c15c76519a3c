"""The ``appToken`` service (``AppTokenService``): add, get, list, update and delete need an
ADMIN KS (their permissions are admin ones); ``startSession`` takes any KS of the partner (a
widget KS in the documented flow) and answers ``KalturaSessionInfo``.

Every read goes through ``AppTokenPeer``'s default criteria: a DELETED token is not found, and
never listed, whatever the filter asks.
"""

from __future__ import annotations

import re
from typing import Any

from kaltura_mm.sandbox import app_tokens, ks
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param, pager_of
from kaltura_mm.sandbox.app_tokens import ACTIVE, DELETED
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.listing import Query, csv, order_parts, page_window
from kaltura_mm.sandbox.schema import KInput, check_insert, check_update

SESSION_TYPES = frozenset({ks.USER, ks.ADMIN})
# kuser::PUSER_ID_REGEXP: a sessionUserId naming no existing user must fit it to be created.
_PUSER_ID = re.compile(r"[A-Za-z0-9,!#$%&'*+?^_`{|}~.@-]{1,320}")
# property -> column, for the properties a caller may write
_WRITABLE = {
    "expiry": "expiry",
    "sessionType": "session_type",
    "sessionUserId": "session_user_id",
    "sessionDuration": "session_duration",
    "sessionPrivileges": "session_privileges",
    "hashType": "hash_type",
    "description": "description",
}


def _checked_values(obj: KInput) -> dict[str, Any]:
    """Return the sent writable properties as columns, enums and the user id checked."""
    values: dict[str, Any] = {
        column: None for name, column in _WRITABLE.items() if name in obj.nulls
    }
    for name, column in _WRITABLE.items():
        if name in obj.values:
            values[column] = obj.values[name]
    session_type = values.get("session_type")
    if session_type is not None and session_type not in SESSION_TYPES:
        raise KalturaApiException(
            "INVALID_ENUM_VALUE", session_type, "sessionType", "KalturaSessionType"
        )
    hash_type = values.get("hash_type")
    if hash_type is not None and hash_type not in app_tokens.HASH_TYPES:
        raise KalturaApiException(
            "INVALID_ENUM_VALUE", hash_type, "hashType", "KalturaAppTokenHashType"
        )
    return values


def _check_user(user_id: str | None) -> None:
    """``AppToken::setKuserIdBySessionUserId``: an unknown user is created, if its id is valid.

    A token without ``sessionUserId`` is accepted (whether the server's lookup of a null user
    finds one is unconfirmed; the documented flow makes such tokens).
    """
    if user_id is not None and not _PUSER_ID.fullmatch(user_id):
        raise KalturaApiException("INVALID_FIELD_VALUE", "sessionUserId")


def add(call: ActionCall) -> dict[str, Any]:
    """Create an ACTIVE token with a server-made secret (``KalturaAppToken::
    toInsertableObject``)."""
    obj: KInput = call.args["appToken"]
    check_insert(obj)
    values = _checked_values(obj)
    _check_user(values.get("session_user_id"))
    return app_tokens.insert(call.core, call.partner_id, values)


def _must(call: ActionCall, token_id: str) -> Any:
    row = app_tokens.find(call.core.store, call.partner_id, token_id)
    if row is None:
        raise KalturaApiException("APP_TOKEN_ID_NOT_FOUND", token_id)
    return row


def get(call: ActionCall) -> dict[str, Any]:
    """Return a token (not a DELETED one)."""
    return app_tokens.view(_must(call, call.args["id"]))


def update(call: ActionCall) -> dict[str, Any]:
    """Change a token's writable properties (read-only ones are refused)."""
    row = _must(call, call.args["id"])
    obj: KInput = call.args["appToken"]
    check_update(obj, dict(app_tokens.view(row)))
    values = _checked_values(obj)
    _check_user(values.get("session_user_id", row["session_user_id"]))
    values["updated_at"] = int(call.now())
    sets = ", ".join(f"{column} = ?" for column in values)
    call.core.store.execute(
        f"UPDATE app_tokens SET {sets} WHERE id = ?",  # noqa: S608
        [*values.values(), row["id"]],
    )
    return app_tokens.view(_must(call, row["id"]))


def delete(call: ActionCall) -> None:
    """Mark a token DELETED and invalidate every KS started from it."""
    row = _must(call, call.args["id"])
    now = int(call.now())
    with call.core.store.tx() as conn:
        app_tokens.invalidate(conn, call.partner_id, row["id"])
        conn.execute(
            "UPDATE app_tokens SET status = ?, deleted_at = ?, updated_at = ? WHERE id = ?",
            (DELETED, now, now, row["id"]),
        )


def _user_known(call: ActionCall, user_id: str) -> bool:
    """The sandbox keeps no users: one exists once a token or an entry named it."""
    store = call.core.store
    args = (call.partner_id, user_id)
    return bool(
        store.one("SELECT 1 FROM app_tokens WHERE partner_id = ? AND session_user_id = ?", args)
        or store.one("SELECT 1 FROM entries WHERE partner_id = ? AND user_id = ?", args)
    )


def list_(call: ActionCall) -> dict[str, Any]:
    """List tokens; a ``sessionUserIdEqual`` naming no user answers ``totalCount`` 0 and no
    ``objects`` at all (``AppTokenService::listAction`` returns before querying)."""
    f: KInput | None = call.args["filter"]
    v = f.values if f else {}
    user = v.get("sessionUserIdEqual")
    if user is not None and not _user_known(call, user):
        return {"totalCount": 0, "objectType": "KalturaAppTokenListResponse"}
    q = Query(["partner_id = ?", f"status != {DELETED}"], [call.partner_id])
    q.eq("id", v.get("idEqual"))
    q.in_("id", csv(v.get("idIn"), str))
    q.eq("status", v.get("statusEqual"))
    q.in_("status", csv(v.get("statusIn"), int))
    q.eq("session_user_id", user)
    q.ge("created_at", v.get("createdAtGreaterThanOrEqual"))
    q.le("created_at", v.get("createdAtLessThanOrEqual"))
    q.ge("updated_at", v.get("updatedAtGreaterThanOrEqual"))
    q.le("updated_at", v.get("updatedAtLessThanOrEqual"))
    size, index = pager_of(call)
    offset, limit = page_window(size, index, None)
    columns = {"createdAt": "created_at", "updatedAt": "updated_at"}
    order = ", ".join([*order_parts(v.get("orderBy"), columns), "rowid"])
    store = call.core.store
    where = q.sql()
    total = store.scalar(f"SELECT COUNT(*) FROM app_tokens WHERE {where}", q.params)  # noqa: S608
    rows = store.all(
        f"SELECT * FROM app_tokens WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
        [*q.params, limit, offset],
    )
    return {
        "objects": [app_tokens.view(r) for r in rows],
        "totalCount": total,
        "objectType": "KalturaAppTokenListResponse",
    }


def start_session(call: ActionCall) -> dict[str, Any]:
    """Start a KS from a token (``AppTokenService::startSessionAction``), in the server's order:
    not found, not active, hash, expired; then the token's type, user and privileges win."""
    a = call.args
    token_id = a["id"]
    row = _must(call, token_id)
    if row["status"] != ACTIVE:
        raise KalturaApiException("APP_TOKEN_NOT_ACTIVE", token_id)
    expected = app_tokens.token_hash(row["hash_type"], a["ks"] or "", row["token"])
    if expected != a["tokenHash"]:  # a strict comparison: upper-case hex does not match
        raise KalturaApiException("INVALID_APP_TOKEN_HASH")
    now = int(call.now())
    token_expiry = row["session_duration"]
    if token_expiry is None:
        token_expiry = call.core.ks_max_expiry()
    if row["expiry"] is not None:
        token_expiry = min(token_expiry, row["expiry"] - now)
        if token_expiry < 0:
            raise KalturaApiException("APP_TOKEN_EXPIRED", token_id)
    expiry = min(a["expiry"] or token_expiry, token_expiry)
    session_type = row["session_type"] if row["session_type"] is not None else a["type"]
    session_type = ks.USER if session_type is None else session_type
    user_id = row["session_user_id"] if row["session_user_id"] is not None else a["userId"]
    privileges = app_tokens.session_privileges(
        token_id, row["session_privileges"], a["sessionPrivileges"]
    )
    partner = call.core.partner(call.partner_id)
    if partner is None:  # the KS was verified with this partner's secret
        raise KalturaApiException("START_SESSION_ERROR", call.partner_id)
    valid_until = now + expiry
    text = ks.encode_v2(
        partner.admin_secret,
        partner.partner_id,
        valid_until,
        session_type,
        user_id or "",
        privileges,
    )
    return {
        "ks": text,
        "sessionType": session_type,
        # kCurrentContext's partner id is the KS's, as parsed: a string
        "partnerId": str(partner.partner_id),
        "userId": user_id,
        "expiry": valid_until,
        "privileges": privileges,
        "objectType": "KalturaSessionInfo",
    }


_ID = Param("id", required=True)
_TOKEN = Param("appToken", "object", required=True, type="KalturaAppToken")
ACTIONS = {
    "add": ActionSpec(add, (_TOKEN,), admin_only=True),
    "get": ActionSpec(get, (_ID,), admin_only=True),
    "list": ActionSpec(
        list_,
        (
            Param("filter", "object", type="KalturaAppTokenFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
        admin_only=True,
    ),
    "update": ActionSpec(update, (_ID, _TOKEN), admin_only=True),
    "delete": ActionSpec(delete, (_ID,), admin_only=True),
    "startsession": ActionSpec(
        start_session,
        (
            _ID,
            Param("tokenHash", required=True),
            Param("userId"),
            Param("type", "enum", type="KalturaSessionType", enum=SESSION_TYPES),
            Param("expiry", "int"),
            Param("sessionPrivileges"),
            Param("ks"),  # the KS as sent: the hash covers it (kCurrentContext::$ks)
        ),
    ),
}
