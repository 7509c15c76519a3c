"""Entries as the API returns them: ``KalturaMediaEntry`` / ``KalturaDocumentEntry`` / base.

Every property of the class is present, in the server's order: the subclass's own properties
first, then its parents' (``KalturaMediaEntry``, ``KalturaPlayableEntry``, ``KalturaBaseEntry``),
then ``objectType``, as in real payloads. Unset ones are None: JSON leaves them out, XML writes
them as empty elements.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from kaltura_mm.sandbox.store import SandboxStore

MEDIA_CLIP, DOCUMENT, DATA = 1, 10, 6


def default_access_control_id(partner_id: int) -> int:
    """Return the partner's default access control profile (every real entry has one)."""
    return partner_id * 1000 + 1


def default_conversion_profile_id(partner_id: int) -> int:
    """Return the partner's default conversion profile (every real entry has one)."""
    return partner_id * 1000 + 2


# Writable entry properties kept in the ``extra`` JSON column, with their defaults.
EXTRA_DEFAULTS: dict[str, Any] = {
    "licenseType": -1,
    "groupId": None,
    "accessControlId": None,
    "conversionProfileId": None,
    "creditUserName": None,
    "creditUrl": None,
    "entitledUsersEdit": None,
    "entitledUsersPublish": None,
    "entitledUsersView": None,
    "redirectEntryId": None,
    "parentEntryId": None,
    "templateEntryId": None,
    "application": None,
    "applicationVersion": None,
    "msDuration": None,
    "conversionQuality": None,
    "sourceVersion": None,
    "searchProviderType": None,
    "searchProviderId": None,
    "replacingEntryId": None,
    "replacedEntryId": None,
    "replacementStatus": 0,
    "blockAutoTranscript": False,
}
COLUMNS = {
    "name": "name",
    "description": "description",
    "tags": "tags",
    "adminTags": "admin_tags",
    "userId": "user_id",
    "creatorId": "creator_id",
    "referenceId": "reference_id",
    "partnerData": "partner_data",
    "startDate": "start_date",
    "endDate": "end_date",
    "partnerSortValue": "partner_sort_value",
    "displayInSearch": "display_in_search",
}


# The category ``c`` has no privacy context: only those are written on the entry
# (``categoryEntry::setEntryOnCategory``; ``privacy`` rule 3).
_NO_CONTEXT = "coalesce(json_extract(c.extra, '$.privacyContexts'), '') = ''"
CategoryColumns = tuple[str | None, str | None]


def categories_of(store: SandboxStore, entry_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Return entry id -> (categories full names CSV, category ids CSV) for active links to
    categories without a privacy context (the entry's own fields; ``categoryEntry.list`` is
    the exact membership)."""
    if not entry_ids:
        return {}
    marks = ",".join("?" * len(entry_ids))
    where = f"ce.entry_id IN ({marks}) AND ce.status = 2 AND c.status = 2 AND {_NO_CONTEXT}"
    rows = store.all(
        "SELECT ce.entry_id, c.id, c.full_name FROM category_entries ce JOIN categories c "  # noqa: S608
        f"ON c.id = ce.category_id WHERE {where} ORDER BY ce.id",
        list(entry_ids),
    )
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for row in rows:
        names, ids = grouped.setdefault(row[0], ([], []))
        names.append(row[2])
        ids.append(str(row[1]))
    return {k: (",".join(n), ",".join(i)) for k, (n, i) in grouped.items()}


def _urls(row: sqlite3.Row, service_url: str) -> dict[str, str | None]:
    pid, eid = row["partner_id"], row["id"]
    base = f"{service_url}/p/{pid}/sp/{pid}00"
    has_content = row["content_path"] is not None
    return {
        "downloadUrl": (
            f"{base}/playManifest/entryId/{eid}/format/download/protocol/http/flavorParamIds/0"
            if has_content
            else ""
        ),
        "dataUrl": f"{base}/playManifest/entryId/{eid}/format/url/protocol/http",
        "thumbnailUrl": f"{base}/thumbnail/entry_id/{eid}/version/100000",
    }


def view(
    row: sqlite3.Row, categories: CategoryColumns, service_url: str, base_only: bool = False
) -> dict[str, Any]:
    """Return the API object for one entry row (``base_only``: as a ``KalturaBaseEntry``)."""
    extra = {**EXTRA_DEFAULTS, **json.loads(row["extra"])}
    pid = row["partner_id"]
    if extra["accessControlId"] is None:
        extra["accessControlId"] = default_access_control_id(pid)
    if extra["conversionProfileId"] is None:
        extra["conversionProfileId"] = default_conversion_profile_id(pid)
    urls = _urls(row, service_url)
    out = {} if base_only else _own(row, extra, urls)
    out.update(_base(row, extra, categories, urls))
    out["objectType"] = "KalturaBaseEntry" if base_only else object_type(row["type"])
    return out


def _own(row: sqlite3.Row, extra: dict[str, Any], urls: dict[str, Any]) -> dict[str, Any]:
    """Return the subclass's own properties (and a playable entry's), before the base ones."""
    if row["type"] == MEDIA_CLIP:
        return {**_media(row, extra, urls), **_playable(row)}
    if row["type"] == DOCUMENT:
        return {"documentType": row["media_type"], "assetParamsIds": ""}
    if row["type"] == DATA:
        return {"dataContent": None, "retrieveDataContentByGet": None}
    return {}


def _media(row: sqlite3.Row, extra: dict[str, Any], urls: dict[str, Any]) -> dict[str, Any]:
    return {
        "mediaType": row["media_type"],
        "conversionQuality": str(extra["conversionProfileId"]),  # the same, deprecated
        "sourceType": "1",
        "sourceVersion": extra["sourceVersion"],
        "searchProviderType": extra["searchProviderType"],
        "searchProviderId": extra["searchProviderId"],
        "creditUserName": extra["creditUserName"],
        "creditUrl": extra["creditUrl"],
        "mediaDate": None,
        "dataUrl": urls["dataUrl"],
        "flavorParamsIds": "0" if row["content_path"] else "",
        "isTrimDisabled": None,
        "streams": None,
    }


def _playable(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "plays": row["plays"],
        "views": row["views"],
        "lastPlayedAt": None,
        "width": None,
        "height": None,
        "duration": row["duration"],
        "msDuration": row["ms_duration"],
        "durationType": None,
    }


def _base(
    row: sqlite3.Row, extra: dict[str, Any], categories: CategoryColumns, urls: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "description": row["description"],
        "partnerId": row["partner_id"],
        "userId": row["user_id"],
        "creatorId": row["creator_id"],
        "tags": row["tags"] or "",
        "adminTags": row["admin_tags"] or "",
        "categories": categories[0],
        "categoriesIds": categories[1],
        "status": row["status"],
        "moderationStatus": row["moderation_status"],
        "moderationCount": 0,
        "type": row["type"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "rank": 0,
        "totalRank": 0,
        "votes": 0,
        "groupId": extra["groupId"],
        "partnerData": row["partner_data"],
        "downloadUrl": urls["downloadUrl"],
        "searchText": f"_PAR_ONLY_ _{row['partner_id']}_ _MEDIA_TYPE_|  {row['name']}",
        "licenseType": extra["licenseType"],
        "version": row["version"],
        "thumbnailUrl": urls["thumbnailUrl"],
        "accessControlId": extra["accessControlId"],
        "startDate": row["start_date"],
        "endDate": row["end_date"],
        "referenceId": row["reference_id"],
        "replacingEntryId": extra["replacingEntryId"],
        "replacedEntryId": extra["replacedEntryId"],
        "replacementStatus": extra["replacementStatus"],
        "partnerSortValue": row["partner_sort_value"],
        "conversionProfileId": extra["conversionProfileId"],
        "redirectEntryId": extra["redirectEntryId"],
        "rootEntryId": row["id"],
        "parentEntryId": extra["parentEntryId"],
        "operationAttributes": [],
        "entitledUsersEdit": extra["entitledUsersEdit"],
        "entitledUsersPublish": extra["entitledUsersPublish"],
        "entitledUsersView": extra["entitledUsersView"],
        "capabilities": "",
        "templateEntryId": extra["templateEntryId"],
        "displayInSearch": row["display_in_search"],
        "application": extra["application"],
        "applicationVersion": extra["applicationVersion"],
        "blockAutoTranscript": extra["blockAutoTranscript"],
        "defaultLanguage": None,
        "responseLanguage": None,
    }


def object_type(entry_type: int) -> str:
    """Return the API class for an entry type."""
    return {
        MEDIA_CLIP: "KalturaMediaEntry",
        DOCUMENT: "KalturaDocumentEntry",
        DATA: "KalturaDataEntry",
    }.get(entry_type, "KalturaBaseEntry")


def views(
    store: SandboxStore,
    rows: Sequence[sqlite3.Row],
    service_url: str,
    base_only: bool = False,
    hide_categories: bool = False,
) -> list[dict[str, Any]]:
    """Return the API objects for rows, fetching their categories in one query
    (``hide_categories``: both fields null, as for a ``privacycontext:`` KS)."""
    if hide_categories:
        return [view(r, (None, None), service_url, base_only) for r in rows]
    cats = categories_of(store, [r["id"] for r in rows])
    return [view(r, cats.get(r["id"], ("", "")), service_url, base_only) for r in rows]
