"""Application tokens (``AppToken``): records, their API view, the hash check, the privileges a
session started from one carries, and the invalidation of those sessions on delete.

Server code: ``AppToken.php`` (``calcHash``: ``hash(hashType, KS as sent + token)``, SHA1 when no
``hashType`` is stored), ``AppTokenPeer`` (DELETED tokens are filtered out of every read),
``kSessionBase::parsePrivileges`` / ``buildPrivileges`` / ``getServerPrivileges`` and
``kSessionUtils::retrieveAllowedAppSessionPrivileges``, ``invalidSessionPeer`` (a deleted token's
id, hashed with the partner id, is written as an invalid session id; ``ks::isValid`` then answers
``LOGOUT`` for every KS that carries ``sessionid:<id>``).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kaltura_mm.sandbox import ids, ks
from kaltura_mm.sandbox.store import SandboxStore

if TYPE_CHECKING:
    from kaltura_mm.sandbox.core import Core

DISABLED, ACTIVE, DELETED = 1, 2, 3  # AppTokenStatus
HASH_TYPES = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}
DEFAULT_HASH_TYPE = "SHA1"  # AppToken::getHashType's default
# The names of every kSessionBase::PRIVILEGE_* constant: a caller may not add these at
# appToken.startSession (they must be set on the token when it is made).
SERVER_PRIVILEGES = frozenset(
    [
        "edit",
        "sview",
        "list",
        "download",
        "downloadasset",
        "editplaylist",
        "sviewplaylist",
        "actionslimit",
        "setrole",
        "restrictingrole",
        "limitentry",
        "iprestrict",
        "urirestrict",
        "enableentitlement",
        "disableentitlement",
        "disableentitlementforentry",
        "disableentitlementforplaylist",
        "privacycontext",
        "enablecategorymoderation",
        "reftime",
        "sessionkey",
        "preview",
        "sessionid",
        "jobtype",
        "apptoken",
        "enablechangeaccount",
        "edituser",
        "enablecaptionmoderation",
        "editadmintags",
        "restrictexplicitliveview",
        "virtualeventid",
        "searchcontext",
        "disablesessiontypecheck",
    ]
)
_WILDCARD = "*"  # kSessionBase::PRIVILEGE_WILDCARD
Privileges = dict[str, list[str]]


def new_id() -> str:
    """Return a new token id (``<dc>_`` + ``kString::generateStringId``, like an entry id)."""
    return ids.entry_id()


def new_token() -> str:
    """Return the secret: ``bin2hex(openssl_random_pseudo_bytes(16))``, 32 hex characters."""
    return secrets.token_hex(16)


def view(row: sqlite3.Row | Mapping[str, Any]) -> dict[str, Any]:
    """Return ``KalturaAppToken``, properties in the class's order (nulls are left out)."""
    return {
        "id": row["id"],
        "token": row["token"],
        "partnerId": row["partner_id"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "status": row["status"],
        "expiry": row["expiry"],
        "sessionType": row["session_type"],
        "sessionUserId": row["session_user_id"],
        "sessionDuration": row["session_duration"],
        "sessionPrivileges": row["session_privileges"],
        "hashType": row["hash_type"] or DEFAULT_HASH_TYPE,
        "description": row["description"],
        "objectType": "KalturaAppToken",
    }


def insert(
    core: Core, partner_id: int, values: dict[str, Any], status: int = ACTIVE
) -> dict[str, Any]:
    """Store a new token (a server-made id and secret; ``sessionDuration`` defaults to the
    partner's KS maximum) and return its view."""
    if values.get("session_duration") is None:
        values = {**values, "session_duration": core.ks_max_expiry()}
    now = int(core.clock.now())
    row = {
        "id": new_id(),
        "partner_id": partner_id,
        "token": new_token(),
        "status": status,
        "created_at": now,
        "updated_at": now,
        **values,
    }
    core.store.execute(
        f"INSERT INTO app_tokens ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",  # noqa: S608
        list(row.values()),
    )
    stored = find(core.store, partner_id, row["id"])
    assert stored is not None  # just written
    return view(stored)


def find(store: SandboxStore, partner_id: int, token_id: str) -> sqlite3.Row | None:
    """Return a partner's token that is not DELETED (``AppTokenPeer``'s default criteria)."""
    return store.one(
        "SELECT * FROM app_tokens WHERE id = ? AND partner_id = ? AND status != ?",
        (token_id, partner_id, DELETED),
    )


def token_hash(hash_type: str | None, ks_text: str, token: str) -> str:
    """Return ``hash(hashType, ks + token)`` in lower-case hex, as ``AppToken::calcHash``."""
    algorithm = HASH_TYPES[(hash_type or DEFAULT_HASH_TYPE).upper()]
    return hashlib.new(algorithm, (ks_text + token).encode()).hexdigest()


def parse_privileges(text: str) -> Privileges:
    """``kSessionBase::parsePrivileges``: name -> values (split on ``/``), repeats merged."""
    parsed: Privileges = {}
    for item in text.split(","):
        name, sep, value = item.partition(":")
        values = value.split("/") if sep and value else []
        parsed.setdefault(name, []).extend(values)
    return parsed


def build_privileges(privileges: Privileges) -> str:
    """``kSessionBase::buildPrivileges``: ``name:v1/v2`` or a bare ``name``, comma-joined."""
    return ",".join(f"{n}:{'/'.join(v)}" if v else n for n, v in privileges.items())


def session_privileges(token_id: str, on_token: str | None, asked: str | None) -> str:
    """Return the privileges of a KS started from a token: ``sessionid`` and ``apptoken`` (the
    token's id), then the token's own, then those asked for at ``startSession`` that are neither
    server-reserved nor already on the token (unless the token holds that name with ``*``)."""
    result: Privileges = {"sessionid": [token_id], "apptoken": [token_id]}
    if on_token:
        for name, values in parse_privileges(on_token).items():
            result.setdefault(name, []).extend(values)  # array_merge_recursive
    if asked:
        forbidden = SERVER_PRIVILEGES | {name.strip() for name in result}
        for name, values in parse_privileges(asked).items():
            if name.strip() not in forbidden or _WILDCARD in result.get(name, []):
                result[name] = values
    return build_privileges(result)


def session_key(partner_id: int, session_id: str) -> str:
    """``ks::buildSessionIdHash``: ``sha1(partnerId + "_" + sessionId)``."""
    return hashlib.sha1(f"{partner_id}_{session_id}".encode()).hexdigest()  # noqa: S324


def invalidate(conn: sqlite3.Connection, partner_id: int, token_id: str) -> None:
    """Invalidate every session started from a token (they carry ``sessionid:<id>``)."""
    conn.execute(
        "INSERT OR IGNORE INTO invalid_sessions (session_key) VALUES (?)",
        (session_key(partner_id, token_id),),
    )


def is_logged_out(store: SandboxStore, session: ks.VerifiedKs) -> bool:
    """Return True when the KS's session id was invalidated (``ks::isValid`` -> ``LOGOUT``).

    A widget session is never checked (``kSessionBase::tryToValidateKS``: anyone can make one).
    """
    session_id = session.privileges.get("sessionid")
    if not session_id or _is_widget(session):
        return False
    key = session_key(session.partner_id, session_id.split("/")[0])
    return store.one("SELECT 1 FROM invalid_sessions WHERE session_key = ?", (key,)) is not None


def _is_widget(session: ks.VerifiedKs) -> bool:
    return (
        session.type == ks.USER
        and session.user_id in ("", "0")
        and session.privileges.get("widget") == "1"
    )
