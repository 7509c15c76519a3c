"""``media.cancelReplace`` drops an entry's pending or failed content replacement
(``replacement`` rule 6); ``media.approveReplace`` approves one (rule 5).

Checks in the server's order (``MediaService::cancelReplaceAction`` / ``approveReplaceAction``):
the entry exists (``ENTRY_ID_NOT_FOUND``), is a media clip (``INVALID_ENTRY_TYPE``: the entry,
its type, the expected type 1), and the caller may edit it. ``cancelReplace`` answers an entry
with no replacement as it is; ``approveReplace`` refuses it (``ENTRY_ID_NOT_REPLACED``). There is
no ``baseEntry.cancelReplace`` nor ``baseEntry.approveReplace``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from kaltura_mm.sandbox import replacement
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.services.base_entry import fetch, show, validate_user

MEDIA_CLIP = 1


def _editable(call: ActionCall) -> sqlite3.Row:
    # Ownership (``@validateUser entry entryId edit``) is checked by the dispatcher first.
    row = fetch(call, call.args["entryId"])
    if row["type"] != MEDIA_CLIP:
        raise KalturaApiException("INVALID_ENTRY_TYPE", row["id"], row["type"], MEDIA_CLIP)
    return row


def cancel_replace(call: ActionCall) -> dict[str, Any]:
    """Cancel the entry's pending replacement; return it as a ``KalturaMediaEntry``."""
    row = _editable(call)
    with call.core.store.tx() as conn:
        fresh = conn.execute("SELECT * FROM entries WHERE id = ?", (row["id"],)).fetchone()
        replacement.cancel(conn, fresh, int(call.now()))
    return show(call, row["id"])


def approve_replace(call: ActionCall) -> dict[str, Any]:
    """Approve the entry's pending replacement; return it as a ``KalturaMediaEntry``."""
    row = _editable(call)
    with call.core.store.tx() as conn:
        fresh = conn.execute("SELECT * FROM entries WHERE id = ?", (row["id"],)).fetchone()
        unused = replacement.approve(conn, fresh, int(call.now()))
    for name in unused:
        (call.core.content_dir / name).unlink(missing_ok=True)
    return show(call, row["id"])


_ENTRY_ID = (Param("entryId", required=True),)
ACTIONS = {
    "cancelreplace": ActionSpec(cancel_replace, _ENTRY_ID, validate_user=validate_user),
    "approvereplace": ActionSpec(approve_replace, _ENTRY_ID, validate_user=validate_user),
}
