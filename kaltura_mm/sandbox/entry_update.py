"""``baseEntry.update`` / ``media.update`` field rules, checked in the server's order
(``KalturaEntryService::updateEntry``, ``KalturaBaseEntry::validateForUpdate``,
``KalturaObject::validateForUpdate``):

1. ``type`` is ignored. A new ``userId`` from a non-admin KS without ``edituser``: INVALID_KS -4.
2. Admin-only for a non-admin KS: ``adminTags`` (unless ``editadmintags:*``), ``categories``
   naming a category that does not exist (an empty string names none), ``startDate``,
   ``endDate``, cleared ones included: PROPERTY_VALIDATION_ADMIN_PROPERTY.
3. ``entitledUsersEdit`` / ``entitledUsersPublish`` changed by a non-admin who is not the owner:
   INVALID_KS -4. ``accessControlId`` other than the partner's profile:
   ACCESS_CONTROL_ID_NOT_FOUND. A start at or after the end: INVALID_ENTRY_SCHEDULE_DATES.
4. ``categoriesIds`` naming an unknown category (``""`` names the id ``""``):
   CATEGORY_NOT_FOUND. ``referenceId`` shorter than 2 (so ``""``; clear it with
   ``referenceId__null``): PROPERTY_VALIDATION_MIN_LENGTH.
   ``conversionProfileId`` on an entry that has content, even unchanged:
   PROPERTY_VALIDATION_ENTRY_STATUS. ``displayInSearch`` other than 1, -1, -2 or its value:
   ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED.
5. Read-only and insert-only properties changed, base class first:
   PROPERTY_VALIDATION_NOT_UPDATABLE. Times and ``creatorId`` never count as unchanged (the
   server compares with a date string / has no getter for it); clearing one counts as a change.
6. ``categories`` (full names) or ``categoriesIds`` replace the entry's links: new ones linked
   (a missing full name is created with its ancestors), the rest removed; more than 32:
   MAX_CATEGORIES_FOR_ENTRY_REACHED. ``categories`` wins when both are sent. Links to
   categories with a privacy context are never removed this way, and ``categoriesIds`` never
   adds them; a full name in ``categories`` does (``categoryEntryPeer::syncEntriesCategories``,
   ``privacy`` rule 5).
7. ``prop__null`` clears a writable property; ``updatedAt`` moves only when something changed.
8. New ``tags`` are rewritten (``ktagword::tagsListFromParagraph``): each trimmed and
   lower-cased (ASCII), those under 2 bytes dropped, cut to 100 bytes, duplicates dropped,
   joined with ``", "``. New ``adminTags`` likewise (``ktagword::fixAdminTags``) but only empty
   ones dropped, joined with ``","``. A value equal to the stored one is kept as sent.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kaltura_mm.sandbox import dropped_fields, entry_view, privacy
from kaltura_mm.sandbox.actions import ActionCall
from kaltura_mm.sandbox.category_tree import clean_name
from kaltura_mm.sandbox.errors import KalturaApiException, invalid_ks
from kaltura_mm.sandbox.schema import KInput, check_insert, check_update
from kaltura_mm.sandbox.services import category, category_entry

NO_CONTENT = 7
EntryRow = sqlite3.Row | dict[str, Any]
MAX_CATEGORIES = category_entry.MAX_CATEGORIES_PER_ENTRY
_ADMIN_ONLY = ("adminTags", "categories", "startDate", "endDate")


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_MAX_TAG_BYTES = 100


def normal_tags(text: str) -> str:
    """Rewrite ``tags`` as the server stores them (rule 8)."""
    kept: list[str] = []
    for raw in text.split(","):
        tag = raw.strip().translate(_ASCII_LOWER)
        if len(tag.encode()) < 2:
            continue
        tag = tag.encode()[:_MAX_TAG_BYTES].decode(errors="ignore")
        if tag not in kept:
            kept.append(tag)
    return ", ".join(kept)


def normal_admin_tags(text: str) -> str:
    """Rewrite ``adminTags`` as the server stores them (rule 8)."""
    kept = dict.fromkeys(t.strip().translate(_ASCII_LOWER) for t in text.split(","))
    return ",".join(tag for tag in kept if tag)


def normalise(columns: dict[str, Any], current: sqlite3.Row | None) -> None:
    """Apply rule 8 to the ``tags`` / ``admin_tags`` columns about to be written."""
    for column, rewrite in (("tags", normal_tags), ("admin_tags", normal_admin_tags)):
        value = columns.get(column)
        if value is not None and (current is None or value != current[column]):
            columns[column] = rewrite(value)


def sent(obj: KInput, name: str) -> bool:
    """Return True when ``name`` was sent, as a value or cleared (not null on the server)."""
    return name in obj.values or name in obj.nulls


def split_columns(obj: KInput) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split sent (and cleared) properties into table columns and the ``extra`` JSON."""
    columns: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    pairs = [*obj.values.items(), *((name, None) for name in obj.nulls)]
    for name, value in pairs:
        if name in entry_view.COLUMNS:
            columns[entry_view.COLUMNS[name]] = value
        elif name in ("mediaType", "documentType"):
            columns["media_type"] = value
        elif name in entry_view.EXTRA_DEFAULTS:
            extra[name] = value
    if "name" in columns and columns["name"] is None:
        columns["name"] = ""
    for date in ("start_date", "end_date"):
        if columns.get(date) == -1:
            columns[date] = None  # -1 is kept as "no date"
    return columns, extra


def validate(call: ActionCall, row: sqlite3.Row, obj: KInput, current: dict[str, Any]) -> None:
    """Apply rules 1 to 5 (raises the first error the server would)."""
    obj.values.pop("type", None)
    _check_user(call, row, obj)
    _check_admin_only(call, obj)
    _check_entitled(call, row, obj, current)
    _check_profiles_and_dates(row, obj, current)
    _check_values(call, row, obj, current)
    check_update(obj, current, always=frozenset({"creatorId"}))
    dropped_fields.drop(call.permissions, obj, dropped_fields.UPDATE, current)


def validate_insert(call: ActionCall, obj: KInput) -> None:
    """Apply the same rules to a new entry (``KalturaBaseEntry::validateForInsert``, then the
    admin-only insert properties and the schedule), read-only properties included."""
    if not call.is_admin and str(obj.get("userId", call.user_id)).lower() != call.user_id.lower():
        raise invalid_ks("", "-4", "INVALID_TYPE")
    new = {"partner_id": call.partner_id, "status": NO_CONTENT, "user_id": call.user_id}
    _check_values(call, new, obj, {"displayInSearch": None})
    check_insert(obj)
    # dropped before the admin-only checks: the server drops them in toInsertableObject
    dropped_fields.drop(call.permissions, obj, dropped_fields.INSERT)
    _check_admin_only(call, obj)
    _check_profiles_and_dates(new, obj, {"startDate": None, "endDate": None})


def _check_user(call: ActionCall, row: sqlite3.Row, obj: KInput) -> None:
    user = obj.get("userId")
    session = call.session
    if user is None or call.is_admin or (session and session.has_privilege("edituser", user)):
        return
    if str(user).lower() != (row["user_id"] or "").lower():
        raise invalid_ks("", "-4", "INVALID_TYPE")


def _check_admin_only(call: ActionCall, obj: KInput) -> None:
    if call.is_admin:
        return
    session = call.session
    for name in _ADMIN_ONLY:
        if not sent(obj, name):
            continue
        if name == "adminTags" and session and session.has_privilege("editadmintags", "*"):
            continue
        if name == "categories" and _all_exist(call, obj.get("categories")):
            continue
        raise KalturaApiException("PROPERTY_VALIDATION_ADMIN_PROPERTY", name)


def _all_exist(call: ActionCall, names: str | None) -> bool:
    if names is None:
        return False
    return all(_find(call, name) is not None for name in str(names).split(","))


def _find(call: ActionCall, full_name: str) -> sqlite3.Row | None:
    """Return the live category with this full name (segments parsed, ASCII case ignored)."""
    parsed = ">".join(clean_name(part) for part in full_name.split(">"))
    if not parsed.strip():
        return None
    found: sqlite3.Row | None = call.core.store.one(
        "SELECT * FROM categories WHERE partner_id = ? AND status = 2"
        " AND lower(full_name) = lower(?)",
        (call.partner_id, parsed),
    )
    return found


def _check_entitled(
    call: ActionCall, row: sqlite3.Row, obj: KInput, current: dict[str, Any]
) -> None:
    if call.is_admin or (row["user_id"] or "").lower() == call.user_id.lower():
        return
    for name in ("entitledUsersEdit", "entitledUsersPublish"):
        value = obj.get(name)
        if value is not None and str(value).lower() != str(current.get(name) or "").lower():
            raise invalid_ks("", "-4", "INVALID_TYPE")


def _check_profiles_and_dates(row: EntryRow, obj: KInput, current: dict[str, Any]) -> None:
    access = obj.get("accessControlId")
    if access is not None and access != entry_view.default_access_control_id(row["partner_id"]):
        raise KalturaApiException("ACCESS_CONTROL_ID_NOT_FOUND", access)
    if not (sent(obj, "startDate") or sent(obj, "endDate")):
        return
    start = obj.get("startDate", -1 if "startDate" in obj.nulls else current["startDate"])
    end = obj.get("endDate", -1 if "endDate" in obj.nulls else current["endDate"])
    start = None if start is None or start < 0 else start
    end = None if end is None or end < 0 else end
    if start and end and start >= end:
        raise KalturaApiException("INVALID_ENTRY_SCHEDULE_DATES")


def _check_values(call: ActionCall, row: EntryRow, obj: KInput, current: dict[str, Any]) -> None:
    ids = obj.get("categoriesIds")  # "" names the id "" (clear the links with __null)
    for raw in str(ids).split(",") if ids is not None else ():
        if _category_by_id(call, raw) is None:
            raise KalturaApiException("CATEGORY_NOT_FOUND", raw)
    reference = obj.get("referenceId")
    if reference is not None and len(reference) < 2:
        raise KalturaApiException("PROPERTY_VALIDATION_MIN_LENGTH", f"{obj.type}::referenceId", 2)
    profile = obj.get("conversionProfileId")
    if profile is not None and row["status"] != NO_CONTENT:
        prop = f"{obj.type}::conversionProfileId"
        raise KalturaApiException("PROPERTY_VALIDATION_ENTRY_STATUS", prop, row["status"])
    if profile not in (None, -1, entry_view.default_conversion_profile_id(row["partner_id"])):
        raise KalturaApiException("CONVERSION_PROFILE_ID_NOT_FOUND", profile)
    shown = obj.get("displayInSearch")
    if shown is not None and shown not in (1, -1, -2) and shown != current["displayInSearch"]:
        raise KalturaApiException("ENTRY_DISPLAY_IN_SEARCH_VALUE_NOT_ALLOWED", shown)


def _category_by_id(call: ActionCall, raw: str) -> sqlite3.Row | None:
    text = raw.strip()
    if not text.lstrip("-").isdigit():
        return None
    found: sqlite3.Row | None = call.core.store.one(
        "SELECT * FROM categories WHERE id = ? AND partner_id = ? AND status = 2",
        (int(text), call.partner_id),
    )
    return found


def wanted_categories(call: ActionCall, obj: KInput) -> list[str] | None:
    """Return the full names the entry's links must become (rule 6), or None to leave them."""
    if privacy.ks_context(call) is not None and (obj.get("categories") or obj.get("categoriesIds")):
        raise KalturaApiException("ENTRY_CATEGORY_FIELD_IS_DEPRECATED")
    if privacy.category_limit_disabled(call):
        return None  # ``entry::setCategories`` ignores both fields
    if "categories" in obj.values:
        names = _trimmed(str(obj.get("categories")).split(","))
    elif "categoriesIds" in obj.values:
        found = [_category_by_id(call, raw) for raw in str(obj.get("categoriesIds")).split(",")]
        names = [
            row["full_name"]
            for row in found
            if row is not None and not privacy.contexts_of(row["extra"])
        ]
    elif "categories" in obj.nulls or "categoriesIds" in obj.nulls:
        names = []
    else:
        return None
    if len(names) > MAX_CATEGORIES:
        raise KalturaApiException("MAX_CATEGORIES_FOR_ENTRY_REACHED", MAX_CATEGORIES)
    return list(dict.fromkeys(names))


def _trimmed(names: list[str]) -> list[str]:
    """``entry::trimCategories``: trim each name, drop empty segments and empty names."""
    result = []
    for name in names:
        joined = ">".join(part for part in name.strip().split(">") if part)
        if joined:
            result.append(joined)
    return result


def relink(conn: sqlite3.Connection, call: ActionCall, entry_id: str, names: list[str]) -> bool:
    """Make the entry's links exactly ``names`` (rule 6); return True when any changed."""
    rows = conn.execute(
        "SELECT ce.id, c.full_name, c.extra FROM category_entries ce JOIN categories c"
        " ON c.id = ce.category_id WHERE ce.entry_id = ? AND ce.status != 3 AND c.status = 2",
        (entry_id,),
    ).fetchall()
    # links to privacy-context categories are not the entry's to drop (rule 6)
    old = {
        row["full_name"].lower(): row["id"] for row in rows if not privacy.contexts_of(row["extra"])
    }
    held = {row["full_name"].lower() for row in rows}
    new = {name.lower(): name for name in names}
    gone = [link_id for key, link_id in old.items() if key not in new]
    for link_id in gone:
        conn.execute("UPDATE category_entries SET status = 3 WHERE id = ?", (link_id,))
    added = [name for key, name in new.items() if key not in held]
    linked = False
    for name in added:
        try:
            category_entry.link(conn, call, entry_id, _category_for(conn, call, name))
        except KalturaApiException as error:
            # a category the user may not contribute to is skipped, not refused
            # (``categoryEntryPeer::syncEntriesCategories``; ``contribution`` rule 1)
            if error.code != "CANNOT_ASSIGN_ENTRY_TO_CATEGORY":
                raise
            continue
        linked = True
    return bool(gone or linked)


def _category_for(conn: sqlite3.Connection, call: ActionCall, full_name: str) -> int:
    """Return the id of ``full_name``, creating it and missing ancestors as the server does."""
    parent: sqlite3.Row | None = None
    for part in full_name.split(">"):
        path = f"{parent['full_name']}>{clean_name(part)}" if parent else clean_name(part)
        found = conn.execute(
            "SELECT * FROM categories WHERE partner_id = ? AND status = 2"
            " AND lower(full_name) = lower(?)",
            (call.partner_id, path),
        ).fetchone()
        if found is None:
            new_id = category.insert(
                conn, call.partner_id, parent, clean_name(part), int(call.now()), {}
            )
            found = conn.execute("SELECT * FROM categories WHERE id = ?", (new_id,)).fetchone()
        parent = found
    assert parent is not None
    return int(parent["id"])


def apply(call: ActionCall, row: sqlite3.Row, obj: KInput) -> None:
    """Write a validated update (rules 6 and 7)."""
    columns, extra_changes = split_columns(obj)
    columns.pop("media_type", None)
    normalise(columns, row)
    old_extra = json.loads(row["extra"])
    extra = {**old_extra, **extra_changes}
    names = wanted_categories(call, obj)
    with call.core.store.tx() as conn:
        relinked = names is not None and relink(conn, call, row["id"], names)
        changed = [k for k, v in columns.items() if row[k] != v]
        if not (changed or extra != old_extra or relinked):
            return
        columns.update({"extra": json.dumps(extra), "updated_at": int(call.now())})
        sets = ", ".join(f"{k} = ?" for k in columns)
        conn.execute(
            f"UPDATE entries SET {sets} WHERE id = ?",  # noqa: S608
            [*columns.values(), row["id"]],
        )
