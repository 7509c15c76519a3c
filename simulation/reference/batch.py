"""Detach, delete, add and move entries in multirequests of 20, each item retried on its own.

Every item is idempotent by its error: a second delete says ``ENTRY_ID_NOT_FOUND``, a second
detach ``ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY``, a second add ``CATEGORY_ENTRY_ALREADY_EXISTS``,
so a multirequest whose answer was lost is simply sent again. A blocked item waits a window.
A move adds to the target first and detaches from the source only once the add held.
"""

from __future__ import annotations

from typing import Any

from simulation.reference.conn import Conn, Uncertain, failure_of

SIZE = 20
DONE_BY = {
    ("categoryentry", "delete"): "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",
    ("baseentry", "delete"): "ENTRY_ID_NOT_FOUND",
    ("categoryentry", "add"): "CATEGORY_ENTRY_ALREADY_EXISTS",
}

Item = tuple[str, str, dict[str, Any]]


def detach(conn: Conn, ids: list[str], category: int) -> dict[str, str]:
    """Unlink each entry from ``category``."""
    return run(
        conn, {i: ("categoryentry", "delete", {"entryId": i, "categoryId": category}) for i in ids}
    )


def delete(conn: Conn, ids: list[str]) -> dict[str, str]:
    """Delete each entry."""
    return run(conn, {i: ("baseentry", "delete", {"entryId": i}) for i in ids})


def add(conn: Conn, ids: list[str], category: int) -> dict[str, str]:
    """Link each entry to ``category``."""

    def link(entry_id: str) -> dict[str, Any]:
        return {"categoryEntry": {"entryId": entry_id, "categoryId": category}}

    return run(conn, {i: ("categoryentry", "add", link(i)) for i in ids})


def move(conn: Conn, ids: list[str], source: int, target: int) -> dict[str, str]:
    """Link each entry to ``target``, then unlink the ones that made it from ``source``."""
    added = add(conn, ids, target)
    moved = detach(conn, [i for i, outcome in added.items() if outcome == "ok"], source)
    return {i: moved.get(i, added[i]) for i in ids}


def run(conn: Conn, items: dict[str, Item]) -> dict[str, str]:
    """Run every item to an outcome: "ok" or the error code that stopped it."""
    outcomes: dict[str, str] = {}
    waiting = list(items)
    for _ in range(30):
        if not waiting:
            return outcomes
        retry: list[str] = []
        for start in range(0, len(waiting), SIZE):
            keys = waiting[start : start + SIZE]
            retry += _one_request(conn, keys, items, outcomes)
        waiting = retry
        if waiting:
            conn.sleep(10.0)
    raise Uncertain(f"{len(waiting)} items never got an answer")


def _one_request(
    conn: Conn, keys: list[str], items: dict[str, Item], outcomes: dict[str, str]
) -> list[str]:
    params = {str(n): {"service": s, "action": a, **p} for n, (s, a, p) in _numbered(keys, items)}
    try:
        results = conn.call("multirequest", "null", params)
    except Uncertain:
        return keys
    retry = []
    for key, result in zip(keys, results, strict=True):
        code = failure_of(result)
        service, action, _ = items[key]
        if code is None or code == DONE_BY.get((service, action)):
            outcomes[key] = "ok"
        elif code in ("ACTION_BLOCKED", "EXPIRED"):
            retry.append(key)
            if code == "EXPIRED":
                conn.renew()  # the session expired: items in a multirequest each say so
        else:
            outcomes[key] = code
    return retry


def _numbered(keys: list[str], items: dict[str, Item]) -> list[tuple[int, Item]]:
    return [(n, items[key]) for n, key in enumerate(keys, start=1)]
