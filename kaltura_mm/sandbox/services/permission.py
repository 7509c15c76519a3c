"""The ``permission`` service, its one action a client needs: ``getCurrentPermissions``.

``PermissionService::getCurrentPermissionsAction`` (``@ksOptional``, no partner required;
``service.permission.ini``: ``ALWAYS_ALLOWED_ACTIONS, BASE_USER_SESSION_PERMISSION``) answers a
string, the comma-joined names of ``kPermissionManager::getCurrentPermissions``: the permissions
of the session's role(s) plus the partner's always-allowed ones (``getPermissionsFromDb``).
A role whose ``permissionNames`` is ``*`` is expanded there (``UserRole::getPermissionNames``:
every permission valid for the partner), so the answer never says ``*``: the sandbox writes the
expanded list, the harsher reading for a client (it cannot tell the admin role from a role that
merely holds every permission, and it must parse a long list).
"""

from __future__ import annotations

from kaltura_mm.sandbox import permission_names, permissions
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec


def get_current_permissions(call: ActionCall) -> str:
    """Return the session's permission names, comma-separated (``*`` expanded)."""
    held = set(call.permissions)
    if permissions.ALL in held:
        held.discard(permissions.ALL)
        held |= permission_names.NORMAL_PERMISSIONS
    return ",".join(sorted(held))


ACTIONS = {
    "getcurrentpermissions": ActionSpec(get_current_permissions, needs_ks=False),
}
