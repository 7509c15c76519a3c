"""List every entry of a category, past 10,000, while others change it.

Pages are keyed by a ``createdAt`` cursor, never by offset alone (a delete would shift the
offsets and skip an entry): each page asks ``createdAtGreaterThanOrEqual`` = the last
``createdAt`` seen, with ``idNotIn`` = the ids already seen in that second. The index keeps
150 of them, so a second holding 150 or more seen ids is read on its own: counted, then read by
page number from the last page down (a delete can then only move an unread entry onto a page
still to come). A short page is never the end: only an empty page with no index match past it.
"""

from __future__ import annotations

import math
from typing import Any

from simulation.reference.conn import Conn

PAGE = 500
SPHINX_IN = 150


def list_category(conn: Conn, category_id: int) -> list[str]:
    """Return the ids of the category's READY entries, each once, in listing order."""
    listed: list[str] = []
    seen: set[str] = set()
    cursor: int | None = None
    at_cursor: list[str] = []
    page_index = 1

    def hand_out(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        fresh = [o for o in objects if o["id"] not in seen]
        seen.update(o["id"] for o in fresh)
        listed.extend(o["id"] for o in fresh)
        return fresh

    while True:
        if cursor is not None and len(at_cursor) >= SPHINX_IN:
            for objects in _crowded_second(conn, category_id, cursor):
                hand_out(objects)
            cursor, at_cursor, page_index = cursor + 1, [], 1
            continue
        page = conn.call("baseentry", "list", _params(category_id, cursor, at_cursor, page_index))
        fresh = hand_out(page["objects"])
        if fresh:
            cursor, at_cursor = _advance(cursor, at_cursor, fresh)
            page_index = 1
        elif page_index * PAGE >= page["totalCount"]:
            return listed
        else:
            page_index += 1  # every row of this page was dropped (deleted): look further


def _crowded_second(conn: Conn, category_id: int, second: int) -> list[list[dict[str, Any]]]:
    """Return the pages of one second, read from the last page down to the first."""
    base: dict[str, Any] = {"categoriesIdsMatchOr": str(category_id), "orderBy": "+createdAt"}
    base |= {"createdAtGreaterThanOrEqual": second, "createdAtLessThanOrEqual": second}
    count = conn.call("baseentry", "list", {"filter": base, "pager": {"pageSize": 1}})
    pages = []
    for index in range(max(1, math.ceil(count["totalCount"] / PAGE)), 0, -1):
        pager = {"pageSize": PAGE, "pageIndex": index}
        pages.append(conn.call("baseentry", "list", {"filter": base, "pager": pager})["objects"])
    return pages


def _params(
    category_id: int, cursor: int | None, at_cursor: list[str], page_index: int
) -> dict[str, Any]:
    filt: dict[str, Any] = {"categoriesIdsMatchOr": str(category_id), "orderBy": "+createdAt"}
    if cursor is not None:
        filt["createdAtGreaterThanOrEqual"] = cursor
        if at_cursor:
            filt["idNotIn"] = ",".join(at_cursor)
    return {"filter": filt, "pager": {"pageSize": PAGE, "pageIndex": page_index}}


def _advance(
    cursor: int | None, at_cursor: list[str], fresh: list[dict[str, Any]]
) -> tuple[int, list[str]]:
    last = max(int(o["createdAt"]) for o in fresh)
    same = [o["id"] for o in fresh if int(o["createdAt"]) == last]
    return last, (at_cursor + same if last == cursor else same)
