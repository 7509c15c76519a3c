"""Entitlement: which entries and categories a session may see on a partner that enforces it.

Rules (the real server's code):
1. Enforcement (``kEntitlementUtils::initEntitlementEnforcement``): only for a partner with
   ``FEATURE_ENTITLEMENT``; then on by default (``Partner::getDefaultEntitlementEnforcement``
   is true when unset; ``DEFAULT_ENFORCEMENT`` switches it), off with a ``disableentitlement``
   privilege, on with ``enableentitlement``. The session type does not matter: an ADMIN KS is
   entitled too (KMC signs its KS with ``disableentitlement``).
2. An entry is entitled (``kEntitlementUtils::isEntryEntitled``/``validateEntryEntitlements``)
   when the KS names it in ``disableentitlementforentry:``, when the KS user owns it, is in its
   ``entitledUsersEdit``/``Publish``/``View``, when it has no ACTIVE category link, or when one
   of its ACTIVE/PENDING categories (``isMemberOfCategory``) is in the KS privacy context
   (``privacycontext:``; none: the default context, which only categories without a context
   have) and is public (privacy ALL, or AUTHENTICATED_USERS for a KS with a user) or has the
   user as a member (``category_users``). So a KS without ``privacycontext:`` sees an entry that
   is only in MediaSpace categories only if it owns it or is entitled on the entry.
3. ``baseEntry.get``, ``getByIds``, ``update``, ``delete``... read entries through
   ``entryPeer::filterSelectResults``: an entry not entitled is ``ENTRY_ID_NOT_FOUND`` (skipped
   by ``getByIds``).
4. ``baseEntry.list``/``count`` first match the index with the entitlement criteria
   (``entryPeer::setDefaultCriteriaFilter``): owner, entitled users, a category of the KS context
   that is public, any category the user is a member of (in any context), or, for a KS without a
   context, an entry with no category. ``count`` stops there. ``list`` then drops the page's
   entries rule 2 refuses and lowers ``totalCount`` by as many (``filterSelectResults``): a page
   can be short. A USER KS without ``list:*`` still lists only its own entries
   (``KalturaEntryService::initService``).
5. Categories (``categoryPeer::setDefaultCriteriaFilter``): a category is visible when its
   contexts include the KS context (none: only categories without a context) and it appears in
   lists (``appearInList`` PARTNER_ONLY) or the user is a member. Others are
   ``CATEGORY_NOT_FOUND`` and missing from ``category.list``.
6. Who may link and unlink, and moderation: ``contribution``.
7. ``categoryEntry.list`` under enforcement (``KalturaCategoryEntryFilter::getListResponse``)
   needs an entry or category filter even for an ADMIN KS; an ``entryIdEqual`` the caller may
   not see (or an ``entryIdIn`` of none it may) is ``ENTRY_ID_NOT_FOUND``, a ``categoryIdEqual``
   or any ``categoryIdIn`` it may not see ``CATEGORY_NOT_FOUND``; the links of an
   ``entryIdEqual`` are narrowed to the categories it may see, ``totalCount`` too. So a KS
   without ``privacycontext:`` does not see an entry's links to MediaSpace categories.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kaltura_mm.sandbox import category_users, privacy
from kaltura_mm.sandbox.actions import ActionCall
from kaltura_mm.sandbox.errors import KalturaApiException

FEATURE = "FEATURE_ENTITLEMENT"
DEFAULT_ENFORCEMENT = "partner:defaultEntitlementEnforcement"  # a partner setting, on when unset
PUBLIC, AUTHENTICATED = 1, 2  # KalturaPrivacyType
_ENTITLED_USERS = ("entitledUsersEdit", "entitledUsersPublish", "entitledUsersView")


def enforced(call: ActionCall) -> bool:
    """Return True when entitlement applies to this call (rule 1)."""
    session = call.session
    if session is None or not call.core.feature_enabled(call.partner_id, FEATURE):
        return False
    on = call.core.feature_enabled(call.partner_id, DEFAULT_ENFORCEMENT)
    if "disableentitlement" in session.privileges:
        on = False
    if "enableentitlement" in session.privileges:
        on = True
    return on


def _contexts(call: ActionCall) -> set[str] | None:
    """Return the KS privacy contexts (None: the default context)."""
    value = privacy.ks_context(call)
    if value is None:
        return None
    return {c.strip() for c in value.split(",") if c.strip()} or None


def _in_context(extra: dict[str, Any], wanted: set[str] | None) -> bool:
    """Return True when a category is in the KS context (rules 2 and 5)."""
    own = {c for c in privacy.contexts_of(extra).split(",") if c}
    return not own if wanted is None else bool(own & wanted)


def _public(extra: dict[str, Any], user_id: str) -> bool:
    level = privacy.category_fields(extra)["privacy"]
    return bool(level == PUBLIC or (level == AUTHENTICATED and user_id))


def _entitled_user(extra: dict[str, Any], user_id: str) -> bool:
    return any(listed(extra, field, user_id) for field in _ENTITLED_USERS)


def entry_entitled(conn: sqlite3.Connection, call: ActionCall, row: sqlite3.Row) -> bool:
    """Return True when the caller may see entry ``row`` (rule 2; True when not enforced)."""
    session = call.session
    if session is None or not enforced(call):
        return True
    if session.has_privilege("disableentitlementforentry", row["id"]):
        return True
    user = session.user_id
    if user and (row["user_id"] or "").lower() == user.lower():
        return True
    if _entitled_user(json.loads(row["extra"]), user):
        return True
    links = conn.execute(
        "SELECT ce.status, c.id, c.extra FROM category_entries ce JOIN categories c"
        " ON c.id = ce.category_id WHERE ce.entry_id = ? AND ce.status IN (1, 2) AND c.status = 2",
        (row["id"],),
    ).fetchall()
    active = conn.execute(
        "SELECT 1 FROM category_entries WHERE entry_id = ? AND status = 2", (row["id"],)
    ).fetchone()
    if active is None:
        return True
    wanted = _contexts(call)
    for link in links:
        extra = json.loads(link["extra"])
        if not _in_context(extra, wanted):
            continue
        if _public(extra, user) or category_users.level_of(conn, link["id"], user) is not None:
            return True
    return False


def criteria(call: ActionCall) -> tuple[str, list[Any]] | None:
    """Return the SQL (over ``entry_index e``) of the list/count entitlement criteria (rule 4),
    or None when entitlement is not enforced."""
    session = call.session
    if session is None or not enforced(call):
        return None
    user = session.user_id
    wanted = _contexts(call)
    store = call.core.store
    rows = store.all(
        "SELECT id, parent_id, extra FROM categories WHERE partner_id = ? AND status = 2",
        (call.partner_id,),
    )
    members = _member_categories(call, rows, user)
    open_ids = [
        r["id"]
        for r in rows
        if r["id"] in members
        or (_in_context(json.loads(r["extra"]), wanted) and _public(json.loads(r["extra"]), user))
    ]
    clauses = [
        "EXISTS (SELECT 1 FROM json_each('[' || trim(e.categories, ',') || ']') j"
        " WHERE j.value IN (SELECT value FROM json_each(?)))"
    ]
    params: list[Any] = [json.dumps(open_ids)]
    if wanted is None:
        clauses.append("e.categories = ''")
    if user:
        clauses.append("lower(e.user_id) = lower(?)")
        params.append(user)
        lists = " OR ".join(
            f"instr(',' || lower(replace(coalesce(json_extract(s.extra, '$.{f}'), ''), ' ', ''))"
            " || ',', ',' || lower(?) || ',') > 0"
            for f in _ENTITLED_USERS
        )
        # ``lists`` is built from the constant field names above, the user is a parameter
        clauses.append(f"EXISTS (SELECT 1 FROM entries s WHERE s.id = e.id AND ({lists}))")  # noqa: S608
        params.extend([user] * len(_ENTITLED_USERS))
    for entry_id in _disabled_for(call):
        clauses.append("e.id = ?")
        params.append(entry_id)
    return "(" + " OR ".join(clauses) + ")", params


def _disabled_for(call: ActionCall) -> list[str]:
    session = call.session
    value = session.privileges.get("disableentitlementforentry", "") if session else ""
    return [v for v in value.split("/") if v]


def _member_categories(call: ActionCall, rows: list[sqlite3.Row], user: str) -> set[int]:
    """Return the categories whose members include ``user`` (own members, or inherited from the
    nearest ancestor that manages its own, ``category_users``)."""
    if not user:
        return set()
    direct = {
        int(r[0])
        for r in call.core.store.all(
            "SELECT category_id FROM category_users WHERE partner_id = ? AND lower(user_id) ="
            " lower(?) AND status = ?",
            (call.partner_id, user, category_users.ACTIVE),
        )
    }
    by_id = {int(r["id"]): r for r in rows}
    result = set()
    for category_id in by_id:
        current = category_id
        for _ in range(64):
            row = by_id.get(current)
            if row is None:
                break
            inherits = json.loads(row["extra"]).get("inheritanceType") == category_users.INHERIT
            if not inherits or not row["parent_id"]:
                break
            current = int(row["parent_id"])
        if current in direct:
            result.add(category_id)
    return result


def category_visible(conn: sqlite3.Connection, call: ActionCall, row: sqlite3.Row) -> bool:
    """Return True when the caller may see category ``row`` (rule 5; True when not enforced)."""
    if not enforced(call):
        return True
    extra = json.loads(row["extra"])
    if not _in_context(extra, _contexts(call)):
        return False
    if privacy.category_fields(extra)["appearInList"] == 1:
        return True
    return category_users.level_of(conn, row["id"], call.user_id) is not None


def visible_categories(call: ActionCall) -> list[int] | None:
    """Return the ids of the categories the caller may see (rule 5), None when not enforced."""
    if not enforced(call):
        return None
    rows = call.core.store.all(
        "SELECT id, parent_id, extra FROM categories WHERE partner_id = ? AND status = 2",
        (call.partner_id,),
    )
    members = _member_categories(call, rows, call.user_id)
    wanted = _contexts(call)
    visible = []
    for row in rows:
        extra = json.loads(row["extra"])
        if not _in_context(extra, wanted):
            continue
        if privacy.category_fields(extra)["appearInList"] == 1 or row["id"] in members:
            visible.append(int(row["id"]))
    return visible


def listed(extra: dict[str, Any], field: str, user_id: str) -> bool:
    names = {u.strip().lower() for u in str(extra.get(field) or "").split(",")}
    return bool(user_id) and user_id.lower() in names


def check_link_filter(call: ActionCall, values: dict[str, Any]) -> list[int] | None:
    """Apply rule 7 to a ``categoryEntry.list`` filter: raise for an entry or category the caller
    may not see; return the visible categories when the links of ``entryIdEqual`` must be
    narrowed to them (None: no narrowing)."""
    if not enforced(call):
        return None
    with call.core.store.reading() as conn:
        for key in ("entryIdEqual", "entryIdIn"):
            wanted = [x.strip() for x in str(values.get(key) or "").split(",") if x.strip()]
            if not wanted:
                continue
            rows = conn.execute(
                f"SELECT * FROM entries WHERE partner_id = ? AND status != 3 AND id IN "  # noqa: S608
                f"({','.join('?' * len(wanted))})",
                [call.partner_id, *wanted],
            ).fetchall()
            if not any(entry_entitled(conn, call, r) for r in rows):
                raise KalturaApiException("ENTRY_ID_NOT_FOUND", values[key])
    visible = set(visible_categories(call) or [])
    for key in ("categoryIdEqual", "categoryIdIn"):
        raw = values.get(key)
        if raw in (None, ""):
            continue
        asked = [x.strip() for x in str(raw).split(",") if x.strip()]
        if not all(x.lstrip("-").isdigit() and int(x) in visible for x in asked):
            raise KalturaApiException("CATEGORY_NOT_FOUND", raw)
    return sorted(visible) if values.get("entryIdEqual") not in (None, "") else None
