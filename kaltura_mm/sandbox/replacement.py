"""Content replacement of an entry that already has content
(``KalturaEntryService::replaceResourceByEntry``, ``kBusinessConvertDL::replaceEntry``).

Rules:
1. ``updateContent`` on an entry with content (not an image) needs the partner feature
   ``FEATURE_ENTRY_REPLACEMENT`` (sandbox partners have it unless switched off) and no pending
   replacement (``ENTRY_REPLACEMENT_ALREADY_EXISTS``).
2. It creates a temporary entry: same type and media type, named ``{partnerId}_{time}``, owned by
   the caller, ``displayInSearch`` -1 (hidden from plain lists, found by ``get``),
   ``replacedEntryId`` the original. The resource is attached to it as to any entry.
3. The original gets ``replacingEntryId`` and ``replacementStatus`` APPROVED_BUT_NOT_READY (1) and
   keeps its status and old content meanwhile.
4. When the temporary entry is READY the swap happens: the original keeps its id and takes the
   new content, size and duration and the temporary entry's status; its replacement fields are
   cleared; the temporary entry is deleted. If the original is gone by then, the temporary entry
   stays, hidden.
5. ``media.cancelReplace`` deletes the temporary entry (its upload token is left as it is) and
   clears the original's replacement fields; the original keeps its content
   (``MediaService::cancelReplaceAction``, ``KalturaEntryService::cancelReplace``).
"""

from __future__ import annotations

import json
import sqlite3

from kaltura_mm.sandbox import ids
from kaltura_mm.sandbox.errors import ApiError

FEATURE = "FEATURE_ENTRY_REPLACEMENT"
NONE, APPROVED_BUT_NOT_READY = 0, 1
READY, DELETED, NO_CONTENT = 2, 3, 7
SYSTEM = -1  # displayInSearch of temporary entries


def start(conn: sqlite3.Connection, original: sqlite3.Row, user_id: str, now: int) -> sqlite3.Row:
    """Create the temporary entry and mark the original (rules 1 to 3); return the new row."""
    extra = json.loads(original["extra"])
    if extra.get("replacingEntryId"):
        raise ApiError("ENTRY_REPLACEMENT_ALREADY_EXISTS")
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
    extra.update(replacingEntryId=temp_id, replacementStatus=APPROVED_BUT_NOT_READY)
    conn.execute(
        "UPDATE entries SET extra = ?, updated_at = ? WHERE id = ?",
        (json.dumps(extra), now, original["id"]),
    )
    row: sqlite3.Row = conn.execute("SELECT * FROM entries WHERE id = ?", (temp_id,)).fetchone()
    return row


def swap_ready(conn: sqlite3.Connection, became_ready: list[sqlite3.Row], now: int) -> list[str]:
    """Swap in the temporary entries among ``became_ready`` (rule 4); return the content files
    the originals no longer use."""
    unused = []
    for temp in became_ready:
        original_id = json.loads(temp["extra"]).get("replacedEntryId")
        if not original_id:
            continue
        original = conn.execute(
            "SELECT * FROM entries WHERE id = ? AND status != 3", (original_id,)
        ).fetchone()
        if original is None or json.loads(original["extra"]).get("replacingEntryId") != temp["id"]:
            continue
        _swap(conn, original, temp, now)
        if original["content_path"]:
            unused.append(str(original["content_path"]))
    return unused


def _swap(conn: sqlite3.Connection, original: sqlite3.Row, temp: sqlite3.Row, now: int) -> None:
    extra = json.loads(original["extra"])
    extra.update(replacingEntryId=None, replacementStatus=NONE)
    conn.execute(
        "UPDATE entries SET content_path = ?, content_size = ?, file_name = ?, duration = ?,"
        " ms_duration = ?, status = ?, version = version + 1, extra = ?, updated_at = ?"
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
    conn.execute(
        "UPDATE entries SET status = ?, content_path = NULL, updated_at = ? WHERE id = ?",
        (DELETED, now, temp["id"]),
    )


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
