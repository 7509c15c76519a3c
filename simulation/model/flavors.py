"""``flavorAsset.get`` / ``list`` and the source asset an entry's content creates, as the sandbox
models them (``kaltura_mm.sandbox.flavor_assets``, read in kaltura/server):

- content attached to an entry that is not an image gives it a source asset (``flavorParamsId``
  0, ``isOriginal``, tags ``source``): IMPORTING (7) while its token is incomplete, QUEUED (0)
  with ``size`` in bytes once the bytes are in, READY (2) with ``size`` in KB when the entry is;
  the entry's existing source asset is reused. An image gets none: its content raises the
  entry's own ``version`` instead (``entry::setData``, twice per upload, from a random start:
  ``image_version``).
- ``version`` starts at 2 and moves by ``kDataCenterMgr::incrementVersion`` (2, 12, 22...); the
  model has no content replacement (its partner lacks ``FEATURE_ENTRY_REPLACEMENT``), so only
  the sandbox moves it past 2.
- deleting the entry deletes its assets; a deleted asset is never read.
- ``get``: partner-scoped, no entitlement, ``FLAVOR_ASSET_ID_NOT_FOUND``; CONTENT_MANAGE_BASE only
  (an ADMIN KS holds it; a plain USER KS gets ``SERVICE_FORBIDDEN``).
- ``list``: ``entryIdEqual`` / ``entryIdIn`` required (``PROPERTY_VALIDATION_CANNOT_BE_NULL``);
  entries read as ``baseEntry.get`` reads them; filters ``statusEqual/In/NotIn``,
  ``flavorParamsIdEqual/In``, ``idEqual/In``; the short-page ``totalCount`` shortcut.
"""

from __future__ import annotations

import math
import random
from typing import Any

from kaltura_mm.sandbox.errors import KalturaApiException
from simulation.model.actions import Action, Ctx, Param, cut, list_response, pager
from simulation.model.records import (
    ASSET_DELETED,
    ASSET_IMPORTING,
    ASSET_QUEUED,
    ASSET_READY,
    DELETED,
    READY,
    Entry,
    FlavorAsset,
)
from simulation.model.state import State
from simulation.model.wire import compact

MAX_IN_VALUES = 500
_NOT_NULL = "KalturaFlavorAssetFilter::entryIdEqual/KalturaFlavorAssetFilter::entryIdIn"


def next_version(version: int) -> int:
    """``kDataCenterMgr::incrementVersion`` on data centre 0."""
    return math.ceil(version / 10) * 10 + 2


FIRST = next_version(0)
_OBFUSCATOR = (100_000, 900_000)  # myContentStorage::MIN/MAX_OBFUSCATOR_VALUE, as intended


def image_version(entry: Entry) -> int:
    """An image's content set: the entry's ``version`` after it (``entry::setData`` twice, per
    ``KalturaEntryService::attachFile``; the first file's number is ``generateRandomFileName``'s
    random obfuscator). The start derives from the entry's id, itself from the run's seeded
    stream, so no draw is taken from that stream and every seed replays as before."""
    version = entry.version or random.Random(f"data-version:{entry.id}").randint(*_OBFUSCATOR)
    return next_version(next_version(version))


def source(state: State, entry: Entry, pending: bool, new_id: str | None = None) -> FlavorAsset:
    """Return the entry's source asset, made (with ``new_id``) if it has none; IMPORTING while
    ``pending``."""
    now = int(state.now())
    asset = state.assets.get(entry.asset_id or "")
    if asset is None or asset.status == ASSET_DELETED:
        # a seeded asset's id comes from a counter, not the seeded random stream, so that
        # seeding leaves every run's later ids (and so its story) as they were
        asset_id = new_id or f"0_f{len(state.assets):07d}"
        asset = FlavorAsset(asset_id, entry.partner_id, entry.id, ASSET_QUEUED, FIRST, now, now)
        state.assets[asset.id] = asset
        entry.asset_id = asset.id
    if pending:
        asset.status, asset.updated_at = ASSET_IMPORTING, now
    return asset


def filled(state: State, entry: Entry, file_name: str, size: int) -> None:
    """The bytes arrived: QUEUED, ``size`` in bytes until converted, ``fileExt`` the file's."""
    asset = source(state, entry, pending=False)
    _, dot, ext = file_name.rpartition(".")
    asset.status, asset.size, asset.size_in_bytes = ASSET_QUEUED, size, size
    asset.file_ext = ext if dot and ext else None
    asset.updated_at = int(state.now())


def seeded(state: State, entry: Entry) -> None:
    """An entry made with its content (seeded or a background tool's): its source asset, as
    an upload leaves it (READY, in KB, when the entry is READY already)."""
    filled(state, entry, "", len(entry.content or b""))
    asset = state.assets[entry.asset_id or ""]
    if entry.status == READY:
        asset.status, asset.size = ASSET_READY, asset.size_in_bytes // 1024


def deleted(state: State, entry: Entry) -> None:
    """The entry was deleted: so is its asset."""
    asset = state.assets.get(entry.asset_id or "")
    if asset is not None and asset.status != ASSET_DELETED:
        asset.status = ASSET_DELETED
        asset.deleted_at = asset.updated_at = int(state.now())


def asset_object(asset: FlavorAsset) -> dict[str, Any]:
    """Return a ``KalturaFlavorAsset`` (own properties before the parent's, nulls omitted)."""
    return compact(
        {
            "flavorParamsId": 0,
            "width": 0,
            "height": 0,
            "bitrate": 0,
            "frameRate": 0,
            "isOriginal": True,
            "isWeb": False,
            "containerFormat": "",
            "videoCodecId": "",
            "status": asset.status,
            "id": asset.id,
            "entryId": asset.entry_id,
            "partnerId": asset.partner_id,
            "version": asset.version,
            "size": asset.size,
            "tags": "source",
            "fileExt": asset.file_ext,
            "createdAt": asset.created_at,
            "updatedAt": asset.updated_at,
            "deletedAt": asset.deleted_at,
            "description": "",
            "sizeInBytes": asset.size_in_bytes,
            "objectType": "KalturaFlavorAsset",
        }
    )


def get(ctx: Ctx) -> dict[str, Any]:
    """``flavorAsset.get``."""
    if not ctx.permitted("CONTENT_MANAGE_BASE"):
        raise KalturaApiException("SERVICE_FORBIDDEN", f"{ctx.service}->{ctx.action}")
    asset = ctx.state.assets.get(ctx.args["id"])
    if asset is None or asset.status == ASSET_DELETED or asset.partner_id != ctx.partner_id:
        raise KalturaApiException("FLAVOR_ASSET_ID_NOT_FOUND", ctx.args["id"])
    return asset_object(asset)


def _ints(value: Any) -> set[int] | None:
    if value in (None, ""):
        return None
    return {int(v) for v in cut(str(value), MAX_IN_VALUES) if v.lstrip("-").isdigit()}


def list_(ctx: Ctx) -> dict[str, Any]:
    """``flavorAsset.list``."""
    given = ctx.obj("filter")
    v = given.values if given else {}
    if not v.get("entryIdEqual") and not v.get("entryIdIn"):
        raise KalturaApiException("PROPERTY_VALIDATION_CANNOT_BE_NULL", _NOT_NULL)
    wanted = [v["entryIdEqual"]] if v.get("entryIdEqual") else cut(v["entryIdIn"], MAX_IN_VALUES)
    state = ctx.state
    readable = {
        e.id
        for w in wanted
        if (e := state.entries.get(w)) is not None
        and e.status != DELETED
        and e.partner_id == ctx.partner_id
    }
    ids = set(cut(v["idIn"], MAX_IN_VALUES)) if v.get("idIn") else None
    params, statuses = _ints(v.get("flavorParamsIdIn")), _ints(v.get("statusIn"))
    not_in = _ints(v.get("statusNotIn")) or set()
    found = [
        a
        for a in state.assets.values()
        if a.entry_id in readable
        and a.status != ASSET_DELETED
        and v.get("idEqual") in (None, a.id)
        and (ids is None or a.id in ids)
        and v.get("flavorParamsIdEqual") in (None, 0)
        and (params is None or 0 in params)
        and v.get("statusEqual") in (None, a.status)
        and (statuses is None or a.status in statuses)
        and a.status not in not_in
    ]
    size, index = pager(ctx)
    offset = (index - 1) * size
    page = found[offset : offset + size]
    total = offset + len(page) if page and len(page) < size else len(found)
    objects = [asset_object(a) for a in page]
    return list_response("KalturaFlavorAssetListResponse", objects, total)


ACTIONS = {
    "get": Action(get, (Param("id", required=True),)),
    "list": Action(
        list_,
        (
            Param("filter", "object", type="KalturaAssetFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
}
