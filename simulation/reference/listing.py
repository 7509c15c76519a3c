"""List every entry of a category, past 10,000, while others change it.

Pages are keyed by a ``createdAt`` cursor, never by offset alone (a delete would shift the
offsets and skip an entry): each page asks ``createdAtGreaterThanOrEqual`` = the last
``createdAt`` seen, with ``idNotIn`` = the ids already seen in that second (the index keeps 150
of them). A short page is never the end: only an empty page with no index match past it is.
"""

from __future__ import annotations

from typing import Any

from simulation.reference.conn import Conn

PAGE = 500


def list_category(conn: Conn, category_id: int) -> list[str]:
    """Return the ids of the category's READY entries, each once, in listing order."""
    listed: list[str] = []
    seen: set[str] = set()
    cursor: int | None = None
    at_cursor: list[str] = []
    page_index = 1
    while True:
        page = conn.call("baseentry", "list", _params(category_id, cursor, at_cursor, page_index))
        fresh = [o for o in page["objects"] if o["id"] not in seen]
        if fresh:
            for obj in fresh:
                seen.add(obj["id"])
                listed.append(obj["id"])
            cursor, at_cursor = _advance(cursor, at_cursor, fresh)
            page_index = 1
        elif page_index * PAGE >= page["totalCount"]:
            return listed
        else:
            page_index += 1  # every row of this page was dropped or seen: look further


def _params(
    category_id: int, cursor: int | None, at_cursor: list[str], page_index: int
) -> dict[str, Any]:
    filt: dict[str, Any] = {"categoriesIdsMatchOr": str(category_id), "orderBy": "+createdAt"}
    if cursor is not None:
        filt["createdAtGreaterThanOrEqual"] = cursor
        if at_cursor:
            filt["idNotIn"] = ",".join(at_cursor[-150:])
    return {"filter": filt, "pager": {"pageSize": PAGE, "pageIndex": page_index}}


def _advance(
    cursor: int | None, at_cursor: list[str], fresh: list[dict[str, Any]]
) -> tuple[int, list[str]]:
    last = max(int(o["createdAt"]) for o in fresh)
    same = [o["id"] for o in fresh if int(o["createdAt"]) == last]
    return last, (at_cursor + same if last == cursor else same)
