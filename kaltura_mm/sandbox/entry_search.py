"""``baseEntry.list``/``media.list``/``count`` as the real server runs them: index, then store.

Rules (``SphinxCriteria::applyFilters`` / ``applySphinxResult``, ``entryPeer::doSelect``):
1. The search index (``search_index``, ``lag`` seconds behind the store) decides which ids match,
   their order and the page; ``totalCount`` and ``count`` are its match count (``total_found``).
2. The page's ids are then re-read from the store with the default criteria only: the caller's
   partner, a USER KS's own entries. The filter itself is not re-applied (the index handled it):
   an entry renamed or moved out of a category since it was indexed is still returned, as it is
   now.
3. An entry deleted since it was indexed comes back as it now is, a row with status DELETED (3):
   ``KalturaBaseEntryFilter::prepareEntriesCriteriaFilter`` calls
   ``entryPeer::allowDeletedInCriteriaFilter``, which takes the default criteria's
   ``status != DELETED`` away for the re-read. A client filters such rows out itself.
4. Ties on the ``orderBy`` fields come in ascending index document id (the entry's int id, its
   insertion order) whatever the direction: Sphinx ends every sort with ``id ASC``.
5. No usable ``orderBy``: pages in document-id order, each page in store order (entry id).
6. With access control on entry metadata (a partner setting) and a non-admin KS, a non-empty
   page's ``totalCount`` is the page's own count (``entryPeer::filterSelectResults``), however
   many pages remain.
7. On a partner that enforces entitlement the index matches the entitlement criteria, and the
   re-read drops the page's entries the user is not entitled to, lowering ``totalCount`` by as
   many (``entryPeer::filterSelectResults``, ``entitlement`` rule 4).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from kaltura_mm.sandbox import entitlement, entry_filter, privacy
from kaltura_mm.sandbox.actions import ActionCall, pager_of
from kaltura_mm.sandbox.listing import MAX_MATCHES, order_parts, page_window
from kaltura_mm.sandbox.schema import KInput

_TIE = "e.seq ASC"  # rule 4


def _matches(call: ActionCall, f: KInput | None, media_only: bool) -> tuple[str, list[Any]]:
    call.core.promote_ready()  # a READY snapshot is stamped when transcoding ended
    call.core.index.catch_up()
    q = entry_filter.build(call, f, media_only)
    return q.sql(), q.params


def count(call: ActionCall) -> int:
    """Return how many entries the index matches (no paging, no cap)."""
    where, params = _matches(call, call.args["filter"], call.args.get("_media", False))
    sql = f"SELECT COUNT(*) FROM entry_index e WHERE {where}"  # noqa: S608
    return int(call.core.store.scalar(sql, params))


def _page(call: ActionCall, f: KInput | None, media_only: bool) -> tuple[list[str], int, bool]:
    """Return the page's ids from the index, the match count, and whether it was sorted."""
    where, params = _matches(call, f, media_only)
    size, index = pager_of(call)
    offset, limit = page_window(size, index, MAX_MATCHES)
    columns = entry_filter.order_columns(f.type if f else "KalturaBaseEntryFilter")
    orders = order_parts(f.get("orderBy") if f else None, columns)
    store = call.core.store
    total = int(store.scalar(f"SELECT COUNT(*) FROM entry_index e WHERE {where}", params))  # noqa: S608
    rows = store.all(
        f"SELECT e.id FROM entry_index e WHERE {where} "  # noqa: S608
        f"ORDER BY {', '.join([*orders, _TIE])} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [r[0] for r in rows], total, bool(orders)


def _reread(call: ActionCall, ids: list[str]) -> list[sqlite3.Row]:
    """Read the page's rows from the store with the default criteria only (rules 2 and 3), and
    drop those entitlement refuses (rule 7)."""
    if not ids:
        return []
    sql = f"SELECT * FROM entries WHERE partner_id = ? AND id IN ({','.join('?' * len(ids))})"  # noqa: S608
    params: list[Any] = [call.partner_id, *ids]
    owner = entry_filter.own_entries_only(call)
    if owner is not None:
        sql += " AND lower(user_id) = lower(?)"
        params.append(owner)
    with call.core.store.reading() as conn:
        rows = conn.execute(sql, params).fetchall()
        return [r for r in rows if entitlement.entry_entitled(conn, call, r)]


def _reread_all(call: ActionCall, ids: list[str]) -> list[str]:
    """Return the page's ids the store still has, before entitlement."""
    sql = f"SELECT id FROM entries WHERE partner_id = ? AND id IN ({','.join('?' * len(ids))})"  # noqa: S608
    return [r[0] for r in call.core.store.all(sql, [call.partner_id, *ids])]


def _in_order(rows: list[sqlite3.Row], ids: list[str], sorted_by_index: bool) -> list[sqlite3.Row]:
    if not sorted_by_index:
        return sorted(rows, key=lambda r: str(r["id"]))  # rule 5: the store's key order
    position = {entry_id: n for n, entry_id in enumerate(ids)}
    return sorted(rows, key=lambda r: position[r["id"]])


def list_page(call: ActionCall, media_only: bool, response_type: str) -> dict[str, Any]:
    """Return one list response: a page of the index, re-read from the store."""
    f: KInput | None = call.args["filter"]
    ids, total, sorted_by_index = _page(call, f, media_only)
    kept = _reread(call, ids)
    if entitlement.enforced(call):
        # ``filterSelectResults`` lowers the count by the entries entitlement dropped (rule 7);
        # the sandbox tells them from deleted ones by re-reading without entitlement
        total -= len(_reread_all(call, ids)) - len(kept)
    rows = _in_order(kept, ids, sorted_by_index)
    settings = call.core.settings
    if rows and not call.is_admin and settings.applies_metadata_access_control(call.partner_id):
        total = len(rows)  # rule 6
    return {
        "objects": privacy.entry_views(call, rows),
        "totalCount": total,
        "objectType": response_type,
    }
