"""Content replacement of an entry that already has content
(``KalturaEntryService::replaceResourceByEntry``, ``kBusinessConvertDL::replaceEntry``).

Rules:
1. ``updateContent`` on an entry with content (not an image) needs the partner feature
   ``FEATURE_ENTRY_REPLACEMENT`` (sandbox partners have it unless switched off) and no pending
   or failed replacement (``ENTRY_REPLACEMENT_ALREADY_EXISTS``: ``replacingEntryId`` is set until
   the swap or ``media.cancelReplace``).
2. It creates a temporary entry: same type and media type, named ``{partnerId}_{time}``, owned by
   the caller, ``displayInSearch`` -1 (hidden from plain lists, found by ``get``),
   ``replacedEntryId`` the original. The resource is attached to it as to any entry.
3. The original gets ``replacingEntryId`` and ``replacementStatus`` APPROVED_BUT_NOT_READY (1), or
   NOT_READY_AND_NOT_APPROVED (3) for a partner with ``FEATURE_ENTRY_REPLACEMENT_APPROVAL`` (off
   unless switched on), and keeps its status and old content meanwhile.
4. When the temporary entry's conversion ends (``kFlowHelper::handleEntryReplacement``):
   failed (ERROR_CONVERTING) -> the original's status is FAILED (4), cleared only by
   ``media.cancelReplace``; READY with status 1 -> the swap: the original keeps its id and takes
   the new content, size and duration, its replacement fields are cleared, the temporary entry
   is deleted; READY with status 3 -> READY_BUT_NOT_APPROVED (2), waiting for
   ``media.approveReplace``; with no replacement pending (cancelled) or the original gone, the
   temporary entry is deleted.
5. ``media.approveReplace`` (``KalturaEntryService::approveReplace``): status 1 -> nothing;
   2 -> the swap now; 3 -> 1 (and the swap if the temporary entry is already READY); none or
   FAILED -> ``ENTRY_ID_NOT_REPLACED``; an image needs no approval (nothing happens).
6. ``media.cancelReplace`` deletes the temporary entry (its upload token is left as it is) and
   clears the original's replacement fields; the original keeps its content
   (``MediaService::cancelReplaceAction``, ``KalturaEntryService::cancelReplace``).
"""

from __future__ import annotations

import json
import sqlite3

from kaltura_mm.sandbox import flavor_assets, ids
from kaltura_mm.sandbox.errors import KalturaApiException

FEATURE = "FEATURE_ENTRY_REPLACEMENT"
APPROVAL_FEATURE = "FEATURE_ENTRY_REPLACEMENT_APPROVAL"
NONE, APPROVED_BUT_NOT_READY, READY_BUT_NOT_APPROVED, NOT_READY_AND_NOT_APPROVED, FAILED = range(5)
ERROR_CONVERTING, READY, DELETED, NO_CONTENT = -1, 2, 3, 7
IMAGE = 2  # media type
SYSTEM = -1  # displayInSearch of temporary entries


def start(
    conn: sqlite3.Connection,
    original: sqlite3.Row,
    user_id: str,
    now: int,
    approval: bool = False,
) -> sqlite3.Row:
    """Create the temporary entry and mark the original (rules 1 to 3; ``approval``: the
    partner has ``FEATURE_ENTRY_REPLACEMENT_APPROVAL``); return the new row."""
    extra = json.loads(original["extra"])
    if extra.get("replacingEntryId"):
        raise KalturaApiException("ENTRY_REPLACEMENT_ALREADY_EXISTS")
    temp_id = ids.entry_id()
    temp_extra = {
        "replacedEntryId": original["id"],
        "isTemporary": True,
        "conversionProfileId": extra.get("conversionProfileId"),
    }
    conn.execute(
        "INSERT INTO entries (id, partner_id, type, media_type, status, name, user_id, creator_id,"
        " display_in_search, created_at, updated_at, extra)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            temp_id,
            original["partner_id"],
            original["type"],
            original["media_type"],
            NO_CONTENT,
            f"{original['partner_id']}_{now}",
            user_id,
            user_id,
            SYSTEM,
            now,
            now,
            json.dumps(temp_extra),
        ),
    )
    status = NOT_READY_AND_NOT_APPROVED if approval else APPROVED_BUT_NOT_READY
    extra.update(replacingEntryId=temp_id, replacementStatus=status)
    conn.execute(
        "UPDATE entries SET extra = ?, updated_at = ? WHERE id = ?",
        (json.dumps(extra), now, original["id"]),
    )
    row: sqlite3.Row = conn.execute("SELECT * FROM entries WHERE id = ?", (temp_id,)).fetchone()
    return row


def converted(
    conn: sqlite3.Connection, done: list[sqlite3.Row], now: int, failed: bool
) -> list[str]:
    """Apply rule 4 to the temporary entries among ``done`` (entries whose conversion just
    ended, ``failed`` or READY); return the content files no entry uses any more."""
    unused = []
    for temp in done:
        original_id = json.loads(temp["extra"]).get("replacedEntryId")
        if not original_id:
            continue
        original = conn.execute(
            "SELECT * FROM entries WHERE id = ? AND status != 3", (original_id,)
        ).fetchone()
        extra = json.loads(original["extra"]) if original is not None else {}
        if original is None or extra.get("replacingEntryId") != temp["id"]:
            _delete(conn, temp["id"], now)  # cancelled, or the original is gone
            if temp["content_path"]:
                unused.append(str(temp["content_path"]))
            continue
        status = extra.get("replacementStatus")
        if failed:
            _set_status(conn, original, FAILED, now)
        elif status == APPROVED_BUT_NOT_READY:
            _swap(conn, original, temp, now)
            if original["content_path"]:
                unused.append(str(original["content_path"]))
        elif status == NOT_READY_AND_NOT_APPROVED:
            _set_status(conn, original, READY_BUT_NOT_APPROVED, now)
    return unused


def approve(conn: sqlite3.Connection, original: sqlite3.Row, now: int) -> list[str]:
    """Approve the pending replacement of ``original`` (rule 5); return unused content files."""
    if original["media_type"] == IMAGE:
        return []
    extra = json.loads(original["extra"])
    status = extra.get("replacementStatus")
    temp = conn.execute(
        "SELECT * FROM entries WHERE id = ? AND status != 3", (extra.get("replacingEntryId"),)
    ).fetchone()
    if status == NOT_READY_AND_NOT_APPROVED:
        _set_status(conn, original, APPROVED_BUT_NOT_READY, now)
        if temp is None or temp["status"] != READY:
            return []
        original = conn.execute("SELECT * FROM entries WHERE id = ?", (original["id"],)).fetchone()
    elif status == APPROVED_BUT_NOT_READY:
        return []
    elif status != READY_BUT_NOT_APPROVED or temp is None:
        raise KalturaApiException("ENTRY_ID_NOT_REPLACED", original["id"])
    _swap(conn, original, temp, now)
    return [str(original["content_path"])] if original["content_path"] else []


def _set_status(conn: sqlite3.Connection, original: sqlite3.Row, status: int, now: int) -> None:
    extra = json.loads(original["extra"])
    extra["replacementStatus"] = status
    conn.execute(
        "UPDATE entries SET extra = ?, updated_at = ? WHERE id = ?",
        (json.dumps(extra), now, original["id"]),
    )


def _delete(conn: sqlite3.Connection, entry_id: str, now: int) -> None:
    conn.execute(
        "UPDATE entries SET status = ?, content_path = NULL, updated_at = ? WHERE id = ?",
        (DELETED, now, entry_id),
    )


def _swap(conn: sqlite3.Connection, original: sqlite3.Row, temp: sqlite3.Row, now: int) -> None:
    # ``version`` stays: the swap relinks the flavor assets (``kBusinessConvertDL::
    # replaceEntry``, ``asset::linkFromAsset`` raises each asset's version) and never sets the
    # entry's data file, whose version ``version`` is (``entry::getVersion``)
    flavor_assets.relink(conn, original, temp, now)
    extra = json.loads(original["extra"])
    extra.update(replacingEntryId=None, replacementStatus=NONE)
    conn.execute(
        "UPDATE entries SET content_path = ?, content_size = ?, file_name = ?, duration = ?,"
        " ms_duration = ?, status = ?, extra = ?, updated_at = ?"
        " WHERE id = ?",
        (
            temp["content_path"],
            temp["content_size"],
            temp["file_name"],
            temp["duration"],
            temp["ms_duration"],
            READY,
            json.dumps(extra),
            now,
            original["id"],
        ),
    )
    _delete(conn, temp["id"], now)


def cancel(conn: sqlite3.Connection, original: sqlite3.Row, now: int) -> None:
    """Cancel the pending replacement of ``original``, if any (rule 5)."""
    extra = json.loads(original["extra"])
    temp_id = extra.get("replacingEntryId")
    if temp_id:
        conn.execute(
            "UPDATE entries SET status = ?, updated_at = ? WHERE id = ? AND status != ?",
            (DELETED, now, temp_id, DELETED),
        )
    extra.update(replacingEntryId=None, replacementStatus=NONE)
    conn.execute(
        "UPDATE entries SET extra = ?, updated_at = ? WHERE id = ?",
        (json.dumps(extra), now, original["id"]),
    )
