"""Category tree changes: names, renames and moves, deletes (``category.php``, ``CategoryService``).

Rules:
1. A name of more than 200 bytes (``strlen``, UTF-8) is ``PROPERTY_VALIDATION_MAX_LENGTH``
   (``KalturaCategory::validateForInsert``); one that reaches the store is trimmed, cut to 200
   bytes (``substr``; a character cut in two is dropped) and ``>``, ``<`` and ``,`` become ``_``
   (``categoryPeer::getParsedName``); a sibling with the same full name is
   ``DUPLICATE_CATEGORY`` naming the new full name. Names are compared ignoring ASCII case: the
   real check is a database match whose case rules are not published, and refusing is the
   harsher reading.
2. A rename or move rewrites the category's ``fullName`` / ``fullIds`` / ``depth``; those of its
   descendants follow in a batch job (``category_jobs``). Moving under itself or a descendant is
   ``PARENT_CATEGORY_IS_CHILD`` (args: the requested parent, the category).
3. Deleting marks the category and every descendant DELETED. Its links are then moved to the
   parent (``moveEntriesToParentCategory``, the default, and not at the root) or deleted by a
   batch job, selected as the real batch jobs select them: by category ``fullIds`` *starting
   with* the deleted category's, with no separator, so a sibling whose id has the deleted id as
   a prefix (``12>34`` and ``12>345``) loses its links too (``category::deleteChildCategories``,
   ``KAsyncMoveCategoryEntries``).
"""

from __future__ import annotations

import sqlite3

from kaltura_mm.sandbox.errors import KalturaApiException

NAME_MAX = 200
ACTIVE, DELETED = 2, 3
_PHP_TRIM = " \t\n\r\0\x0b"


def clean_name(name: str) -> str:
    """Return the name the server stores (rule 1): trimmed, cut, then its characters replaced."""
    name = name.strip(_PHP_TRIM).encode()[:NAME_MAX].decode(errors="ignore")
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
        raise KalturaApiException("DUPLICATE_CATEGORY", full_name)


def place(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    name: str,
    parent: sqlite3.Row | None,
    now: int,
) -> bool:
    """Give ``row`` a new name and/or parent (None: the root); return True when its subtree must
    follow (rule 2: the caller queues the job)."""
    parent_id = parent["id"] if parent is not None else 0
    if parent_id != row["parent_id"] and _inside(row, parent):
        raise KalturaApiException("PARENT_CATEGORY_IS_CHILD", parent_id, row["id"])
    full_name = f"{parent['full_name']}>{name}" if parent is not None else name
    full_ids = f"{parent['full_ids']}>{row['id']}" if parent is not None else str(row["id"])
    depth = parent["depth"] + 1 if parent is not None else 0
    if (name, parent_id) == (row["name"], row["parent_id"]):
        return False
    if full_name != row["full_name"]:
        check_unique(conn, row["partner_id"], full_name, row["id"])
    conn.execute(
        "UPDATE categories SET name = ?, parent_id = ?, full_name = ?, full_ids = ?, depth = ?,"
        " updated_at = ? WHERE id = ?",
        (name, parent_id, full_name, full_ids, depth, now, row["id"]),
    )
    return (full_name, full_ids) != (row["full_name"], row["full_ids"])


def _inside(row: sqlite3.Row, parent: sqlite3.Row | None) -> bool:
    """Return True when ``parent`` is ``row`` itself or one of its descendants."""
    if parent is None:
        return False
    return f"{parent['full_ids']}>".startswith(f"{row['full_ids']}>")


def delete(conn: sqlite3.Connection, row: sqlite3.Row, now: int) -> None:
    """Mark ``row`` and its descendants DELETED (rule 3; the links follow in a job)."""
    conn.execute(
        "UPDATE categories SET status = 3, updated_at = ? WHERE partner_id = ? AND status = 2"
        " AND (id = ? OR full_ids LIKE ?)",
        (now, row["partner_id"], row["id"], row["full_ids"] + ">%"),
    )
