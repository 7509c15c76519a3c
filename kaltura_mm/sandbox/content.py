"""Attach uploaded content to entries and drive the entry lifecycle.

Rules (``kUploadedFileTokenResource`` / ``kFlowHelper``):
1. A FULL_UPLOAD token attaches now: the file moves to the entry, the token becomes CLOSED(3), the
   entry goes PRECONVERT(1) and READY(2) after the simulated transcoding delay (images at once).
2. Any other token status attaches as pending: the entry goes IMPORT(0) (from NO_CONTENT, PENDING or
   an error status) and the token records the entry; rule 1 runs when the token completes.
3. Deleting an attached, incomplete token puts an IMPORT entry back to NO_CONTENT(7).
"""

from __future__ import annotations

import os
import sqlite3

from kaltura_mm.sandbox import data_version, flavor_assets, probe
from kaltura_mm.sandbox.core import Core
from kaltura_mm.sandbox.errors import KalturaApiException

IMPORT, PRECONVERT, READY, NO_CONTENT = 0, 1, 2, 7
FULL_UPLOAD, CLOSED, DELETED = 2, 3, 5
_REIMPORTABLE = (-2, -1, 4, 7)


def token_path(core: Core, token_id: str) -> str:
    """Return where an upload token's contiguous bytes live."""
    return str(core.upload_dir / token_id)


def _entry_type_for(current: int, file_name: str | None) -> int:
    if current != -1:
        return current
    return 10 if probe.is_document(file_name) else 1


def attach(conn: sqlite3.Connection, core: Core, entry: sqlite3.Row, token: sqlite3.Row) -> None:
    """Attach ``token`` to ``entry`` (rules 1 and 2)."""
    file_name = token["file_name"]
    entry_type = _entry_type_for(entry["type"], file_name)
    media_type = entry["media_type"]
    if media_type is None:
        media_type = (
            probe.DOCUMENT_TYPES.get(probe.extension(file_name), 11)
            if entry_type == 10
            else probe.media_type_for(file_name) or probe.VIDEO
        )
    is_image = media_type == probe.IMAGE
    conn.execute(
        "UPDATE entries SET type = ?, media_type = ?, file_name = ? WHERE id = ?",
        (entry_type, media_type, file_name, entry["id"]),
    )
    if token["status"] == FULL_UPLOAD:
        complete(conn, core, entry["id"], token["id"])
        return
    if entry["status"] in _REIMPORTABLE:
        conn.execute("UPDATE entries SET status = ? WHERE id = ?", (IMPORT, entry["id"]))
    now = int(core.clock.now())
    attached = (
        ("entry", entry["id"])
        if is_image
        else ("flavorAsset", flavor_assets.pending(conn, entry["partner_id"], entry["id"], now))
    )
    conn.execute(
        "UPDATE upload_tokens SET attached_object_type = ?, attached_object_id = ?, entry_id = ? "
        "WHERE id = ?",
        (*attached, entry["id"], token["id"]),
    )


def complete(conn: sqlite3.Connection, core: Core, entry_id: str, token_id: str) -> None:
    """Move a finished token's file into the entry and start (simulated) transcoding."""
    source = token_path(core, token_id)
    if not os.path.exists(source):
        raise KalturaApiException("UPLOADED_FILE_NOT_FOUND_BY_TOKEN")
    target = core.content_dir / entry_id
    os.replace(source, target)
    size = target.stat().st_size
    row = conn.execute(
        "SELECT media_type, type, status, partner_id, file_name, version FROM entries WHERE id = ?",
        (entry_id,),
    ).fetchone()
    now = core.clock.now()
    is_image = row["media_type"] == probe.IMAGE
    duration = None if is_image or row["type"] != 1 else probe.duration_of(target, size)
    # An entry deleted while its upload was in flight stays deleted (status 3 is final).
    conn.execute(
        "UPDATE entries SET content_path = ?, content_size = ?, status = ?, ready_at = ?,"
        " duration = ?, ms_duration = ?, updated_at = ?, version = ?"
        " WHERE id = ? AND status != 3",
        (
            target.name,  # relative to the content folder, so a data dir can move
            size,
            READY if is_image else PRECONVERT,
            now + core.settings.transcode_delay,
            None if duration is None else round(duration),
            None if duration is None else int(duration * 1000),
            int(now),
            # ``version`` is the entry's data file's: an image's content is that file
            # (``entry::setData``, twice, from a random start: ``data_version``); a video's goes
            # to flavor assets and leaves it
            data_version.after_image(row["version"], core.settings.seed, entry_id)
            if is_image
            else row["version"],
            entry_id,
        ),
    )
    if is_image:
        attached = ("entry", entry_id)
    elif row["status"] == 3:  # deleted meanwhile: its asset (if any) was deleted with it
        before = conn.execute(
            "SELECT attached_object_id FROM upload_tokens WHERE id = ?", (token_id,)
        ).fetchone()
        attached = ("flavorAsset", before[0] if before and before[0] else "")
    else:
        asset_id = flavor_assets.filled(
            conn, row["partner_id"], entry_id, row["file_name"], size, int(now)
        )
        attached = ("flavorAsset", asset_id)
    conn.execute(
        "UPDATE upload_tokens SET status = ?, attached_object_type = ?, attached_object_id = ?,"
        " entry_id = ?, updated_at = ? WHERE id = ?",
        (CLOSED, *attached, entry_id, int(now), token_id),
    )


def cancel(conn: sqlite3.Connection, token: sqlite3.Row) -> None:
    """Undo a pending attachment when its token is deleted (rule 3)."""
    if token["entry_id"]:
        conn.execute(
            "UPDATE entries SET status = ? WHERE id = ? AND status = ? AND content_path IS NULL",
            (NO_CONTENT, token["entry_id"], IMPORT),
        )
    if token["attached_object_type"] == "flavorAsset" and token["attached_object_id"]:
        # an IMPORTING asset goes back to QUEUED, still empty (``handleUploadCanceled``)
        conn.execute(
            "UPDATE flavor_assets SET status = ? WHERE id = ? AND status = ?",
            (flavor_assets.QUEUED, token["attached_object_id"], flavor_assets.IMPORTING),
        )
