"""The ``categoryEntry`` service: link entries to categories with the real checks in order.

``add`` checks: categoryId null, entryId null, read-only sent, entry missing (``INVALID_ENTRY_ID``),
category missing (``CATEGORY_NOT_FOUND``), 32 links already
(``MAX_CATEGORIES_FOR_ENTRY_REACHED``; 1000 with ``FEATURE_DISABLE_CATEGORY_LIMIT``), entitlement
(``contribution`` rule 1), an ACTIVE link (``CATEGORY_ENTRY_ALREADY_EXISTS``); PENDING/REJECTED
links are re-activated.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kaltura_mm.sandbox import contribution, entitlement, privacy
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param, pager_of
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.listing import Query, csv, order_sql, page_window
from kaltura_mm.sandbox.schema import KInput, check_insert

PENDING, ACTIVE, DELETED, REJECTED = 1, 2, 3, 4
MAX_CATEGORIES_PER_ENTRY = 32  # entry::MAX_CATEGORIES_PER_ENTRY
MAX_WITHOUT_LIMIT = 1000  # entry::MAX_CATEGORIES_PER_ENTRY_DISABLE_LIMIT_FEATURE


def view(row: sqlite3.Row) -> dict[str, Any]:
    """Return the ``KalturaCategoryEntry`` object for a row joined with its category."""
    return {
        "categoryId": row["category_id"],
        "entryId": row["entry_id"],
        "createdAt": row["created_at"],
        "categoryFullIds": row["full_ids"],
        "status": row["status"],
        "creatorUserId": row["creator_user_id"],
        "objectType": "KalturaCategoryEntry",
    }


def _entitled_entry(conn: sqlite3.Connection, call: ActionCall, entry_id: str) -> sqlite3.Row:
    """Return the live entry as entitlement lets the caller see it (else ``INVALID_ENTRY_ID``)."""
    entry: sqlite3.Row | None = conn.execute(
        "SELECT * FROM entries WHERE id = ? AND partner_id = ? AND status != 3",
        (entry_id, call.partner_id),
    ).fetchone()
    if entry is None or not entitlement.entry_entitled(conn, call, entry):
        raise KalturaApiException("INVALID_ENTRY_ID", entry_id)
    return entry


def _visible_category(
    conn: sqlite3.Connection, call: ActionCall, category_id: int
) -> sqlite3.Row | None:
    """Return the active category if entitlement shows it to the caller (else None)."""
    category: sqlite3.Row | None = conn.execute(
        "SELECT * FROM categories WHERE id = ? AND partner_id = ? AND status = 2",
        (category_id, call.partner_id),
    ).fetchone()
    if category is None or not entitlement.category_visible(conn, call, category):
        return None
    return category


def link(
    conn: sqlite3.Connection, call: ActionCall, entry_id: str, category_id: int, quiet: bool = False
) -> int:
    """Create (or re-activate) the link after the checks; return its row id."""
    entry = _entitled_entry(conn, call, entry_id)
    category = _visible_category(conn, call, category_id)
    if category is None:
        if quiet:
            return 0
        raise KalturaApiException("CATEGORY_NOT_FOUND", category_id)
    links = conn.execute(
        "SELECT COUNT(*) FROM category_entries WHERE entry_id = ? AND status IN (1, 2)",
        (entry_id,),
    ).fetchone()[0]
    limit = max_categories(call, category)
    if links >= limit:
        raise KalturaApiException("MAX_CATEGORIES_FOR_ENTRY_REACHED", limit)
    contribution.check_assign(conn, call, entry, category)
    existing = conn.execute(
        "SELECT id, status FROM category_entries WHERE entry_id = ? AND category_id = ? "
        "AND status != 3 ORDER BY id DESC",
        (entry_id, category_id),
    ).fetchone()
    now = int(call.now())
    status = contribution.link_status(conn, call, category)
    conn.execute("UPDATE entries SET updated_at = ? WHERE id = ?", (now, entry_id))
    if existing is not None:
        if existing["status"] == ACTIVE:
            raise KalturaApiException("CATEGORY_ENTRY_ALREADY_EXISTS")
        conn.execute(
            "UPDATE category_entries SET status = ?, created_at = ?, category_full_ids = ?"
            " WHERE id = ?",
            (status, now, category["full_ids"], existing["id"]),
        )
        return int(existing["id"])
    cursor = conn.execute(
        "INSERT INTO category_entries (partner_id, entry_id, category_id, status, created_at,"
        " creator_user_id, category_full_ids) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (call.partner_id, entry_id, category_id, status, now, call.user_id, category["full_ids"]),
    )
    return int(cursor.lastrowid or 0)


# categoryFullIds is the copy the link keeps (written when it is saved, rewritten by the index
# job after a category move), not the category's current fullIds
FULL_IDS_COPY = "COALESCE(ce.category_full_ids, c.full_ids)"
_SELECT = (
    f"SELECT ce.*, {FULL_IDS_COPY} AS full_ids FROM category_entries ce"  # noqa: S608
    " JOIN categories c ON c.id = ce.category_id"
)


def max_categories(call: ActionCall, category: sqlite3.Row) -> int:
    """Return how many links an entry may have before one more to ``category``: 32, or 1000
    with ``FEATURE_DISABLE_CATEGORY_LIMIT`` when the category has fewer than 2 privacy
    contexts (``entry::getMaxCategoriesPerEntry``, ``validateMaxCategoriesPerEntry``)."""
    if not privacy.category_limit_disabled(call):
        return MAX_CATEGORIES_PER_ENTRY
    contexts = privacy.contexts_of(category["extra"])
    return MAX_WITHOUT_LIMIT if len(contexts.split(",")) < 2 else MAX_CATEGORIES_PER_ENTRY


def _check_remove(
    conn: sqlite3.Connection, call: ActionCall, entry_id: str, category_id: int
) -> None:
    """``categoryEntry::setAsDeleted``: the entry and category as entitlement sees them, then
    who may unlink (``contribution`` rule 1)."""
    entry = _entitled_entry(conn, call, entry_id)
    category = _visible_category(conn, call, category_id)
    if category is None:
        raise KalturaApiException("CATEGORY_NOT_FOUND", category_id)
    contribution.check_remove(conn, call, entry, category_id)


def add(call: ActionCall) -> dict[str, Any]:
    """Link an entry to a category."""
    obj: KInput = call.args["categoryEntry"]
    if obj.get("categoryId") is None:
        raise KalturaApiException(
            "PROPERTY_VALIDATION_CANNOT_BE_NULL", "KalturaCategoryEntry::categoryId"
        )
    if obj.get("entryId") is None:
        raise KalturaApiException(
            "PROPERTY_VALIDATION_CANNOT_BE_NULL", "KalturaCategoryEntry::entryId"
        )
    check_insert(obj)
    with call.core.store.tx() as conn:
        row_id = link(conn, call, str(obj.get("entryId")).strip(), int(obj.get("categoryId")))
        row = conn.execute(f"{_SELECT} WHERE ce.id = ?", (row_id,)).fetchone()
    return view(row)


def delete(call: ActionCall) -> None:
    """Unlink (soft delete); a missing pair is ``ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY``."""
    with call.core.store.tx() as conn:
        row = conn.execute(
            "SELECT id FROM category_entries WHERE entry_id = ? AND category_id = ? "
            "AND partner_id = ? AND status != 3",
            (call.args["entryId"], call.args["categoryId"], call.partner_id),
        ).fetchone()
        if row is None:
            raise KalturaApiException("ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY")
        if entitlement.enforced(call):
            _check_remove(conn, call, call.args["entryId"], call.args["categoryId"])
        conn.execute("UPDATE category_entries SET status = 3 WHERE id = ?", (row["id"],))
        conn.execute(
            "UPDATE entries SET updated_at = ? WHERE id = ?",
            (int(call.now()), call.args["entryId"]),
        )


def list_(call: ActionCall) -> dict[str, Any]:
    """List links; a non-admin KS (any KS under entitlement) must filter on an entry or a
    category; under entitlement, what the caller may see (``entitlement`` rule 7)."""
    f: KInput | None = call.args["filter"]
    v = f.values if f else {}
    keys = ("entryIdEqual", "entryIdIn", "categoryIdEqual", "categoryIdIn")
    must_filter = not call.is_admin or entitlement.enforced(call)
    if must_filter and all(v.get(k) in (None, "") for k in keys):
        raise KalturaApiException("MUST_FILTER_ON_ENTRY_OR_CATEGORY")
    visible = entitlement.check_link_filter(call, v)
    q = Query(["ce.partner_id = ?", "ce.status != 3"], [call.partner_id])
    if visible is not None:
        q.add("ce.category_id IN (SELECT value FROM json_each(?))", [json.dumps(visible)])
    q.eq("ce.entry_id", v.get("entryIdEqual"))
    q.in_("ce.entry_id", csv(v.get("entryIdIn"), str))
    q.eq("ce.category_id", v.get("categoryIdEqual"))
    q.in_("ce.category_id", csv(v.get("categoryIdIn"), int))
    q.eq("ce.status", v.get("statusEqual"))
    q.in_("ce.status", csv(v.get("statusIn"), int))
    q.eq("ce.creator_user_id", v.get("creatorUserIdEqual"))
    q.in_("ce.creator_user_id", csv(v.get("creatorUserIdIn"), str))
    q.starts(FULL_IDS_COPY, v.get("categoryFullIdsStartsWith"))
    q.ge("ce.created_at", v.get("createdAtGreaterThanOrEqual"))
    q.le("ce.created_at", v.get("createdAtLessThanOrEqual"))
    size, index = pager_of(call)
    offset, limit = page_window(size, index, None)
    order = order_sql(v.get("orderBy"), {"createdAt": "ce.created_at"}, "+createdAt")
    store = call.core.store
    rows = store.all(
        f"{_SELECT} WHERE {q.sql()} ORDER BY {order}, ce.id LIMIT ? OFFSET ?",
        [*q.params, limit, offset],
    )
    if rows and len(rows) < size:
        total = offset + len(rows)  # the server's shortcut for a short last page
    else:
        total = store.scalar(
            f"SELECT COUNT(*) FROM category_entries ce JOIN categories c ON c.id = ce.category_id "  # noqa: S608
            f"WHERE {q.sql()}",
            q.params,
        )
    return {
        "objects": [view(r) for r in rows],
        "totalCount": total,
        "objectType": "KalturaCategoryEntryListResponse",
    }


ACTIONS = {
    "add": ActionSpec(add, (Param("categoryEntry", "object", True, type="KalturaCategoryEntry"),)),
    "delete": ActionSpec(
        delete, (Param("entryId", required=True), Param("categoryId", "int", required=True))
    ),
    "list": ActionSpec(
        list_,
        (
            Param("filter", "object", type="KalturaCategoryEntryFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
}
