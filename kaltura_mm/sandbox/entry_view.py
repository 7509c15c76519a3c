"""Entries as the API returns them: ``KalturaMediaEntry`` / ``KalturaDocumentEntry`` / base.

Subclass properties come first, then the parent's, then ``objectType`` (as in real payloads).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from kaltura_mm.sandbox.store import Store

MEDIA_CLIP, DOCUMENT, DATA = 1, 10, 6
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


def categories_of(store: Store, entry_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Return entry id -> (categories full names CSV, category ids CSV) for active links."""
    if not entry_ids:
        return {}
    marks = ",".join("?" * len(entry_ids))
    where = f"ce.entry_id IN ({marks}) AND ce.status = 2 AND c.status = 2"
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


def view(row: sqlite3.Row, categories: tuple[str, str], service_url: str) -> dict[str, Any]:
    """Return the API object for one entry row."""
    extra = {**EXTRA_DEFAULTS, **json.loads(row["extra"])}
    urls = _urls(row, service_url)
    out: dict[str, Any] = {}
    if row["type"] == MEDIA_CLIP:
        out.update(
            {
                "mediaType": row["media_type"],
                "conversionQuality": extra["conversionQuality"],
                "sourceType": "1",
                "searchProviderType": extra["searchProviderType"],
                "searchProviderId": extra["searchProviderId"],
                "creditUserName": extra["creditUserName"],
                "creditUrl": extra["creditUrl"],
                "dataUrl": urls["dataUrl"],
                "flavorParamsIds": "0" if row["content_path"] else "",
                "isTrimDisabled": None,
                "plays": row["plays"],
                "views": row["views"],
                "lastPlayedAt": None,
                "duration": row["duration"],
                "msDuration": row["ms_duration"],
            }
        )
    elif row["type"] == DOCUMENT:
        out.update({"documentType": row["media_type"], "assetParamsIds": ""})
    out.update(
        {
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
            "replacementStatus": 0,
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
            "displayInSearch": row["display_in_search"],
            "application": extra["application"],
            "applicationVersion": extra["applicationVersion"],
            "blockAutoTranscript": False,
            "objectType": object_type(row["type"]),
        }
    )
    return out


def object_type(entry_type: int) -> str:
    """Return the API class for an entry type."""
    return {
        MEDIA_CLIP: "KalturaMediaEntry",
        DOCUMENT: "KalturaDocumentEntry",
        DATA: "KalturaDataEntry",
    }.get(entry_type, "KalturaBaseEntry")


def views(store: Store, rows: Sequence[sqlite3.Row], service_url: str) -> list[dict[str, Any]]:
    """Return the API objects for rows, fetching their categories in one query."""
    cats = categories_of(store, [r["id"] for r in rows])
    return [view(r, cats.get(r["id"], ("", "")), service_url) for r in rows]
