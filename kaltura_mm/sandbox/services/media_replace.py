"""``media.cancelReplace``: drop an entry's pending content replacement (``replacement`` rule 5).

Checks in the server's order (``MediaService::cancelReplaceAction``): the entry exists
(``ENTRY_ID_NOT_FOUND``), is a media clip (``INVALID_ENTRY_TYPE``: the entry, its type, the
expected type 1), and the caller may edit it; an entry with no replacement pending is answered
as it is. There is no ``baseEntry.cancelReplace``.
"""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import replacement
from kaltura_mm.sandbox.actions import Action, Call, Param
from kaltura_mm.sandbox.errors import ApiError
from kaltura_mm.sandbox.services.base_entry import fetch, show, validate_user

MEDIA_CLIP = 1


def cancel_replace(call: Call) -> dict[str, Any]:
    """Cancel the entry's pending replacement; return it as a ``KalturaMediaEntry``."""
    row = fetch(call, call.args["entryId"])
    if row["type"] != MEDIA_CLIP:
        raise ApiError("INVALID_ENTRY_TYPE", row["id"], row["type"], MEDIA_CLIP)
    with call.core.store.tx() as conn:
        fresh = conn.execute("SELECT * FROM entries WHERE id = ?", (row["id"],)).fetchone()
        replacement.cancel(conn, fresh, int(call.now()))
    return show(call, row["id"])


ACTIONS = {
    "cancelreplace": Action(
        cancel_replace, (Param("entryId", required=True),), validate_user=validate_user
    )
}
