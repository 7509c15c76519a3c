"""Who may link an entry to a category and unlink it under entitlement, and whether a new link
waits for moderation.

Rules (the real server's code):
1. ``categoryEntry.add`` under enforcement, to a category whose ``contributionPolicy`` is not ALL:
   the user must be a permitted member (any level but NONE) and not a MEMBER; a MODERATOR (no
   contribute permission) only for an entry it created or may edit: else
   ``CANNOT_ASSIGN_ENTRY_TO_CATEGORY``
   (``categoryEntry::validateKuserEntitledToAssignEntryToCategory``).
   ``categoryEntry.delete`` under enforcement: the entry's creator, an ``entitledUsersEdit`` or
   ``entitledUsersPublish`` user, or a MANAGER of the category; else
   ``CANNOT_REMOVE_ENTRY_FROM_CATEGORY`` (``validateKuserEntitledToRemoveEntryToCategory``).
   Before both, an entry not entitled is ``INVALID_ENTRY_ID`` and a hidden category
   ``CATEGORY_NOT_FOUND`` (``categoryEntry::retrieveEntry``/``retrieveCategory``).
2. A link to a category with ``moderation`` is PENDING when, under enforcement, the user is not
   its MANAGER or MODERATOR, and always with ``enablecategorymoderation`` on the KS or the
   partner's ``FEATURE_BLOCK_CATEGORY_MODERATION_SELF_APPROVE``
   (``categoryEntry::handleModeration``, ``kEntitlementUtils::initCategoryModeration``).
"""

from __future__ import annotations

import json
import sqlite3

from kaltura_mm.sandbox import category_users, privacy
from kaltura_mm.sandbox.actions import ActionCall
from kaltura_mm.sandbox.entitlement import enforced, listed
from kaltura_mm.sandbox.errors import KalturaApiException

SELF_APPROVE_BLOCKED = "FEATURE_BLOCK_CATEGORY_MODERATION_SELF_APPROVE"
ALL = 1  # ContributionPolicyType::ALL


def _creator(entry: sqlite3.Row, user_id: str) -> bool:
    return bool(user_id) and (entry["creator_id"] or "").lower() == user_id.lower()


def _permitted_level(conn: sqlite3.Connection, category_id: int, user_id: str) -> int | None:
    """Return the member's level when it grants at least CATEGORY_VIEW (NONE does not)."""
    level = category_users.level_of(conn, category_id, user_id)
    return None if level is None or level == category_users.NONE else level


def check_assign(
    conn: sqlite3.Connection, call: ActionCall, entry: sqlite3.Row, category: sqlite3.Row
) -> None:
    """Raise ``CANNOT_ASSIGN_ENTRY_TO_CATEGORY`` when rule 1 refuses the link."""
    if not enforced(call):
        return
    extra = json.loads(category["extra"])
    if privacy.category_fields(extra)["contributionPolicy"] == ALL:
        return
    user = call.user_id
    level = _permitted_level(conn, category["id"], user)
    if level is None or level == category_users.MEMBER:
        raise KalturaApiException("CANNOT_ASSIGN_ENTRY_TO_CATEGORY")
    if level in (category_users.MANAGER, category_users.CONTRIBUTOR):
        return
    entry_extra = json.loads(entry["extra"])
    if not (listed(entry_extra, "entitledUsersEdit", user) or _creator(entry, user)):
        raise KalturaApiException("CANNOT_ASSIGN_ENTRY_TO_CATEGORY")


def check_remove(
    conn: sqlite3.Connection, call: ActionCall, entry: sqlite3.Row, category_id: int
) -> None:
    """Raise ``CANNOT_REMOVE_ENTRY_FROM_CATEGORY`` when rule 1 refuses the unlink."""
    if not enforced(call):
        return
    user = call.user_id
    entry_extra = json.loads(entry["extra"])
    if listed(entry_extra, "entitledUsersEdit", user) or _creator(entry, user):
        return
    if _permitted_level(conn, category_id, user) == category_users.MANAGER:
        return
    if listed(entry_extra, "entitledUsersPublish", user):
        return
    raise KalturaApiException("CANNOT_REMOVE_ENTRY_FROM_CATEGORY")


def link_status(conn: sqlite3.Connection, call: ActionCall, category: sqlite3.Row) -> int:
    """Return the status of a new link (rule 2): PENDING (1) in a moderated category for a user
    who is not its MANAGER or MODERATOR under enforcement, or always with
    ``enablecategorymoderation`` on the KS or ``FEATURE_BLOCK_CATEGORY_MODERATION_SELF_APPROVE``;
    else ACTIVE (2)."""
    if not json.loads(category["extra"]).get("moderation"):
        return 2
    if enforced(call):
        level = _permitted_level(conn, category["id"], call.user_id)
        if level not in (category_users.MANAGER, category_users.MODERATOR):
            return 1
    session = call.session
    forced = session is not None and "enablecategorymoderation" in session.privileges
    if forced or call.core.feature_enabled(call.partner_id, SELF_APPROVE_BLOCKED):
        return 1
    return 2
