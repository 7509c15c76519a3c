"""What the real server does later, in batch jobs, after a category change
(``category::postUpdate``, ``category::deleteChildCategories``, ``kJobsManager::addIndexJob``,
``kFlowHelper::handleIndexPending``).

Rules:
1. A rename or move changes the category itself at once; its descendants' ``fullName`` /
   ``fullIds`` / ``depth`` follow when the index job runs, ``category_job_delay`` seconds later
   (entries show their categories' names as the categories have them meanwhile). A move locks
   the partner's categories until then (``LOCK_CATEGORY``): ``CATEGORIES_LOCKED`` for every
   ``category.update`` and ``category.delete`` and for ``category.add`` under a parent.
   The job also rewrites the ``categoryFullIds`` copy kept on the links of the category and its
   descendants (``CategoryEntryService::indexAction``, ``categoryEntry::reSetCategoryFullIds``):
   until then ``categoryEntry.list(categoryFullIdsStartsWith)`` finds them where they were.
2. A delete marks the category and its descendants DELETED at once; their links are moved to the
   parent or dropped when the job runs (``category_tree`` rule 3), selected by the links' own
   ``categoryFullIds`` copy, in pages of 100, oldest first (``KAsyncMoveCategoryEntries::
   moveEntries``). A page's links are all added to the parent first; the first add that fails
   with anything but ``CATEGORY_ENTRY_ALREADY_EXISTS`` / ``INVALID_ENTRY_ID`` (say
   ``MAX_CATEGORIES_FOR_ENTRY_REACHED``) ends the job: that page's old links are not deleted
   (their deletes were queued in a multirequest never sent), later pages are not touched, and
   the job is not retried.
3. Due jobs run, oldest first, before any category or entry is read or changed; with a delay of
   0 a job runs at once, inside the request that made it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from kaltura_mm.sandbox import privacy
from kaltura_mm.sandbox.actions import ActionCall
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.services import category_entry

if TYPE_CHECKING:
    from kaltura_mm.sandbox.core import Core

REINDEX, LINKS = "reindex", "links"
_TOLERATED = ("CATEGORY_ENTRY_ALREADY_EXISTS", "INVALID_ENTRY_ID")
MOVE_PAGE = 100  # KAsyncMoveCategoryEntries' categoryEntry.list page size


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
        raise KalturaApiException("CATEGORIES_LOCKED")


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
    moved = [category_id] if root is not None else []
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
            moved.append(child["id"])
    for chunk in range(0, len(moved), 500):
        ids = moved[chunk : chunk + 500]
        conn.execute(
            "UPDATE category_entries SET category_full_ids = (SELECT full_ids FROM categories c"  # noqa: S608
            " WHERE c.id = category_entries.category_id)"
            f" WHERE status != 3 AND category_id IN ({','.join('?' * len(ids))})",
            ids,
        )


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
        "SELECT ce.* FROM category_entries ce JOIN categories c ON c.id = ce.category_id"  # noqa: S608
        f" WHERE ce.partner_id = ? AND ce.status != 3 AND {category_entry.FULL_IDS_COPY} LIKE ?"
        " ORDER BY ce.created_at, ce.id",
        (partner_id, extra["full_ids"] + "%"),
    ).fetchall()
    batch = ActionCall(core, partner_id, None)  # the batch user links as nobody in particular
    for start in range(0, len(links), MOVE_PAGE):
        page = links[start : start + MOVE_PAGE]
        if extra["move_to"] and not _add_all(conn, batch, page, extra["move_to"]):
            return  # the job failed: this page and the later ones stay as they are
        for link in page:
            conn.execute("UPDATE category_entries SET status = 3 WHERE id = ?", (link["id"],))


def _add_all(conn: sqlite3.Connection, batch: ActionCall, page: list[sqlite3.Row], to: int) -> bool:
    """Add a page's entries to ``to`` (every add runs, as in one multirequest); return False
    when one failed with an error the job does not tolerate."""
    failed = False
    for link in page:
        try:
            category_entry.link(conn, batch, link["entry_id"], to)
        except KalturaApiException as error:
            failed = failed or error.code not in _TOLERATED
    return not failed
