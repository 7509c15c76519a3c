"""Fields a role may not write are dropped silently (``KalturaObject::validateForInsert`` /
``validateForUpdate``).

A property marked ``@requiresPermission`` whose permissions the session's role lacks is set to
null, the call goes on, and the only trace is a response header named
``<declaring class>-<property>-error`` whose value is the message of
``PROPERTY_VALIDATION_NO_INSERT_PERMISSION`` / ``..._NO_UPDATE_PERMISSION`` naming
``<sent class>::<property>`` (``KalturaBaseEntry-referenceId-error: Current user does not have
permission to insert property "KalturaMediaEntry::referenceId"``).

On update a value equal to the stored one is skipped before the check (no drop, no header); a
time never counts as equal (the server compares with a date string) and a cleared property
(``prop__null``) never does either. The server checks these while it checks read-only ones,
property by property; here the drops run after that check, so a read-only error stops the call
before any drop header is added (the server may have added the headers of earlier properties).
"""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox import permissions, response_headers
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.schema import TYPES, KInput, all_props

INSERT, UPDATE = "insert", "update"
_ERROR = {
    INSERT: "PROPERTY_VALIDATION_NO_INSERT_PERMISSION",
    UPDATE: "PROPERTY_VALIDATION_NO_UPDATE_PERMISSION",
}


def drop(
    held: frozenset[str],
    obj: KInput,
    operation: str,
    current: dict[str, Any] | None = None,
) -> list[str]:
    """Remove from ``obj`` the properties ``held`` may not write; return their names.

    ``current`` is the stored object as the API shows it (update only).
    """
    dropped: list[str] = []
    for name, (kind, _) in all_props(obj.type).items():
        if name not in obj.values and name not in obj.nulls:
            continue
        cls = _declaring(obj.type, name)
        if (cls, name, operation) not in permissions.FIELDS:
            continue
        if operation == UPDATE and _unchanged(obj, name, kind, current or {}):
            continue
        if permissions.field_permitted(held, cls, name, operation):
            continue
        obj.values.pop(name, None)
        obj.nulls.discard(name)
        dropped.append(name)
        message = KalturaApiException(_ERROR[operation], f"{obj.type}::{name}").message
        response_headers.add(f"{cls}-{name}-error", message)
    return dropped


def _declaring(cls: str, name: str) -> str:
    """Return the class of ``cls``'s chain that declares property ``name``."""
    current: str | None = cls
    while current is not None and name not in TYPES[current].props:
        current = TYPES[current].parent
    return current or cls


def _unchanged(obj: KInput, name: str, kind: str, current: dict[str, Any]) -> bool:
    if name not in obj.values or kind == "time":
        return False
    sent, stored = obj.values[name], current.get(name)
    return type(sent) is type(stored) and sent == stored
