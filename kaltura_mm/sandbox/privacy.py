"""Category privacy contexts and what they hide from an entry's ``categories``/``categoriesIds``.

Rules (the real server's code):
1. A category's ``privacyContexts`` is its parent's contexts plus its own ``privacyContext``,
   trimmed, empty ones dropped, duplicates removed (``category::buildPrivacyContexts``); a new
   category without its own context takes its parent's (``category::preSave``). So every
   descendant of a MediaSpace/KMS root with ``privacyContext=MediaSpace`` has
   ``privacyContexts="MediaSpace"``.
2. When a category's contexts change later (``category.update`` with ``privacyContext``, or a
   move), its descendants follow in a batch job (``addSyncCategoryPrivacyContextJob``), run by
   ``category_jobs`` after ``category_job_delay`` seconds, as renames are.
3. An entry's ``categories``/``categoriesIds`` list only its categories **without** a privacy
   context (``categoryEntry::setEntryOnCategory``: "only categories with no context are saved on
   entry"); membership is exact only in ``categoryEntry.list``. Lists still find entries in
   privacy-context categories by ``categoriesIdsMatchOr``/``categoryAncestorIdIn``: the search
   index holds every link.
4. Both fields are null for a partner with ``FEATURE_DISABLE_CATEGORY_LIMIT``
   (``entry::getCategories``/``getCategoriesIds``) and for a KS with a ``privacycontext:``
   privilege (``KalturaBaseEntry::doFromObject``: the KS context is not the default one).
5. ``baseEntry.update``/``add`` with ``categories``/``categoriesIds`` neither adds nor removes links
   to privacy-context categories (``categoryEntryPeer::syncEntriesCategories`` skips them on both
   sides); with a ``privacycontext:`` KS, sending either field is
   ``ENTRY_CATEGORY_FIELD_IS_DEPRECATED`` (``KalturaBaseEntry::toObject``); with
   ``FEATURE_DISABLE_CATEGORY_LIMIT`` both are ignored (``entry::setCategories``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from kaltura_mm.sandbox import entry_view
from kaltura_mm.sandbox.actions import ActionCall
from kaltura_mm.sandbox.errors import KalturaApiException

DISABLE_CATEGORY_LIMIT = "FEATURE_DISABLE_CATEGORY_LIMIT"


def build(parent_contexts: str, own: str | None) -> str:
    """Return a category's ``privacyContexts`` from its parent's and its own (rule 1)."""
    parts = [p.strip() for p in [*parent_contexts.split(","), *(own or "").split(",")]]
    return ",".join(dict.fromkeys(p for p in parts if p))


def contexts_of(extra: str | dict[str, Any]) -> str:
    """Return the ``privacyContexts`` kept in a category's ``extra`` ("" for none)."""
    data = json.loads(extra) if isinstance(extra, str) else extra
    return str(data.get("privacyContexts") or "")


def parent_contexts(conn: sqlite3.Connection, parent_id: int) -> str:
    """Return the contexts of category ``parent_id`` ("" for the root or a missing parent)."""
    if not parent_id:
        return ""
    row = conn.execute("SELECT extra FROM categories WHERE id = ?", (parent_id,)).fetchone()
    return contexts_of(row["extra"]) if row is not None else ""


def ks_context(call: ActionCall) -> str | None:
    """Return the KS's ``privacycontext:`` value, or None for the default context."""
    if call.session is None:
        return None
    value = call.session.privileges.get("privacycontext")
    return value or None


def hides_categories(call: ActionCall) -> bool:
    """Return True when entries must show null ``categories``/``categoriesIds`` (rule 4)."""
    return ks_context(call) is not None or category_limit_disabled(call)


def category_limit_disabled(call: ActionCall) -> bool:
    """Return True when the caller's partner has ``FEATURE_DISABLE_CATEGORY_LIMIT``."""
    return call.core.feature_enabled(call.partner_id, DISABLE_CATEGORY_LIMIT)


def entry_views(
    call: ActionCall, rows: Sequence[sqlite3.Row], base_only: bool = False
) -> list[dict[str, Any]]:
    """Return the API objects for entry rows as this caller sees them (rules 3 and 4)."""
    return entry_view.views(
        call.core.store,
        rows,
        call.core.service_url,
        base_only,
        hide_categories=hides_categories(call),
    )


# Category properties that belong to entitlement, with the values a category without a privacy
# context always has (``category::setDefaultUnEntitlmenetCategory``), and the error for setting
# another value there (``KalturaCategory::validateCategory``).
CATEGORY_DEFAULTS: dict[str, Any] = {
    "appearInList": 1,  # PARTNER_ONLY
    "privacy": 1,  # ALL
    "inheritanceType": 2,  # MANUAL
    "userJoinPolicy": 3,  # NOT_ALLOWED
    "defaultPermissionLevel": 3,  # MEMBER
    "owner": None,
    "contributionPolicy": 1,  # ALL
    "moderation": 0,
}
_NEEDS_CONTEXT = {
    "appearInList": "CANNOT_SET_APPEAR_IN_LIST_FIELD_WITH_NO_PRIVACY_CONTEXT",
    "inheritanceType": "CANNOT_SET_INHERITANCE_TYPE_FIELD_WITH_NO_PRIVACY_CONTEXT",
    "privacy": "CANNOT_SET_PRIVACY_FIELD_WITH_NO_PRIVACY_CONTEXT",
    "owner": "CANNOT_SET_OWNER_FIELD_WITH_NO_PRIVACY_CONTEXT",
    "userJoinPolicy": "CANNOT_SET_USER_JOIN_POLICY_FIELD_WITH_NO_PRIVACY_CONTEXT",
    "contributionPolicy": "CANNOT_SET_CONTIRUBUTION_POLICY_FIELD_WITH_NO_PRIVACY_CONTEXT",
    "defaultPermissionLevel": "CANNOT_SET_DEFAULT_PERMISSION_LEVEL_FIELD_WITH_NO_PRIVACY_CONTEXT",
}


def check_category_fields(sent: dict[str, Any], will_have_context: bool) -> None:
    """Refuse entitlement properties with non-default values on a category that has no privacy
    context of its own or inherited (``KalturaCategory::validateCategory``)."""
    if will_have_context:
        return
    for name, code in _NEEDS_CONTEXT.items():
        if name in sent and sent[name] is not None and sent[name] != CATEGORY_DEFAULTS[name]:
            raise KalturaApiException(code)


# A category with a context starts from the table's defaults (``Basecategory::applyDefaultValues``),
# which differ in one place: contribution by members only.
CONTEXT_DEFAULTS = {**CATEGORY_DEFAULTS, "contributionPolicy": 2}


def category_fields(extra: dict[str, Any]) -> dict[str, Any]:
    """Return a category's entitlement properties: the kept ones over the defaults; a category
    without a privacy context always shows the defaults (``setDefaultUnEntitlmenetCategory``)."""
    if not contexts_of(extra):
        # moderation is not one of the entitlement fields the server resets
        return {**CATEGORY_DEFAULTS, "moderation": extra.get("moderation") or 0}
    return {k: extra.get(k, v) for k, v in CONTEXT_DEFAULTS.items()}
