"""Category tree changes: names, renames and moves, deletes (``category.php``, ``CategoryService``).

Rules:
1. A name is trimmed, ``>``, ``<`` and ``,`` become ``_`` and it is cut to 200 characters
   (``categoryPeer::getParsedName``); a sibling with the same full name is
   ``DUPLICATE_CATEGORY`` naming the new full name. Names are compared ignoring ASCII case: the
   real check is a database match whose case rules are not published, and refusing is the
   harsher reading.
2. A rename or move rewrites the category's ``fullName`` / ``fullIds`` / ``depth`` and those of
   every descendant (the real server does the descendants in batch jobs); entries show their
   categories' current full names. Moving under itself or a descendant is
   ``PARENT_CATEGORY_IS_CHILD`` (args: the requested parent, the category).
3. Deleting marks the category and every descendant DELETED. Its links are moved to the parent
   (``moveEntriesToParentCategory``, the default, and not at the root) or deleted, selected as the
   real batch jobs select them: by category ``fullIds`` *starting with* the deleted category's,
   with no separator, so a sibling whose id has the deleted id as a prefix (``12>34`` and
   ``12>345``) loses its links too (``category::deleteChildCategories``,
   ``KAsyncMoveCategoryEntries``).
"""

from __future__ import annotations

import sqlite3

from kaltura_mm.sandbox.errors import ApiError

NAME_MAX = 200
ACTIVE, DELETED = 2, 3
_PHP_TRIM = " \t\n\r\0\x0b"


def clean_name(name: str) -> str:
    """Return the name the server stores (rule 1): trimmed, cut, then its characters replaced."""
    name = name.strip(_PHP_TRIM)[:NAME_MAX]
    for char in "><,":
        name = name.replace(char, "_")
    return name


def check_unique(conn: sqlite3.Connection, partner_id: int, full_name: str, own_id: int) -> None:
    """Raise ``DUPLICATE_CATEGORY`` when another live category has ``full_name`` (rule 1)."""
    clash = conn.execute(
        "SELECT 1 FROM categories WHERE partner_id = ? AND status = 2 AND id != ? "
        "AND lower(full_name) = lower(?)",
        (partner_id, own_id, full_name),
    ).fetchone()
    if clash:
        raise ApiError("DUPLICATE_CATEGORY", full_name)


def place(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    name: str,
    parent: sqlite3.Row | None,
    now: int,
) -> None:
    """Give ``row`` a new name and/or parent (None: the root) and carry its subtree (rule 2)."""
    parent_id = parent["id"] if parent is not None else 0
    if parent_id != row["parent_id"] and _inside(row, parent):
        raise ApiError("PARENT_CATEGORY_IS_CHILD", parent_id, row["id"])
    full_name = f"{parent['full_name']}>{name}" if parent is not None else name
    full_ids = f"{parent['full_ids']}>{row['id']}" if parent is not None else str(row["id"])
    depth = parent["depth"] + 1 if parent is not None else 0
    if (name, parent_id) == (row["name"], row["parent_id"]):
        return
    if full_name != row["full_name"]:
        check_unique(conn, row["partner_id"], full_name, row["id"])
    conn.execute(
        "UPDATE categories SET name = ?, parent_id = ?, full_name = ?, full_ids = ?, depth = ?,"
        " updated_at = ? WHERE id = ?",
        (name, parent_id, full_name, full_ids, depth, now, row["id"]),
    )
    if (full_name, full_ids) != (row["full_name"], row["full_ids"]):
        _carry_subtree(conn, row, full_name, full_ids, depth - row["depth"], now)


def _inside(row: sqlite3.Row, parent: sqlite3.Row | None) -> bool:
    """Return True when ``parent`` is ``row`` itself or one of its descendants."""
    if parent is None:
        return False
    return f"{parent['full_ids']}>".startswith(f"{row['full_ids']}>")


def _carry_subtree(
    conn: sqlite3.Connection, row: sqlite3.Row, full_name: str, full_ids: str, shift: int, now: int
) -> None:
    conn.execute(
        "UPDATE categories SET full_name = ? || substr(full_name, ?),"
        " full_ids = ? || substr(full_ids, ?), depth = depth + ?, updated_at = ?"
        " WHERE partner_id = ? AND full_ids LIKE ? AND status = 2",
        (
            full_name,
            len(row["full_name"]) + 1,
            full_ids,
            len(row["full_ids"]) + 1,
            shift,
            now,
            row["partner_id"],
            row["full_ids"] + ">%",
        ),
    )


def delete(conn: sqlite3.Connection, row: sqlite3.Row, now: int) -> list[sqlite3.Row]:
    """Mark ``row`` and its descendants DELETED; return the links the batch jobs would touch
    (rule 3), oldest first, for the caller to move or delete."""
    conn.execute(
        "UPDATE categories SET status = 3, updated_at = ? WHERE partner_id = ? AND status = 2"
        " AND (id = ? OR full_ids LIKE ?)",
        (now, row["partner_id"], row["id"], row["full_ids"] + ">%"),
    )
    return conn.execute(
        "SELECT ce.* FROM category_entries ce JOIN categories c ON c.id = ce.category_id"
        " WHERE ce.partner_id = ? AND ce.status != 3 AND c.full_ids LIKE ?"
        " ORDER BY ce.created_at, ce.id",
        (row["partner_id"], row["full_ids"] + "%"),
    ).fetchall()
