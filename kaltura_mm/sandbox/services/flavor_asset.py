"""The ``flavorAsset`` service: ``get`` and ``list`` of the assets ``flavor_assets`` keeps.

From ``FlavorAssetService`` and ``KalturaAssetFilter::doGetListResponse`` (kaltura/server):

- ``get`` reads the asset by id with the partner filter and ``assetPeer``'s default criteria
  (no DELETED asset) and **no** entitlement check on its entry: not found, another partner's, or
  deleted is ``FLAVOR_ASSET_ID_NOT_FOUND``. Its permission is ``CONTENT_MANAGE_BASE`` only
  (``service.flavorasset.ini``), so a plain USER KS gets ``SERVICE_FORBIDDEN``.
- ``list`` must name entries: without ``entryIdEqual`` / ``entryIdIn`` it is
  ``PROPERTY_VALIDATION_CANNOT_BE_NULL`` (``KalturaFlavorAssetFilter::entryIdEqual/
  KalturaFlavorAssetFilter::entryIdIn``; a ``KalturaAssetFilter`` is cast to that class first).
  The entries are then read as ``entryPeer`` reads them (``filterEntriesByPartnerOrKalturaNetwork``:
  the caller's partner, not deleted, entitlement applied; at most 500 ids): an entry the session
  cannot read simply contributes nothing, so a list of only such entries is empty with
  ``totalCount`` 0, never an error. The assets are not partner-filtered again (the action is
  exempt, ``KalturaAssetService::setPartnerFilters``).
- Filters: ``idEqual/In``, ``partnerIdEqual/In``, ``size``/``createdAt``/``updatedAt``/``deletedAt``
  ranges, ``tagsLike``/``MultiLikeOr``/``MultiLikeAnd``, ``flavorParamsIdEqual/In``,
  ``statusEqual/In/NotIn`` (a DELETED asset stays hidden whatever the filter), ``orderBy``
  ``±size``/``±createdAt``/``±updatedAt``/``±deletedAt`` (unknown names dropped); default order:
  the database's (creation).
- ``totalCount``: a short non-empty page counts as ``(pageIndex - 1) * pageSize + len``; otherwise
  a COUNT of the whole match (the same shortcut as every ``doGetListResponse``).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from kaltura_mm.sandbox import entitlement, flavor_assets
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param, pager_of
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.listing import MAX_IN_VALUES, Query, csv, order_sql, page_window
from kaltura_mm.sandbox.schema import KInput

_ORDER = {
    "size": "size",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "deletedAt": "deleted_at",
}


def get(call: ActionCall) -> dict[str, Any]:
    """Return one asset of the caller's partner (``FlavorAssetService::getAction``)."""
    call.core.promote_ready()
    row = call.core.store.one(
        "SELECT * FROM flavor_assets WHERE id = ? AND partner_id = ? AND status != 3",
        (call.args["id"], call.partner_id),
    )
    if row is None:
        raise KalturaApiException("FLAVOR_ASSET_ID_NOT_FOUND", call.args["id"])
    return flavor_assets.view(row)


def _readable_entries(conn: sqlite3.Connection, call: ActionCall, wanted: list[str]) -> list[str]:
    """The entries among ``wanted`` the session may read (``entryPeer`` with its criteria)."""
    wanted = [w for w in wanted if w][:MAX_IN_VALUES]
    if not wanted:
        return []
    rows = conn.execute(
        f"SELECT * FROM entries WHERE partner_id = ? AND status != 3 AND id IN "  # noqa: S608
        f"({','.join('?' * len(wanted))})",
        [call.partner_id, *wanted],
    ).fetchall()
    return [str(r["id"]) for r in rows if entitlement.entry_entitled(conn, call, r)]


def _tags(q: Query, v: dict[str, Any]) -> None:
    """``tagsLike`` / ``MultiLikeOr`` / ``MultiLikeAnd``: substring matches, case ignored (MySQL
    ``LIKE %word%``)."""
    match = "instr(lower(tags), lower(?)) > 0"
    if v.get("tagsLike"):
        q.add(match, [v["tagsLike"]])
    any_of = [w.strip() for w in (v.get("tagsMultiLikeOr") or "").split(",") if w.strip()]
    if any_of:
        q.add("(" + " OR ".join(match for _ in any_of) + ")", any_of)
    for word in (v.get("tagsMultiLikeAnd") or "").split(","):
        if word.strip():
            q.add(match, [word.strip()])


def list_(call: ActionCall) -> dict[str, Any]:
    """List the assets of entries the session can read (``FlavorAssetService::listAction``)."""
    f: KInput | None = call.args["filter"]
    v = f.values if f else {}
    if not v.get("entryIdEqual") and not v.get("entryIdIn"):
        raise KalturaApiException(
            "PROPERTY_VALIDATION_CANNOT_BE_NULL",
            "KalturaFlavorAssetFilter::entryIdEqual/KalturaFlavorAssetFilter::entryIdIn",
        )
    wanted = [v["entryIdEqual"]] if v.get("entryIdEqual") else v["entryIdIn"].split(",")
    call.core.promote_ready()
    size, index = pager_of(call)
    offset, limit = page_window(size, index, None)
    empty = {"objects": [], "totalCount": 0, "objectType": "KalturaFlavorAssetListResponse"}
    with call.core.store.reading() as conn:
        entries = _readable_entries(conn, call, wanted)
        if not entries:
            return empty
        q = Query(["status != 3"])
        q.in_("entry_id", entries)
        q.eq("id", v.get("idEqual"))
        q.in_("id", csv(v.get("idIn"), str))
        q.eq("partner_id", v.get("partnerIdEqual"))
        q.in_("partner_id", csv(v.get("partnerIdIn"), int))
        for field, column in _ORDER.items():
            q.ge(column, v.get(f"{field}GreaterThanOrEqual"))
            q.le(column, v.get(f"{field}LessThanOrEqual"))
        _tags(q, v)
        q.eq("flavor_params_id", v.get("flavorParamsIdEqual"))
        q.in_("flavor_params_id", csv(v.get("flavorParamsIdIn"), int))
        q.eq("status", v.get("statusEqual"))
        q.in_("status", csv(v.get("statusIn"), int))
        q.not_in("status", csv(v.get("statusNotIn"), int))
        order = order_sql(v.get("orderBy"), _ORDER, "")
        rows = conn.execute(
            f"SELECT * FROM flavor_assets WHERE {q.sql()} ORDER BY {order}, seq"  # noqa: S608
            " LIMIT ? OFFSET ?",
            [*q.params, limit, offset],
        ).fetchall()
        if rows and len(rows) < size:
            total = offset + len(rows)
        else:
            total = conn.execute(
                f"SELECT COUNT(*) FROM flavor_assets WHERE {q.sql()}",  # noqa: S608
                q.params,
            ).fetchone()[0]
    return {**empty, "objects": [flavor_assets.view(r) for r in rows], "totalCount": total}


def get_url(call: ActionCall) -> str:
    """Return a URL that serves the asset's content (``FlavorAssetService::getUrlAction``):
    ``FLAVOR_ASSET_ID_NOT_FOUND``; under entitlement an entry the session cannot read is
    ``ASSET_ID_NOT_FOUND`` (``validateEntryEntitlement``); not READY is
    ``FLAVOR_ASSET_IS_NOT_READY``. The real URL's form depends on the partner's delivery
    profile: treat it as opaque."""
    asset = get(call)
    with call.core.store.reading() as conn:
        entry = conn.execute(
            "SELECT * FROM entries WHERE id = ? AND status != 3", (asset["entryId"],)
        ).fetchone()
        readable = entry is not None and entitlement.entry_entitled(conn, call, entry)
    if not readable and entitlement.enforced(call):
        raise KalturaApiException("ASSET_ID_NOT_FOUND", asset["id"])
    if asset["status"] != flavor_assets.READY:
        raise KalturaApiException("FLAVOR_ASSET_IS_NOT_READY")
    pid, ext = asset["partnerId"], asset.get("fileExt") or "mp4"
    return (
        f"{call.core.service_url}/p/{pid}/sp/{pid}00/serveFlavor/entryId/{asset['entryId']}"
        f"/v/{asset['version']}/flavorId/{asset['id']}/name/a.{ext}"
    )


ACTIONS = {
    "get": ActionSpec(get, (Param("id", required=True),)),
    "geturl": ActionSpec(
        get_url,
        (
            Param("id", required=True),
            Param("storageId", "int"),
            Param("forceProxy", "bool", default=False),
        ),
    ),
    "list": ActionSpec(
        list_,
        (
            Param("filter", "object", type="KalturaAssetFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
}
