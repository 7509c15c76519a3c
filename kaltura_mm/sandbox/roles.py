"""User roles: which one a session acts with, and the permissions it holds.

Role selection (``kPermissionManager::getRoleIds``): ``setrole:<id or system name>`` in the KS
wins, looked up among the KS partner's roles and the global ones (partner 0), deleted ones
excluded; an unknown one is ``INVALID_OBJECT_ID`` (``ID`` = ``N/A``: the server's exception carries
no data), a negative id ``INVALID_SET_ROLE``, and ``setrole:null`` leaves only the always-allowed
actions. Otherwise a KS user the partner gave roles (``Sandbox.set_user_roles``: a KMC user)
acts with those roles, whatever the KS type (``kuser::getRoleIds``; the user id is matched
ignoring case). Otherwise a widget KS (USER type, user "" or "0", ``widget:1``) takes the
widget role, an ADMIN KS the partner admin role (``*``: every permission) and a USER KS the
user-session role (``BASE_USER_SESSION_PERMISSION`` only). Every role also holds
``ALWAYS_ALLOWED_ACTIONS``. A role's status is not checked (a BLOCKED role still works, as in
``getPermissions``); a role a user holds cannot be deleted (``ROLE_IS_BEING_USED``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from kaltura_mm.sandbox import permissions
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.ks import VerifiedKs
from kaltura_mm.sandbox.store import SandboxStore

ACTIVE, BLOCKED, DELETED = 1, 2, 3
GLOBAL_PARTNER = 0
USER_ROLE_ID, ADMIN_ROLE_ID, WIDGET_ROLE_ID = 1, 2, 3
# partner roles are numbered from 1000, apart from the global ones (ids 1, 2, 3 in SCHEMA)

SCHEMA = """
CREATE TABLE IF NOT EXISTS user_roles (
    id INTEGER PRIMARY KEY AUTOINCREMENT, partner_id INTEGER NOT NULL, name TEXT NOT NULL,
    system_name TEXT, description TEXT, status INTEGER NOT NULL, permission_names TEXT,
    tags TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS user_roles_by_partner ON user_roles (partner_id, status);
CREATE TABLE IF NOT EXISTS user_role_holders (
    partner_id INTEGER NOT NULL, user_id TEXT NOT NULL COLLATE NOCASE, role_ids TEXT NOT NULL,
    PRIMARY KEY (partner_id, user_id)
);
INSERT OR IGNORE INTO user_roles VALUES
    (1, 0, 'Basic User Session Role', 'Basic User Session Role',
     'Allowed actions for a basic user with no special permissions', 1,
     'BASE_USER_SESSION_PERMISSION', NULL, 0, 0),
    (2, 0, 'Publisher Administrator', 'Publisher Administrator',
     'Full control over publisher account and user management functionalities', 1, '*',
     'kmc,partner_admin', 0, 0),
    (3, 0, 'Widget Session Role', 'WIDGET_SESSION_ROLE',
     'Allowed view actions for widget session', 1, 'WIDGET_SESSION_PERMISSION', NULL, 0, 0);
UPDATE sqlite_sequence SET seq = MAX(seq, 999) WHERE name = 'user_roles';
"""


def ensure_schema(store: SandboxStore) -> None:
    """Create the roles table and the global roles (a data folder from before roles gets them)."""
    store.script(SCHEMA)


@dataclass(frozen=True)
class Role:
    """A role as the permission check needs it."""

    ids: tuple[int, ...]
    names: frozenset[str]


def insert(store: SandboxStore, partner_id: int, values: Mapping[str, object], now: int) -> int:
    """Store a new role of ``partner_id`` (``values``: API property names) and return its id."""
    with store.tx() as conn:
        cursor = conn.execute(
            "INSERT INTO user_roles (partner_id, name, system_name, description, status,"
            " permission_names, tags, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                partner_id,
                values["name"],
                values.get("systemName"),
                values.get("description"),
                values.get("status") or ACTIVE,
                values.get("permissionNames"),
                values.get("tags"),
                now,
                now,
            ),
        )
    return int(cursor.lastrowid or 0)


def names_of(text: str | None) -> frozenset[str]:
    """Split a ``permissionNames`` value (comma list, spaces trimmed, empties dropped)."""
    return frozenset(n.strip() for n in (text or "").split(",") if n.strip())


def is_widget(session: VerifiedKs) -> bool:
    """Return True for a widget KS (``kSessionBase::isWidgetSession``)."""
    text = session.raw_privileges
    return session.type == 0 and session.user_id in ("", "0") and "widget:1" in text


def find(store: SandboxStore, partner_id: int, key: str) -> sqlite3.Row | None:
    """Return the live role named by id or system name, of the partner or global."""
    column = "id" if key.strip().lstrip("-").isdigit() else "system_name"
    row: sqlite3.Row | None = store.one(
        f"SELECT * FROM user_roles WHERE {column} = ? AND partner_id IN (?, 0)"  # noqa: S608
        " AND status != 3 ORDER BY id LIMIT 1",
        (int(key) if column == "id" else key, partner_id),
    )
    return row


def _default_role_id(session: VerifiedKs) -> int:
    if is_widget(session):
        return WIDGET_ROLE_ID
    return ADMIN_ROLE_ID if session.is_admin else USER_ROLE_ID


def held_by(store: SandboxStore, partner_id: int, user_id: str) -> tuple[int, ...]:
    """Return the ids of the roles the partner gave ``user_id`` (none: the session type's)."""
    text = store.scalar(
        "SELECT role_ids FROM user_role_holders WHERE partner_id = ? AND user_id = ?",
        (partner_id, user_id),
    )
    return tuple(int(part) for part in str(text or "").split(",") if part.strip())


def set_holder(
    store: SandboxStore, partner_id: int, user_id: str, role_ids: tuple[int, ...]
) -> None:
    """Give ``user_id`` exactly ``role_ids`` (none: back to the session type's default)."""
    with store.tx() as conn:
        conn.execute(
            "DELETE FROM user_role_holders WHERE partner_id = ? AND user_id = ?",
            (partner_id, user_id),
        )
        if role_ids:
            conn.execute(
                "INSERT INTO user_role_holders VALUES (?, ?, ?)",
                (partner_id, user_id, ",".join(str(r) for r in role_ids)),
            )


def in_use(store: SandboxStore, partner_id: int, role_id: int) -> bool:
    """Return True when some user of the partner holds role ``role_id``."""
    rows = store.all("SELECT role_ids FROM user_role_holders WHERE partner_id = ?", (partner_id,))
    return any(str(role_id) in row[0].split(",") for row in rows)


def role_of(store: SandboxStore, session: VerifiedKs) -> Role:
    """Return the role(s) ``session`` acts with, always-allowed actions included."""
    wanted = session.role
    if wanted:
        if wanted == "null":
            return Role((), frozenset({permissions.ALWAYS_ALLOWED}))
        if wanted.lstrip("-").isdigit() and int(wanted) < 0:
            raise KalturaApiException("INVALID_SET_ROLE")
        row = find(store, session.partner_id, wanted)
        if row is None:
            raise KalturaApiException("INVALID_OBJECT_ID")
        ids: tuple[int, ...] = (int(row["id"]),)
    else:
        ids = held_by(store, session.partner_id, session.user_id) if session.user_id else ()
        ids = ids or (_default_role_id(session),)
    held = {permissions.ALWAYS_ALLOWED}
    for role_id in ids:  # a held role is read even when deleted, as ``getPermissions`` does
        text = store.scalar("SELECT permission_names FROM user_roles WHERE id = ?", (role_id,))
        held |= names_of(text)
    return Role(ids, frozenset(held))


__all__ = [
    "ACTIVE",
    "ADMIN_ROLE_ID",
    "BLOCKED",
    "DELETED",
    "USER_ROLE_ID",
    "WIDGET_ROLE_ID",
    "Role",
    "ensure_schema",
    "find",
    "held_by",
    "in_use",
    "insert",
    "is_widget",
    "names_of",
    "role_of",
    "set_holder",
]
