"""Rows as the API objects the JSON serializer writes (``objectType`` last, nulls omitted).

Property order follows the real payloads: the subclass's own properties before its parents'.
Values keep the real server's looseness: ``uploadedFileSize`` is a string (a bigint column),
``autoFinalize`` a boolean (read back from memcache).
"""

from __future__ import annotations

from typing import Any

from simulation.model.records import DOCUMENT, MEDIA_CLIP, Category, CategoryEntry, Entry, Token
from simulation.model.state import DISABLE_CATEGORY_LIMIT, State
from simulation.model.wire import compact

_ENTRY_CLASSES = {MEDIA_CLIP: "KalturaMediaEntry", DOCUMENT: "KalturaDocumentEntry"}


def entry_object(state: State, entry: Entry) -> dict[str, Any]:
    """Return a ``KalturaMediaEntry`` (or the class of the entry's type).

    ``categories``/``categoriesIds`` are not the entry's membership (spec 13): they leave out
    categories with a privacy context (``categoryEntry::setEntryOnCategory`` writes only the
    others), and are null for a partner with ``FEATURE_DISABLE_CATEGORY_LIMIT``
    (``entry::getCategoriesIds``). Only ``categoryEntry.list`` is exact.
    """
    partner = state.partners.get(entry.partner_id)
    shown: list[int] | None = None
    if partner is None or DISABLE_CATEGORY_LIMIT not in partner.features:
        shown = [
            cid
            for cid in state.categories_of(entry.id)
            if cid in state.categories and not state.categories[cid].privacy_contexts
        ]
    names = None if shown is None else ",".join(state.categories[c].full_name for c in shown)
    own: dict[str, Any] = {}
    if entry.type == MEDIA_CLIP:
        own = {"mediaType": entry.media_type, "plays": 0, "views": 0, "duration": 0}
    base = {
        "id": entry.id,
        "name": entry.name,
        "partnerId": entry.partner_id,
        "userId": entry.user_id,
        "creatorId": entry.user_id,
        "categories": names,
        "categoriesIds": None if shown is None else ",".join(str(cid) for cid in shown),
        "status": entry.status,
        "moderationStatus": 6,
        "moderationCount": 0,
        "type": entry.type,
        "createdAt": entry.created_at,
        "updatedAt": entry.updated_at,
        "licenseType": -1,
        "version": entry.version,
        "referenceId": entry.reference_id or None,
        "rootEntryId": entry.id,
        "displayInSearch": 1,
    }
    object_type = _ENTRY_CLASSES.get(entry.type, "KalturaBaseEntry")
    return compact({**own, **base, **entry.extra, "objectType": object_type})


def token_object(token: Token) -> dict[str, Any]:
    """Return a ``KalturaUploadToken`` for a row (or a request's view of one)."""
    size = token.uploaded_file_size
    return compact(
        {
            "id": token.id,
            "partnerId": token.partner_id,
            "userId": token.user_id,
            "status": token.status,
            "fileName": token.file_name or None,
            "fileSize": token.file_size,
            "uploadedFileSize": None if size is None else str(size),
            "createdAt": token.created_at,
            "updatedAt": token.updated_at,
            "autoFinalize": False,
            "attachedObjectType": token.attached_type,
            "attachedObjectId": token.attached_id,
            "objectType": "KalturaUploadToken",
        }
    )


def category_object(category: Category, direct_entries: int) -> dict[str, Any]:
    """Return a ``KalturaCategory``."""
    c = category
    return compact(
        {
            "id": c.id,
            "parentId": c.parent_id,
            "depth": c.depth,
            "partnerId": c.partner_id,
            "name": c.name,
            "fullName": c.full_name,
            "fullIds": c.full_ids,
            "entriesCount": direct_entries,
            "directEntriesCount": direct_entries,
            "createdAt": c.created_at,
            "updatedAt": c.updated_at,
            "status": c.status,
            "privacyContext": c.privacy_context or None,
            "privacyContexts": c.privacy_contexts or None,
            **c.extra,
            "objectType": "KalturaCategory",
        }
    )


def category_entry_object(state: State, row: CategoryEntry) -> dict[str, Any]:
    """Return a ``KalturaCategoryEntry``."""
    category = state.categories.get(row.category_id)
    return compact(
        {
            "categoryId": row.category_id,
            "entryId": row.entry_id,
            "createdAt": row.created_at,
            "categoryFullIds": category.full_ids if category else None,
            "status": row.status,
            "creatorUserId": row.creator_user_id,
            "objectType": "KalturaCategoryEntry",
        }
    )
