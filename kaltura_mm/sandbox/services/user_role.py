"""The ``userRole`` service (``UserRoleService``): a partner's roles, for ``setrole:`` in a KS.

- ``add``: ``name`` required (``PROPERTY_VALIDATION_CANNOT_BE_NULL``, then ``..._MIN_LENGTH`` 1);
  a name a live role of the partner or a global role has: ``ROLE_NAME_ALREADY_EXISTS``; a
  permission name that is not a NORMAL permission: ``PERMISSION_NOT_FOUND`` ("Permission [X] was
  not found for partner [P]"); a ``systemName`` any live role has:
  ``SYSTEM_NAME_ALREADY_EXISTS``. ``status`` defaults to ACTIVE (1).
- ``get`` / ``list`` see the partner's roles and the global ones; ``update`` / ``delete`` only
  the partner's (``INVALID_OBJECT_ID`` otherwise, deleted roles included). ``delete`` answers the
  role with status DELETED (3).
- ``delete`` of a role a user holds (``Sandbox.set_user_roles``): ``ROLE_IS_BEING_USED``.
- The admin role's ``permissionNames`` is ``*``; it is shown expanded, as the server does.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from kaltura_mm.sandbox import permission_names, roles
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param, pager_of
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.listing import Query, csv, page_window
from kaltura_mm.sandbox.schema import KInput, check_insert, check_update

_CLASS = "KalturaUserRole"


def view(row: sqlite3.Row) -> dict[str, Any]:
    """Return a role as ``KalturaUserRole``."""
    names = row["permission_names"]
    if "*" in roles.names_of(names):
        names = ",".join(sorted(permission_names.NORMAL_PERMISSIONS))
    return {
        "id": row["id"],
        "name": row["name"],
        "systemName": row["system_name"],
        "description": row["description"],
        "status": row["status"],
        "partnerId": row["partner_id"],
        "permissionNames": names,
        "tags": row["tags"],
        "createdAt": row["created_at"],
        "updatedAt": row["updated_at"],
        "objectType": _CLASS,
    }


def _check_permissions(call: ActionCall, text: str | None) -> None:
    if text is None or text.strip() == "*":
        return
    for name in (n.strip() for n in text.split(",")):
        if name and name not in permission_names.NORMAL_PERMISSIONS:
            message = f"Permission [{name}] was not found for partner [{call.partner_id}]"
            raise KalturaApiException("PERMISSION_NOT_FOUND", message)


def _check_name_free(call: ActionCall, name: str) -> None:
    taken = call.core.store.one(
        "SELECT id FROM user_roles WHERE partner_id IN (?, 0) AND name = ? AND status != 3",
        (call.partner_id, name),
    )
    if taken is not None:
        raise KalturaApiException("ROLE_NAME_ALREADY_EXISTS")


def _check_system_name_free(call: ActionCall, system_name: str | None, role_id: int = 0) -> None:
    if not system_name:
        return
    taken = call.core.store.one(
        "SELECT id FROM user_roles WHERE system_name = ? AND id != ? AND status != 3",
        (system_name, role_id),
    )
    if taken is not None:
        raise KalturaApiException("SYSTEM_NAME_ALREADY_EXISTS", system_name)


def add(call: ActionCall) -> dict[str, Any]:
    """Create a role of the caller's partner."""
    obj: KInput = call.args["userRole"]
    name = obj.get("name")
    if name is None:
        raise KalturaApiException("PROPERTY_VALIDATION_CANNOT_BE_NULL", f"{_CLASS}::name")
    _check_name_free(call, name)
    _check_permissions(call, obj.get("permissionNames"))
    if len(name.encode()) < 1:
        raise KalturaApiException("PROPERTY_VALIDATION_MIN_LENGTH", f"{_CLASS}::name", 1)
    _check_system_name_free(call, obj.get("systemName"))
    check_insert(obj)
    role_id = roles.insert(call.core.store, call.partner_id, obj.values, int(call.now()))
    return view(_must(call, role_id))


def _must(call: ActionCall, role_id: int, own_only: bool = False) -> sqlite3.Row:
    partners = (call.partner_id,) if own_only else (call.partner_id, roles.GLOBAL_PARTNER)
    row: sqlite3.Row | None = call.core.store.one(
        f"SELECT * FROM user_roles WHERE id = ? AND status != 3 AND partner_id IN "  # noqa: S608
        f"({','.join('?' * len(partners))})",
        (role_id, *partners),
    )
    if row is None:
        raise KalturaApiException("INVALID_OBJECT_ID", role_id)
    return row


def get(call: ActionCall) -> dict[str, Any]:
    """Return one role (the partner's or a global one)."""
    return view(_must(call, call.args["userRoleId"]))


def update(call: ActionCall) -> dict[str, Any]:
    """Change a role of the partner (name, systemName, description, status, permissions, tags)."""
    row = _must(call, call.args["userRoleId"], own_only=True)
    obj: KInput = call.args["userRole"]
    name = obj.get("name")
    if name and name != row["name"]:
        _check_name_free(call, name)
    _check_permissions(call, obj.get("permissionNames"))
    if name is not None and len(name.encode()) < 1:
        raise KalturaApiException("PROPERTY_VALIDATION_MIN_LENGTH", f"{_CLASS}::name", 1)
    _check_system_name_free(call, obj.get("systemName"), row["id"])
    check_update(obj, view(row))
    columns = {
        "name": "name",
        "systemName": "system_name",
        "description": "description",
        "status": "status",
        "permissionNames": "permission_names",
        "tags": "tags",
    }
    changes = {columns[k]: v for k, v in obj.values.items() if k in columns}
    changes.update({columns[k]: None for k in obj.nulls if k in columns and k != "name"})
    if changes:
        changes["updated_at"] = int(call.now())
        sets = ", ".join(f"{column} = ?" for column in changes)
        call.core.store.execute(
            f"UPDATE user_roles SET {sets} WHERE id = ?",  # noqa: S608
            [*changes.values(), row["id"]],
        )
    return view(_must(call, row["id"]))


def delete(call: ActionCall) -> dict[str, Any]:
    """Mark a role of the partner DELETED and return it."""
    row = _must(call, call.args["userRoleId"], own_only=True)
    if roles.in_use(call.core.store, call.partner_id, row["id"]):
        raise KalturaApiException("ROLE_IS_BEING_USED")
    call.core.store.execute(
        "UPDATE user_roles SET status = 3, updated_at = ? WHERE id = ?",
        (int(call.now()), row["id"]),
    )
    fresh = call.core.store.one("SELECT * FROM user_roles WHERE id = ?", (row["id"],))
    assert fresh is not None
    return view(fresh)


def list_(call: ActionCall) -> dict[str, Any]:
    """List the partner's roles and the global ones, oldest first."""
    f: KInput | None = call.args["filter"]
    v = f.values if f else {}
    q = Query(["partner_id IN (?, 0)", "status != 3"], [call.partner_id])
    q.eq("id", v.get("idEqual"))
    q.in_("id", csv(v.get("idIn"), int))
    q.eq("name", v.get("nameEqual"))
    q.in_("name", csv(v.get("nameIn"), str))
    q.eq("system_name", v.get("systemNameEqual"))
    q.in_("system_name", csv(v.get("systemNameIn"), str))
    q.eq("status", v.get("statusEqual"))
    q.in_("status", csv(v.get("statusIn"), int))
    size, index = pager_of(call)
    offset, limit = page_window(size, index, None)
    store = call.core.store
    total = store.scalar(f"SELECT COUNT(*) FROM user_roles WHERE {q.sql()}", q.params)  # noqa: S608
    rows = store.all(
        f"SELECT * FROM user_roles WHERE {q.sql()} ORDER BY id LIMIT ? OFFSET ?",  # noqa: S608
        [*q.params, limit, offset],
    )
    return {
        "objects": [view(r) for r in rows],
        "totalCount": total,
        "objectType": "KalturaUserRoleListResponse",
    }


_ID = Param("userRoleId", "int", True)
_ROLE = Param("userRole", "object", True, type=_CLASS)
ACTIONS = {
    "add": ActionSpec(add, (_ROLE,)),
    "get": ActionSpec(get, (_ID,)),
    "update": ActionSpec(update, (_ID, _ROLE)),
    "delete": ActionSpec(delete, (_ID,)),
    "list": ActionSpec(
        list_,
        (
            Param("filter", "object", type="KalturaUserRoleFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
}
