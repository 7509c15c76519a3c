"""``category.list`` as the real server runs it: the search index, then the store.

The same two phases as entries (``entry_search``): the index (``lag`` seconds behind) picks the
ids, their order, the page and ``totalCount``; the store re-reads them, dropping categories deleted
since (a short page). Ties come in ascending category id (the index's document id). Counters
(``entriesCount``...) are the store's, read live, for ordering too. IN lists are cut as in
``entry_filter`` (``idIn``, ``parentIdIn``, ``statusIn`` sorted then 150 kept; ``idNotIn`` and
``fullNameIn`` the first 150).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from kaltura_mm.sandbox import entitlement
from kaltura_mm.sandbox.actions import ActionCall, pager_of
from kaltura_mm.sandbox.free_text import register as register_free_text
from kaltura_mm.sandbox.listing import (
    MAX_MATCHES,
    Query,
    csv,
    cut_first,
    cut_sorted,
    order_parts,
    page_window,
)
from kaltura_mm.sandbox.schema import KInput

MAX_CATEGORIES_NO_PAGER = 1500  # Partner::MAX_NUMBER_OF_CATEGORIES
_ORDER = {
    "depth": "c.depth",
    "name": "c.name",
    "fullName": "c.full_name",
    "createdAt": "c.created_at",
    "updatedAt": "c.updated_at",
    "entriesCount": "entries_count",
    "directEntriesCount": "direct_entries_count",
    "directSubCategoriesCount": "direct_sub_categories_count",
    "membersCount": "members_count",
}


def _where(call: ActionCall, f: KInput | None, q: Query) -> None:
    if f is None:
        return
    v = f.values
    cut = call.core.settings.index_max_in_values
    q.eq("c.id", v.get("idEqual"))
    q.in_("c.id", cut_sorted(csv(v.get("idIn"), int), cut))
    q.not_in("c.id", cut_first(csv(v.get("idNotIn"), int), cut))
    q.eq("c.parent_id", v.get("parentIdEqual"))
    q.in_("c.parent_id", cut_sorted(csv(v.get("parentIdIn"), int), cut))
    q.eq("c.depth", v.get("depthEqual"))
    q.eq("c.full_name", v.get("fullNameEqual"))
    q.starts("c.full_name", v.get("fullNameStartsWith"))
    q.in_("c.full_name", cut_first(csv(v.get("fullNameIn"), str), cut))
    q.eq("c.full_ids", v.get("fullIdsEqual"))
    q.starts("c.full_ids", v.get("fullIdsStartsWith"))
    q.eq("json_extract(c.extra, '$.referenceId')", v.get("referenceIdEqual"))
    q.eq("json_extract(c.extra, '$.privacyContext')", v.get("privacyContextEqual"))
    q.eq("c.status", v.get("statusEqual"))
    q.in_("c.status", cut_sorted(csv(v.get("statusIn"), int), cut))
    q.ge("c.created_at", v.get("createdAtGreaterThanOrEqual"))
    q.le("c.created_at", v.get("createdAtLessThanOrEqual"))
    ancestors = csv(v.get("ancestorIdIn"), int)
    if ancestors:
        one = "(c.full_ids LIKE (SELECT full_ids FROM categories WHERE id = ?) || '>%')"
        q.add("(" + " OR ".join([one] * len(ancestors)) + ")", ancestors)
    if v.get("freeText"):  # whole words (``free_text``): id, name, tags, description, refId
        register_free_text(call.core.store)
        q.add(
            "sandbox_free_text(?, 'category', CAST(c.id AS TEXT), c.name,"
            " json_extract(c.extra, '$.tags'), json_extract(c.extra, '$.description'),"
            " json_extract(c.extra, '$.referenceId'), NULL)",
            [str(v["freeText"])],
        )


def _page(call: ActionCall, counts: str) -> tuple[list[int], int]:
    """Return the page's category ids from the index, and the index's match count."""
    call.core.index.catch_up()
    f: KInput | None = call.args["filter"]
    q = Query(["c.partner_id = ?", "c.status = 2"], [call.partner_id])
    _where(call, f, q)
    visible = entitlement.visible_categories(call)
    if visible is not None:
        q.add("c.id IN (SELECT value FROM json_each(?))", [json.dumps(visible)])
    size, index = pager_of(call, MAX_CATEGORIES_NO_PAGER)
    offset, limit = page_window(size, index, MAX_MATCHES)
    order = ", ".join([*order_parts(f.get("orderBy") if f else None, _ORDER, "+depth"), "c.id"])
    store = call.core.store
    total = int(store.scalar(f"SELECT COUNT(*) FROM category_index c WHERE {q.sql()}", q.params))  # noqa: S608
    rows = store.all(
        f"SELECT c.id, {counts} FROM category_index c WHERE {q.sql()} "  # noqa: S608
        f"ORDER BY {order} LIMIT ? OFFSET ?",
        [*q.params, limit, offset],
    )
    return [int(r[0]) for r in rows], total


def list_page(
    call: ActionCall, counts: str, view: Callable[[sqlite3.Row], dict[str, Any]]
) -> dict[str, Any]:
    """Return one ``category.list`` response; ``counts`` and ``view`` come from the service."""
    ids, total = _page(call, counts)
    rows: list[sqlite3.Row] = []
    if ids:
        rows = call.core.store.all(
            f"SELECT c.*, {counts} FROM categories c WHERE c.status = 2 AND c.partner_id = ? "  # noqa: S608
            f"AND c.id IN ({','.join('?' * len(ids))})",
            [call.partner_id, *ids],
        )
    position = {category_id: n for n, category_id in enumerate(ids)}
    rows.sort(key=lambda r: position[r["id"]])
    return {
        "objects": [view(r) for r in rows],
        "totalCount": total,
        "objectType": "KalturaCategoryListResponse",
    }
