"""Flavor assets: the source asset a video, audio or document entry gets with its content.

From the real server (kaltura/server, ``alpha/`` and ``api_v3/``):

1. Content attached to an entry that is not an image creates its *source* asset
   (``KalturaEntryService::attachFile`` / ``attachLocalFileResource`` ->
   ``kFlowHelper::createOriginalFlavorAsset``): ``flavorParamsId`` 0, ``isOriginal`` true, tags
   ``source``, status QUEUED (0), or IMPORTING (7) while its upload token is incomplete; an entry
   that already has a source asset reuses it. An image gets none: its content is the entry's own
   data file (``entry::setData``), so an image lists no flavor asset.
2. ``version`` starts at ``kDataCenterMgr::incrementVersion(0)`` and every increment is
   ``ceil(v / 10) * 10 + 2 - dc``: with data centre 0 that is 2, 12, 22... never +1. A client
   must compare versions for change, not count them.
3. ``size`` is documented in KB (``KalturaAsset::$size``) but ``attachFile`` first stores the file
   size in *bytes* (``$dbAsset->setSize($fileSync->getFileSize())``); the KB value arrives with the
   extracted media info (``KDLWrap::ConvertMediainfoCdl2FlavorAsset``), i.e. once converted. The
   sandbox models that harsher reading: bytes while QUEUED, ``bytes // 1024`` once READY (the
   server's value comes from mediainfo's rounded figure, so it may differ by a little).
   ``sizeInBytes`` is exact from the start (``kFileSyncUtils::setSizeInBytesOnAsset``).
4. Conversion ends: READY (2) with the entry, ERROR (-1) when its conversion fails.
5. A replacement's swap (``kBusinessConvertDL::replaceEntry``) relinks the original's source asset
   to the temporary entry's (``kReplacementHelper::relinkAsset``, ``asset::linkFromAsset``): the
   asset keeps its id, takes the new size, sizeInBytes and fileExt, becomes READY and its
   ``version`` is incremented (``updatedAt`` moves). This is what moves for a video whose content
   was replaced: the entry's ``version`` (its data file's) does not.
6. A deleted entry's assets become DELETED (3) with ``deletedAt`` (``kObjectDeleteHandler::
   entryDeleted``); the temporary entry's are deleted with it after the swap. ``assetPeer``'s
   default criteria hide DELETED assets from every read.
"""

from __future__ import annotations

import math
import re
import sqlite3
from typing import Any

from kaltura_mm.sandbox import ids

ERROR, QUEUED, READY, DELETED, IMPORTING = -1, 0, 2, 3, 7
SOURCE_PARAMS_ID = 0  # flavorParams::SOURCE_FLAVOR_ID
SOURCE_TAG = "source"  # flavorParams::TAG_SOURCE
DATA_CENTRE = 0  # ids are "0_..." (data centre 0) and versions follow the same data centre

SCHEMA = """
CREATE TABLE IF NOT EXISTS flavor_assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, partner_id INTEGER NOT NULL,
    entry_id TEXT NOT NULL, status INTEGER NOT NULL, version INTEGER NOT NULL,
    flavor_params_id INTEGER NOT NULL, is_original INTEGER NOT NULL, tags TEXT NOT NULL,
    file_ext TEXT, size INTEGER NOT NULL DEFAULT 0, size_in_bytes INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, deleted_at INTEGER
);
CREATE INDEX IF NOT EXISTS flavor_assets_by_entry ON flavor_assets (entry_id, status);
CREATE TRIGGER IF NOT EXISTS flavor_assets_deleted_with_entry
AFTER UPDATE OF status ON entries WHEN NEW.status = 3 AND OLD.status != 3
BEGIN
    UPDATE flavor_assets SET status = 3, deleted_at = NEW.updated_at, updated_at = NEW.updated_at
    WHERE entry_id = NEW.id AND status != 3;
END;
"""


def next_version(version: int) -> int:
    """``kDataCenterMgr::incrementVersion``: the next version of a file-synced object."""
    return math.ceil(version / 10) * 10 + 2 - DATA_CENTRE


def file_ext(file_name: str | None) -> str | None:
    """The extension ``attachFile`` reads (``pathinfo``, case kept), cleaned as
    ``asset::setFileExt`` does (letters and digits, at most 4 when it had to clean)."""
    name = (file_name or "").rsplit("/", 1)[-1]
    if "." not in name:
        return None
    ext = name.rsplit(".", 1)[-1].strip()
    return ext if ext.isalnum() else re.sub(r"\W+", "", ext)[:4]


FIRST_VERSION = next_version(0)
_TAG = (SOURCE_TAG,)


def source_of(conn: sqlite3.Connection, entry_id: str) -> sqlite3.Row | None:
    """Return the entry's live source asset, if any (``assetPeer::retrieveOriginalByEntryId``)."""
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM flavor_assets WHERE entry_id = ? AND is_original = 1 AND status != 3",
        (entry_id,),
    ).fetchone()
    return row


def _create(conn: sqlite3.Connection, partner_id: int, entry_id: str, now: int) -> str:
    asset_id = ids.entry_id()
    conn.execute(
        "INSERT INTO flavor_assets (id, partner_id, entry_id, status, version, flavor_params_id,"
        " is_original, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
        (asset_id, partner_id, entry_id, QUEUED, FIRST_VERSION, SOURCE_PARAMS_ID, *_TAG, now, now),
    )
    return asset_id


def pending(conn: sqlite3.Connection, partner_id: int, entry_id: str, now: int) -> str:
    """Rule 1 for an incomplete upload: the source asset, IMPORTING; return its id (the id the
    upload token's ``attachedObjectId`` names)."""
    found = source_of(conn, entry_id)
    asset_id = str(found["id"]) if found is not None else _create(conn, partner_id, entry_id, now)
    conn.execute(
        "UPDATE flavor_assets SET status = ?, updated_at = ? WHERE id = ?",
        (IMPORTING, now, asset_id),
    )
    return asset_id


def filled(
    conn: sqlite3.Connection,
    partner_id: int,
    entry_id: str,
    file_name: str | None,
    size: int,
    now: int,
) -> str:
    """Rule 1 and 3 when the bytes arrive: the source asset QUEUED with ``size`` in bytes (until
    converted) and ``sizeInBytes``; return its id."""
    found = source_of(conn, entry_id)
    asset_id = str(found["id"]) if found is not None else _create(conn, partner_id, entry_id, now)
    conn.execute(
        "UPDATE flavor_assets SET status = ?, file_ext = ?, size = ?, size_in_bytes = ?,"
        " updated_at = ? WHERE id = ?",
        (QUEUED, file_ext(file_name), size, size, now, asset_id),
    )
    return asset_id


def converted(conn: sqlite3.Connection, entry_ids: list[str], now: int, failed: bool) -> None:
    """Rules 3 and 4: the entries' conversion ended; their queued source assets follow."""
    for entry_id in entry_ids:
        conn.execute(
            "UPDATE flavor_assets SET status = ?, size = CASE WHEN ? THEN size"
            " ELSE size_in_bytes / 1024 END, updated_at = ?"
            " WHERE entry_id = ? AND is_original = 1 AND status = ?",
            (ERROR if failed else READY, failed, now, entry_id, QUEUED),
        )


def relink(conn: sqlite3.Connection, original: sqlite3.Row, temp: sqlite3.Row, now: int) -> None:
    """Rule 5: at the swap, the original's source asset takes the temporary entry's content
    (same id, next version); without one, the temporary's is copied (``asset::copyToEntry``)."""
    new = conn.execute(
        "SELECT * FROM flavor_assets WHERE entry_id = ? AND is_original = 1 AND status = ?",
        (temp["id"], READY),
    ).fetchone()
    if new is None:
        return
    old = source_of(conn, original["id"])
    if old is None:
        asset_id = _create(conn, original["partner_id"], original["id"], now)
        version = next_version(new["version"])
    else:
        asset_id, version = old["id"], next_version(old["version"])
    conn.execute(
        "UPDATE flavor_assets SET status = ?, version = ?, file_ext = ?, size = ?,"
        " size_in_bytes = ?, updated_at = ? WHERE id = ?",
        (READY, version, new["file_ext"], new["size"], new["size_in_bytes"], now, asset_id),
    )


def seeded(
    conn: sqlite3.Connection, partner_id: int, rows: list[tuple[str, str, int, int]]
) -> None:
    """Rules 1 to 4 at once for seeded READY entries ``(entry id, file name, bytes, createdAt)``:
    each gets a READY source asset at the first version, sized in KB, as a converted upload
    leaves it."""
    conn.executemany(
        "INSERT INTO flavor_assets (id, partner_id, entry_id, status, version, flavor_params_id,"
        " is_original, tags, file_ext, size, size_in_bytes, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
        [
            (
                ids.entry_id(),
                partner_id,
                entry_id,
                READY,
                FIRST_VERSION,
                SOURCE_PARAMS_ID,
                *_TAG,
                file_ext(name),
                size // 1024,
                size,
                created,
                created,
            )
            for entry_id, name, size, created in rows
        ],
    )


def backfill(conn: sqlite3.Connection) -> None:
    """Give the source asset it lacks to every live entry with content that is not an image: a
    data folder written before the sandbox kept assets. Its version is the first one (the
    replacements it had are not known) and ``createdAt`` the entry's."""
    rows = conn.execute(
        "SELECT e.* FROM entries e WHERE e.content_path IS NOT NULL AND e.status != 3"
        " AND COALESCE(e.media_type, 0) != 2 AND NOT EXISTS"
        " (SELECT 1 FROM flavor_assets f WHERE f.entry_id = e.id AND f.is_original = 1)"
    ).fetchall()
    for entry in rows:
        size = int(entry["content_size"] or 0)
        asset_id = filled(
            conn, entry["partner_id"], entry["id"], entry["file_name"], size, entry["created_at"]
        )
        if entry["status"] in (READY, ERROR):
            converted(conn, [entry["id"]], entry["updated_at"], entry["status"] == ERROR)
        conn.execute(
            "UPDATE flavor_assets SET updated_at = ? WHERE id = ?", (entry["updated_at"], asset_id)
        )


def view(row: sqlite3.Row) -> dict[str, Any]:
    """Return the ``KalturaFlavorAsset`` object of a row (properties in the server's order)."""
    return {
        "flavorParamsId": row["flavor_params_id"],
        "width": 0,
        "height": 0,
        "bitrate": 0,
        "frameRate": 0,
        "isOriginal": bool(row["is_original"]),
        "isWeb": False,  # the source asset's only tag is "source" (not "web")
        "containerFormat": "",
        "videoCodecId": "",
        "status": row["status"],
        "id": row["id"],
        "entryId": row["entry_id"],
        "partnerId": row["partner_id"],
        "version": row["version"],
        "size": row["size"],
        "tags": row["tags"],
        "fileExt": row["file_ext"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "deletedAt": row["deleted_at"],
        "description": "",
        "sizeInBytes": row["size_in_bytes"],
        "objectType": "KalturaFlavorAsset",
    }
