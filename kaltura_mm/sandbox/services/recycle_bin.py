"""``baseEntry.recycle`` and ``baseEntry.restoreRecycled``: the partner's recycle bin.

From ``BaseEntryService::recycleAction`` / ``restoreRecycledAction`` (kaltura/server):

- ``recycle`` needs the partner feature ``FEATURE_RECYCLE_BIN`` (else
  ``FEATURE_RECYCLE_BIN_DISABLED``; off by default here, as on an account whose admin never
  enabled it); ``restoreRecycled`` does not check it.
- Both read the entry with ``retrieveByPKNoFilter`` (no entitlement filter); an entry not found
  is ``ENTRY_ID_NOT_FOUND``. The server's read also finds a *deleted* entry; the sandbox answers
  ``ENTRY_ID_NOT_FOUND`` for it (a client must not rely on recycling a deleted entry).
- ``recycle`` of an entry already recycled: ``INVALID_ENTRY_STATUS_FOR_RECYCLE``; it keeps the
  entry's ``displayInSearch`` (``previousDisplayInSearchStatus``), sets ``recycledAt`` and
  ``displayInSearch`` = -2 (RECYCLED). Nothing else changes: the entry's **category links stay**
  (``categoryEntry.list`` still lists them), ``get`` and ``getByIds`` still answer it (with
  ``displayInSearch`` -2); ``list`` and ``count`` leave it out unless the filter names ids or a
  ``displayInSearch`` (``KalturaBaseEntryFilter::prepareEntriesCriteriaFilter``).
- ``restoreRecycled`` of an entry not recycled: ``INVALID_ENTRY_STATUS_FOR_RESTORE``; otherwise
  ``displayInSearch`` goes back to what it was, ``recycledAt`` is cleared.
- The partner's ``recycleBinRetentionPeriod`` (30 days unless set to 5 or 15) ends a recycled
  entry: a scheduled task (``KRecycleBinProcessor``) deletes those recycled longer ago. The
  sandbox deletes them when the bin is next touched (``purge``), by the sandbox clock.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kaltura_mm.sandbox import privacy
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param
from kaltura_mm.sandbox.errors import KalturaApiException

FEATURE = "FEATURE_RECYCLE_BIN"
RECYCLED = -2  # EntryDisplayInSearchType::RECYCLED
RETENTION_DAYS = 30  # RecycleBinRetentionPeriod::DAYS_30, Partner::getRecycleBinRetentionPeriod


def _row(call: ActionCall, entry_id: str) -> sqlite3.Row:
    call.core.promote_ready()
    row: sqlite3.Row | None = call.core.store.one(
        "SELECT * FROM entries WHERE id = ? AND partner_id = ? AND status != 3",
        (entry_id, call.partner_id),
    )
    if row is None:
        raise KalturaApiException("ENTRY_ID_NOT_FOUND", entry_id)
    return row


def purge(call: ActionCall) -> None:
    """Delete the partner's entries recycled longer ago than the retention period."""
    cutoff = call.now() - RETENTION_DAYS * 86_400
    with call.core.store.tx() as conn:
        rows = conn.execute(
            "SELECT id, extra FROM entries WHERE partner_id = ? AND status != 3"
            " AND display_in_search = ?",
            (call.partner_id, RECYCLED),
        ).fetchall()
        for row in rows:
            at = json.loads(row["extra"]).get("recycledAt")
            if at is not None and at <= cutoff:
                conn.execute("UPDATE entries SET status = 3 WHERE id = ?", (row["id"],))
                conn.execute(
                    "UPDATE category_entries SET status = 3 WHERE entry_id = ? AND status != 3",
                    (row["id"],),
                )


def _save(
    call: ActionCall, row: sqlite3.Row, display: int, extra: dict[str, Any]
) -> dict[str, Any]:
    with call.core.store.tx() as conn:
        conn.execute(
            "UPDATE entries SET display_in_search = ?, extra = ?, updated_at = ? WHERE id = ?",
            (display, json.dumps(extra), int(call.now()), row["id"]),
        )
        fresh = conn.execute("SELECT * FROM entries WHERE id = ?", (row["id"],)).fetchone()
    return privacy.entry_views(call, [fresh])[0]


def recycle(call: ActionCall) -> dict[str, Any]:
    """Move an entry to the recycle bin (``BaseEntryService::recycleAction``)."""
    if not call.core.feature_enabled(call.partner_id, FEATURE):
        raise KalturaApiException("FEATURE_RECYCLE_BIN_DISABLED")
    purge(call)
    row = _row(call, call.args["entryId"])
    if row["display_in_search"] == RECYCLED:
        raise KalturaApiException("INVALID_ENTRY_STATUS_FOR_RECYCLE")
    extra = json.loads(row["extra"])
    extra.update(recycledAt=int(call.now()), previousDisplayInSearch=row["display_in_search"])
    return _save(call, row, RECYCLED, extra)


def restore_recycled(call: ActionCall) -> dict[str, Any]:
    """Bring an entry back from the bin (``BaseEntryService::restoreRecycledAction``)."""
    purge(call)
    row = _row(call, call.args["entryId"])
    if row["display_in_search"] != RECYCLED:
        raise KalturaApiException("INVALID_ENTRY_STATUS_FOR_RESTORE")
    extra = json.loads(row["extra"])
    extra.pop("recycledAt", None)
    previous = extra.pop("previousDisplayInSearch", 1)
    return _save(call, row, 1 if previous is None else previous, extra)


_ENTRY = Param("entryId", required=True)
ACTIONS = {
    "recycle": ActionSpec(recycle, (_ENTRY,)),
    "restorerecycled": ActionSpec(restore_recycled, (_ENTRY,)),
}
