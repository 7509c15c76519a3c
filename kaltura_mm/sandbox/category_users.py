"""Category members (``categoryKuser``): who belongs to a category, at which permission level.

A minimal model for entitlement: the sandbox has no ``categoryUser`` service; members are set up
with ``Sandbox.add_category_user``. Levels are ``KalturaCategoryUserPermissionLevel``: MANAGER=0,
MODERATOR=1, CONTRIBUTOR=2, MEMBER=3, NONE=4. A category whose ``inheritanceType`` is INHERIT (1)
takes its members from the nearest ancestor that manages its own
(``categoryKuserPeer::retrievePermittedKuserInCategory`` reads the ``inheritedParentId``).
"""

from __future__ import annotations

import json
import sqlite3

from kaltura_mm.sandbox.store import SandboxStore

MANAGER, MODERATOR, CONTRIBUTOR, MEMBER, NONE = 0, 1, 2, 3, 4
INHERIT = 1
ACTIVE = 1  # KalturaCategoryUserStatus.ACTIVE

SCHEMA = """
CREATE TABLE IF NOT EXISTS category_users (
    partner_id INTEGER NOT NULL, category_id INTEGER NOT NULL, user_id TEXT NOT NULL,
    permission_level INTEGER NOT NULL, status INTEGER NOT NULL, created_at INTEGER NOT NULL,
    PRIMARY KEY (category_id, user_id)
);
"""


def ensure(store: SandboxStore) -> None:
    """Create the members table in a data folder that lacks it."""
    store.script(SCHEMA)


def add(
    store: SandboxStore, partner_id: int, category_id: int, user_id: str, level: int, now: int
) -> None:
    """Make ``user_id`` an active member of a category at ``level`` (replacing any)."""
    if level not in (MANAGER, MODERATOR, CONTRIBUTOR, MEMBER, NONE):
        raise ValueError(f"permission level must be 0 (manager) to 4 (none), got {level}")
    store.execute(
        "INSERT INTO category_users (partner_id, category_id, user_id, permission_level, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (category_id, user_id) DO UPDATE"
        " SET permission_level = excluded.permission_level, status = excluded.status",
        (partner_id, category_id, user_id, level, ACTIVE, now),
    )


def managing_category(conn: sqlite3.Connection, category_id: int) -> int:
    """Return the category whose members apply to ``category_id``: itself, or for INHERIT the
    nearest ancestor that is not INHERIT (its ``inheritedParentId``)."""
    current = category_id
    for _ in range(64):  # a tree is never this deep; guards a corrupt parent loop
        row = conn.execute(
            "SELECT parent_id, extra FROM categories WHERE id = ?", (current,)
        ).fetchone()
        if row is None or not row["parent_id"]:
            return current
        if json.loads(row["extra"]).get("inheritanceType") != INHERIT:
            return current
        current = int(row["parent_id"])
    return current


def level_of(conn: sqlite3.Connection, category_id: int, user_id: str) -> int | None:
    """Return the user's active permission level in a category (None: not a member)."""
    if not user_id:
        return None
    row = conn.execute(
        "SELECT permission_level FROM category_users WHERE category_id = ? AND lower(user_id) ="
        " lower(?) AND status = ?",
        (managing_category(conn, category_id), user_id, ACTIVE),
    ).fetchone()
    return None if row is None else int(row[0])
