"""The ``category`` service: add, get, update, list, delete; counters computed from category
entries. Names, renames, moves and deletes follow ``category_tree``'s rules."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kaltura_mm.sandbox import (
    category_jobs,
    category_search,
    category_tree,
    dropped_fields,
    entitlement,
    privacy,
)
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param
from kaltura_mm.sandbox.category_tree import NAME_MAX, clean_name
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.schema import KInput, check_insert, check_update

ACTIVE, DELETED = 2, 3
MAX_CATEGORIES_NO_PAGER = 1500
# Writable properties the sandbox keeps; the entitlement ones (``privacy.CATEGORY_DEFAULTS``)
# and ``privacyContext`` are kept by ``_entitlement_extra``.
KEPT = ("description", "tags", "referenceId", "partnerData", "partnerSortValue", "adminTags")

_COUNTS = """
  (SELECT COUNT(*) FROM category_entries ce WHERE ce.category_id = c.id AND ce.status = 2)
    AS direct_entries_count,
  (SELECT COUNT(*) FROM category_entries ce WHERE ce.category_id = c.id AND ce.status = 1)
    AS pending_entries_count,
  (SELECT COUNT(DISTINCT ce.entry_id) FROM category_entries ce JOIN categories d
     ON d.id = ce.category_id
   WHERE ce.status = 2 AND (d.id = c.id OR d.full_ids LIKE c.full_ids || '>%')) AS entries_count,
  (SELECT COUNT(*) FROM categories s WHERE s.parent_id = c.id AND s.status = 2)
    AS direct_sub_categories_count,
  (SELECT COUNT(*) FROM category_users cu WHERE cu.category_id = c.id AND cu.status = 1)
    AS members_count
"""


def view(row: sqlite3.Row) -> dict[str, Any]:
    """Return the ``KalturaCategory`` object for a row selected with the counters, every
    property in the server's order (``KalturaCategory.php``)."""
    extra = json.loads(row["extra"])
    fields = privacy.category_fields(extra)
    return {
        "id": row["id"],
        "parentId": row["parent_id"],
        "depth": row["depth"],
        "partnerId": row["partner_id"],
        "name": row["name"],
        "fullName": row["full_name"],
        "fullIds": row["full_ids"],
        "entriesCount": row["entries_count"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "description": extra.get("description"),
        "tags": extra.get("tags"),
        "appearInList": fields["appearInList"],
        "privacy": fields["privacy"],
        "inheritanceType": fields["inheritanceType"],
        "userJoinPolicy": fields["userJoinPolicy"],
        "defaultPermissionLevel": fields["defaultPermissionLevel"],
        "owner": fields["owner"],
        "directEntriesCount": row["direct_entries_count"],
        "referenceId": extra.get("referenceId"),
        "contributionPolicy": fields["contributionPolicy"],
        "membersCount": row["members_count"],
        "pendingMembersCount": 0,
        "privacyContext": extra.get("privacyContext") or "",
        "privacyContexts": privacy.contexts_of(extra),
        "status": row["status"],
        "inheritedParentId": None,
        "partnerSortValue": extra.get("partnerSortValue", 0),
        "partnerData": extra.get("partnerData"),
        "defaultOrderBy": None,
        "directSubCategoriesCount": row["direct_sub_categories_count"],
        "moderation": fields["moderation"],
        "pendingEntriesCount": row["pending_entries_count"],
        "isAggregationCategory": False,
        "aggregationCategories": None,
        "adminTags": extra.get("adminTags"),
        "objectType": "KalturaCategory",
    }


def fetch(call: ActionCall, category_id: int) -> sqlite3.Row | None:
    """Return an active category of the caller's partner, with counters (None also when
    entitlement hides it, ``entitlement`` rule 5)."""
    with call.core.store.reading() as conn:
        row: sqlite3.Row | None = conn.execute(
            f"SELECT c.*, {_COUNTS} FROM categories c WHERE c.id = ? AND c.partner_id = ? "  # noqa: S608
            "AND c.status = 2",
            (category_id, call.partner_id),
        ).fetchone()
        if row is not None and not entitlement.category_visible(conn, call, row):
            return None
    return row


def insert(
    conn: sqlite3.Connection,
    partner_id: int,
    parent: sqlite3.Row | None,
    name: str,
    now: int,
    extra: dict[str, Any],
) -> int:
    """Insert a category under ``parent`` (None: root) and return its id."""
    full_name = f"{parent['full_name']}>{name}" if parent else name
    category_tree.check_unique(conn, partner_id, full_name, 0)
    cursor = conn.execute(
        "INSERT INTO categories (partner_id, parent_id, name, full_name, full_ids, depth, status,"
        " created_at, updated_at, extra) VALUES (?, ?, ?, ?, '', ?, 2, ?, ?, ?)",
        (
            partner_id,
            parent["id"] if parent else 0,
            name,
            full_name,
            parent["depth"] + 1 if parent else 0,
            now,
            now,
            json.dumps(extra),
        ),
    )
    new_id = int(cursor.lastrowid or 0)
    full_ids = f"{parent['full_ids']}>{new_id}" if parent else str(new_id)
    conn.execute("UPDATE categories SET full_ids = ? WHERE id = ?", (full_ids, new_id))
    return new_id


def _entitlement_extra(
    call: ActionCall, obj: KInput, parent_contexts: str, old: dict[str, Any] | None
) -> dict[str, Any]:
    """Return the privacy context and entitlement properties to keep for a category being added
    (``old`` None) or updated (``old``: its kept properties): checked, contexts built from the
    parent's (``privacy`` rule 1), and the KS user as the owner of a new category with a
    context (``KalturaCategory::toInsertableObject``)."""
    sent = obj.values
    if sent.get("privacyContext") and entitlement.enforced(call):
        raise KalturaApiException("CANNOT_UPDATE_CATEGORY_PRIVACY_CONTEXT")
    adding = old is None
    old = old or {}
    own = sent.get("privacyContext", old.get("privacyContext"))
    if "privacyContext" in obj.nulls:
        own = None
    has_context = (
        bool(str(own or "").strip()) or bool(parent_contexts) or bool(privacy.contexts_of(old))
    )
    privacy.check_category_fields(sent, has_context)
    kept = {k: sent[k] for k in privacy.CATEGORY_DEFAULTS if k in sent}
    kept.update({k: None for k in privacy.CATEGORY_DEFAULTS if k in obj.nulls})
    if adding and has_context and not sent.get("owner") and sent.get("inheritanceType") != 1:
        kept["owner"] = call.user_id or None
    if adding or "privacyContext" in sent or "privacyContext" in obj.nulls:
        kept["privacyContext"] = own
        kept["privacyContexts"] = privacy.build(parent_contexts, own)
        several = len(kept["privacyContexts"].split(",")) > 1
        if several and privacy.category_limit_disabled(call):
            # ``category::validatePrivacyContexts``
            raise KalturaApiException("CANNOT_SET_MULTI_PRIVACY_CONTEXT")
    return kept


def _check_name(obj: KInput, required: bool) -> None:
    """Apply ``validatePropertyMinLength`` / ``MaxLength`` to a sent (or required) name."""
    name = obj.get("name")
    if name is None:
        if required or "name" in obj.nulls:
            raise KalturaApiException("PROPERTY_VALIDATION_CANNOT_BE_NULL", f"{obj.type}::name")
        return
    size = len(name.encode())  # PHP strlen: bytes, so 100 two-byte characters are the limit
    if size < 1:
        raise KalturaApiException("PROPERTY_VALIDATION_MIN_LENGTH", f"{obj.type}::name", 1)
    if size > NAME_MAX:
        raise KalturaApiException("PROPERTY_VALIDATION_MAX_LENGTH", f"{obj.type}::name", NAME_MAX)


def _parent(conn: sqlite3.Connection, call: ActionCall, parent_id: int) -> sqlite3.Row | None:
    """Return the live parent (None for 0, the root) or raise ``PARENT_CATEGORY_NOT_FOUND``."""
    if not parent_id:
        return None
    parent: sqlite3.Row | None = conn.execute(
        "SELECT * FROM categories WHERE id = ? AND partner_id = ? AND status = 2",
        (parent_id, call.partner_id),
    ).fetchone()
    if parent is None or not entitlement.category_visible(conn, call, parent):
        raise KalturaApiException("PARENT_CATEGORY_NOT_FOUND", parent_id)
    return parent


def _must(call: ActionCall, category_id: int) -> sqlite3.Row:
    row = fetch(call, category_id)
    if row is None:
        raise KalturaApiException("CATEGORY_NOT_FOUND", category_id)
    return row


def add(call: ActionCall) -> dict[str, Any]:
    """Create a category under ``parentId`` (0: root)."""
    obj: KInput = call.args["category"]
    check_insert(obj)
    dropped_fields.drop(call.permissions, obj, dropped_fields.INSERT)
    _check_name(obj, required=True)
    extra = {k: obj.get(k) for k in KEPT if k in obj.values}
    with call.core.store.tx() as conn:
        if obj.get("parentId"):
            category_jobs.check_unlocked(conn, call.partner_id)
        parent = _parent(conn, call, obj.get("parentId", 0))
        inherited = privacy.contexts_of(parent["extra"]) if parent is not None else ""
        extra.update(_entitlement_extra(call, obj, inherited, None))
        name = clean_name(obj.get("name"))
        new_id = insert(conn, call.partner_id, parent, name, int(call.now()), extra)
    return view(_must(call, new_id))


def get(call: ActionCall) -> dict[str, Any]:
    """Return one category or ``CATEGORY_NOT_FOUND``."""
    return view(_must(call, call.args["id"]))


def update(call: ActionCall) -> dict[str, Any]:
    """Rename, move or edit a category (``CategoryService::updateAction``'s checks in order)."""
    obj: KInput = call.args["category"]
    row = _must(call, call.args["id"])
    _check_name(obj, required=False)
    with call.core.store.tx() as conn:
        moving = "parentId" in obj.values
        parent = _parent(conn, call, obj.get("parentId")) if moving else None
        category_jobs.check_unlocked(conn, call.partner_id)
        check_update(obj, view(row))
        dropped_fields.drop(call.permissions, obj, dropped_fields.UPDATE, view(row))
        if not moving and row["parent_id"]:
            parent = _parent(conn, call, row["parent_id"])
        name = clean_name(obj.get("name")) if "name" in obj.values else row["name"]
        now = int(call.now())
        if category_tree.place(conn, row, name, parent, now):
            moved = (parent["id"] if parent is not None else 0) != row["parent_id"]
            job = (category_jobs.REINDEX, row["id"])
            category_jobs.add(conn, call.core, call.partner_id, job, locks=moved)
        old = json.loads(row["extra"])
        extra = {**old, **{k: obj.values[k] for k in KEPT if k in obj.values}}
        extra.update({k: None for k in KEPT if k in obj.nulls})
        inherited = privacy.contexts_of(parent["extra"]) if parent is not None else ""
        extra.update(_entitlement_extra(call, obj, inherited, old))
        if privacy.contexts_of(extra) != privacy.contexts_of(old):
            # the descendants follow in a batch job (``privacy`` rule 2)
            job = (category_jobs.REINDEX, row["id"])
            category_jobs.add(conn, call.core, call.partner_id, job)
        if extra != old:
            conn.execute(
                "UPDATE categories SET extra = ?, updated_at = ? WHERE id = ?",
                (json.dumps(extra), now, row["id"]),
            )
    return view(_must(call, row["id"]))


def delete(call: ActionCall) -> None:
    """Delete a category and its subtree; a job then moves its links to the parent or drops
    them (``category_jobs``)."""
    with call.core.store.tx() as conn:
        category_jobs.check_unlocked(conn, call.partner_id)
    row = _must(call, call.args["id"])
    move = call.args["moveEntriesToParentCategory"] != 0 and row["parent_id"] != 0
    with call.core.store.tx() as conn:
        category_tree.delete(conn, row, int(call.now()))
        extra = {"full_ids": row["full_ids"], "move_to": row["parent_id"] if move else 0}
        job = (category_jobs.LINKS, row["id"])
        category_jobs.add(conn, call.core, call.partner_id, job, extra=extra)


def list_(call: ActionCall) -> dict[str, Any]:
    """List categories from the search index (``category_search``)."""
    return category_search.list_page(call, _COUNTS, view)


ACTIONS = {
    "add": ActionSpec(
        add, (Param("category", "object", True, type="KalturaCategory"),), admin_only=True
    ),
    "get": ActionSpec(get, (Param("id", "int", True),)),
    "list": ActionSpec(
        list_,
        (
            Param("filter", "object", type="KalturaCategoryFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
    "update": ActionSpec(
        update,
        (Param("id", "int", True), Param("category", "object", True, type="KalturaCategory")),
        admin_only=True,
    ),
    "delete": ActionSpec(
        delete,
        (
            Param("id", "int", True),
            Param(
                "moveEntriesToParentCategory",
                "enum",
                default=1,
                type="KalturaNullableBoolean",
                enum=frozenset({-1, 0, 1}),
            ),
        ),
        admin_only=True,
    ),
}
