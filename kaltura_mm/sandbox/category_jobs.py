"""What the real server does later, in batch jobs, after a category change
(``category::postUpdate``, ``category::deleteChildCategories``, ``kJobsManager::addIndexJob``,
``kFlowHelper::handleIndexPending``).

Rules:
1. A rename or move changes the category itself at once; its descendants' ``fullName`` /
   ``fullIds`` / ``depth`` follow when the index job runs, ``category_job_delay`` seconds later
   (entries show their categories' names as the categories have them meanwhile). A move locks
   the partner's categories until then (``LOCK_CATEGORY``): ``CATEGORIES_LOCKED`` for every
   ``category.update`` and ``category.delete`` and for ``category.add`` under a parent.
2. A delete marks the category and its descendants DELETED at once; their links are moved to the
   parent or dropped when the job runs (``category_tree`` rule 3).
3. Due jobs run, oldest first, before any category or entry is read or changed; with a delay of
   0 a job runs at once, inside the request that made it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from kaltura_mm.sandbox import privacy
from kaltura_mm.sandbox.actions import Call
from kaltura_mm.sandbox.errors import ApiError
from kaltura_mm.sandbox.services import category_entry

if TYPE_CHECKING:
    from kaltura_mm.sandbox.core import Core

REINDEX, LINKS = "reindex", "links"
_TOLERATED = ("CATEGORY_ENTRY_ALREADY_EXISTS", "INVALID_ENTRY_ID")


def add(
    conn: sqlite3.Connection,
    core: Core,
    partner_id: int,
    job: tuple[str, int],
    locks: bool = False,
    extra: dict[str, Any] | None = None,
) -> None:
    """Queue ``(kind, category_id)``, or run it at once when the delay is 0 (rule 3)."""
    now = core.clock.now()
    delay = core.settings.category_job_delay
    cursor = conn.execute(
        "INSERT INTO category_jobs (partner_id, due_at, kind, category_id, locks, extra)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (partner_id, now + delay, job[0], job[1], int(locks), json.dumps(extra or {})),
    )
    if delay <= 0:
        row = conn.execute("SELECT * FROM category_jobs WHERE id = ?", (cursor.lastrowid,))
        _run(conn, core, row.fetchone(), int(now))


def run_due(core: Core) -> None:
    """Run every job whose time has come (rule 3)."""
    now = core.clock.now()
    with core.store.tx() as conn:
        due = conn.execute(
            "SELECT * FROM category_jobs WHERE due_at <= ? ORDER BY id", (now,)
        ).fetchall()
        for job in due:
            _run(conn, core, job, int(now))


def check_unlocked(conn: sqlite3.Connection, partner_id: int) -> None:
    """Raise ``CATEGORIES_LOCKED`` while a move's index job is pending (rule 1)."""
    if conn.execute(
        "SELECT 1 FROM category_jobs WHERE partner_id = ? AND locks = 1", (partner_id,)
    ).fetchone():
        raise ApiError("CATEGORIES_LOCKED")


def _run(conn: sqlite3.Connection, core: Core, job: sqlite3.Row, now: int) -> None:
    if job["kind"] == REINDEX:
        _reindex(conn, job["category_id"], now)
    else:
        _relink(conn, core, job["partner_id"], json.loads(job["extra"]))
    conn.execute("DELETE FROM category_jobs WHERE id = ?", (job["id"],))


def _reindex(conn: sqlite3.Connection, category_id: int, now: int) -> None:
    """Recompute the names, ids and depths below a category from the rows as they are now, and
    the privacy contexts of the category and its descendants (``privacy`` rule 2)."""
    root = conn.execute(
        "SELECT * FROM categories WHERE id = ? AND status = 2", (category_id,)
    ).fetchone()
    if root is not None:
        _sync_contexts(conn, root, privacy.parent_contexts(conn, root["parent_id"]), now)
        root = conn.execute("SELECT * FROM categories WHERE id = ?", (category_id,)).fetchone()
    queue = [dict(root)] if root is not None else []
    while queue:
        parent = queue.pop()
        children = conn.execute(
            "SELECT * FROM categories WHERE parent_id = ? AND status = 2", (parent["id"],)
        ).fetchall()
        for child in children:
            fresh = {
                **dict(child),
                "full_name": f"{parent['full_name']}>{child['name']}",
                "full_ids": f"{parent['full_ids']}>{child['id']}",
                "depth": parent["depth"] + 1,
            }
            if (fresh["full_name"], fresh["full_ids"], fresh["depth"]) != (
                child["full_name"],
                child["full_ids"],
                child["depth"],
            ):
                conn.execute(
                    "UPDATE categories SET full_name = ?, full_ids = ?, depth = ?, updated_at = ?"
                    " WHERE id = ?",
                    (fresh["full_name"], fresh["full_ids"], fresh["depth"], now, child["id"]),
                )
            _sync_contexts(conn, child, privacy.contexts_of(parent["extra"]), now)
            fresh["extra"] = conn.execute(
                "SELECT extra FROM categories WHERE id = ?", (child["id"],)
            ).fetchone()[0]
            queue.append(fresh)


def _sync_contexts(
    conn: sqlite3.Connection, row: sqlite3.Row, parent_contexts: str, now: int
) -> None:
    """Rebuild a category's ``privacyContexts`` from its parent's
    (``category::reSetPrivacyContext``)."""
    extra = json.loads(row["extra"])
    contexts = privacy.build(parent_contexts, extra.get("privacyContext"))
    if contexts != privacy.contexts_of(extra):
        extra["privacyContexts"] = contexts
        conn.execute(
            "UPDATE categories SET extra = ?, updated_at = ? WHERE id = ?",
            (json.dumps(extra), now, row["id"]),
        )


def _relink(conn: sqlite3.Connection, core: Core, partner_id: int, extra: dict[str, Any]) -> None:
    """Move a deleted subtree's links to the parent, or drop them (``category_tree`` rule 3)."""
    links = conn.execute(
        "SELECT ce.* FROM category_entries ce JOIN categories c ON c.id = ce.category_id"
        " WHERE ce.partner_id = ? AND ce.status != 3 AND c.full_ids LIKE ?"
        " ORDER BY ce.created_at, ce.id",
        (partner_id, extra["full_ids"] + "%"),
    ).fetchall()
    batch = Call(core, partner_id, None)  # the batch user links as nobody in particular
    for link in links:
        if extra["move_to"]:
            try:
                category_entry.link(conn, batch, link["entry_id"], extra["move_to"])
            except ApiError as error:
                if error.code not in _TOLERATED:
                    continue  # the real job fails here; this link stays where it was
        conn.execute("UPDATE category_entries SET status = 3 WHERE id = ?", (link["id"],))
