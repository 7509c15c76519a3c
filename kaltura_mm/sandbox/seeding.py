"""Bulk data for demos, listing tests and benchmarks: category paths and many entries at once.

Both are test set-up shortcuts: what they make is in the search index at once, as if it had
always existed (``search_index`` rule 5); everything made through the API waits for the lag.
A seeded READY entry has content, as a real READY entry does: a small generated file
(``SEEDED_PAYLOAD``) that its ``downloadUrl`` serves, and what an upload of it
leaves: a READY source flavor asset for a video or audio (``flavor_assets``), an image's
``version`` from its random start (``data_version``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from kaltura_mm.sandbox import data_version, flavor_assets, ids, privacy
from kaltura_mm.sandbox.category_tree import clean_name
from kaltura_mm.sandbox.core import Core
from kaltura_mm.sandbox.search_index import CATEGORIES, ENTRIES
from kaltura_mm.sandbox.services.category import insert

ENTRIES_PER_SECOND = 100  # seeded entries share createdAt seconds, as bulk uploads do
PAYLOAD_BYTES = 2048  # 2 KB: the source asset's ``size`` (in KB) is not 0
_EXTENSIONS = {1: "mp4", 2: "jpg", 5: "mp3"}  # by media type


_LINE = b"kaltura sandbox seeded content\n"
SEEDED_PAYLOAD = (_LINE * (PAYLOAD_BYTES // len(_LINE) + 1))[:PAYLOAD_BYTES]
_PAYLOAD_FILE = ".seeded-payload"  # in the content folder; never an entry's name (ids are 0_...)


def _link_content(core: Core, entry_ids: list[str]) -> None:
    """Give each entry its content file: a hard link to one payload file, as creating 100,000
    files costs seconds and a link does not; deleting or replacing an entry's content unlinks
    or replaces its own name only."""
    source = core.content_dir / _PAYLOAD_FILE
    if not source.exists():
        source.write_bytes(SEEDED_PAYLOAD)
    for eid in entry_ids:
        try:
            os.link(source, core.content_dir / eid)
        except OSError:  # a file system without hard links
            (core.content_dir / eid).write_bytes(SEEDED_PAYLOAD)


def create_category(core: Core, partner_id: int, path: str) -> int:
    """Return the id of ``A>B>C``, creating missing ancestors."""
    names = [clean_name(n.strip()) for n in path.split(">") if n.strip()]
    if not names:
        raise ValueError(f"category path {path!r} has no names: use e.g. 'Root>Courses'")
    now = int(core.clock.now())
    parent = None
    made: list[int] = []
    with core.index.immediate(), core.store.tx() as conn:
        for depth, name in enumerate(names):
            full_name = ">".join(names[: depth + 1])
            row = conn.execute(
                "SELECT * FROM categories WHERE partner_id = ? AND full_name = ? AND status = 2",
                (partner_id, full_name),
            ).fetchone()
            if row is None:
                # a child takes its parent's privacy contexts (``privacy`` rule 1)
                inherited = privacy.contexts_of(parent["extra"]) if parent is not None else ""
                extra = {"privacyContexts": inherited} if inherited else {}
                new_id = insert(conn, partner_id, parent, name, now, extra)
                made.append(new_id)
                row = conn.execute("SELECT * FROM categories WHERE id = ?", (new_id,)).fetchone()
            parent = row
    assert parent is not None
    if made:
        core.index.absorb(CATEGORIES, f"src.id IN ({','.join('?' * len(made))})", tuple(made))
    return int(parent["id"])


def seed_entries(
    core: Core,
    partner_id: int,
    category_id: int | None,
    count: int,
    media_type: int = 1,
    ready: bool = True,
    name_prefix: str = "entry",
    user_id: str = "",
) -> list[str]:
    """Insert ``count`` entries (READY or NO_CONTENT) linked to ``category_id``; return ids.

    A test set-up shortcut: the entries are in the search index at once (they "always existed"),
    unlike entries added through the API, which lists see only after the index lag.
    """
    if count < 0:
        raise ValueError(f"count must be zero or more, got {count}")
    if (
        category_id is not None
        and core.store.one(
            "SELECT 1 FROM categories WHERE id = ? AND partner_id = ? AND status = 2",
            (category_id, partner_id),
        )
        is None
    ):
        raise ValueError(f"category {category_id} does not exist for partner {partner_id}")
    now = int(core.clock.now())
    start = now - count // ENTRIES_PER_SECOND
    new_ids: list[str] = []
    seen: set[str] = set()
    while len(new_ids) < count:
        candidate = ids.entry_id()
        if candidate not in seen:
            seen.add(candidate)
            new_ids.append(candidate)
    status, duration = (2, 60) if ready else (7, None)
    ext = _EXTENSIONS.get(media_type, "mp4")
    is_image = media_type == 2
    if ready:
        _link_content(core, new_ids)
    rows = [
        (
            eid,
            partner_id,
            1,
            media_type,
            status,
            f"{name_prefix} {i + 1}",
            "",
            user_id,
            user_id,
            start + i // ENTRIES_PER_SECOND,
            start + i // ENTRIES_PER_SECOND,
            duration,
            None if duration is None else duration * 1000,
            json.dumps({}),
        )
        for i, eid in enumerate(new_ids)
    ]
    with core.index.immediate(), core.store.tx() as conn:
        first = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]) + 1
        conn.executemany(
            "INSERT INTO entries (id, partner_id, type, media_type, status, name, tags, user_id,"
            " creator_id, created_at, updated_at, duration, ms_duration, extra)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        if ready:
            _give_content(core, conn, partner_id, rows, ext, is_image)
        if category_id is not None:
            full_ids = conn.execute(
                "SELECT full_ids FROM categories WHERE id = ?", (category_id,)
            ).fetchone()[0]
            conn.executemany(
                "INSERT INTO category_entries (partner_id, entry_id, category_id, status,"
                " created_at, creator_user_id, category_full_ids) VALUES (?, ?, ?, 2, ?, ?, ?)",
                [(partner_id, r[0], category_id, r[9], user_id, full_ids) for r in rows],
            )
        last = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0])
    core.index.absorb(ENTRIES, "src.seq BETWEEN ? AND ?", (first, last))
    return new_ids


def _give_content(
    core: Core,
    conn: sqlite3.Connection,
    partner_id: int,
    rows: list[tuple[Any, ...]],
    ext: str,
    is_image: bool,
) -> None:
    names = [(r[0], f"{r[5]}.{ext}".replace(" ", "-"), r[9]) for r in rows]
    conn.executemany(
        "UPDATE entries SET content_path = ?, content_size = ?, file_name = ?, version = ?"
        " WHERE id = ?",
        [(eid, PAYLOAD_BYTES, name, _version(core, eid, is_image), eid) for eid, name, _ in names],
    )
    if not is_image:  # an image's content is its own data file: no asset
        rows_ = [(eid, name, PAYLOAD_BYTES, created) for eid, name, created in names]
        flavor_assets.seeded(conn, partner_id, rows_)


def _version(core: Core, entry_id: str, is_image: bool) -> int:
    return data_version.after_image(0, core.settings.seed, entry_id) if is_image else 0
