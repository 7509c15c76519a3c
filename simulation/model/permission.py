"""``permission.getCurrentPermissions`` (``PermissionService::getCurrentPermissionsAction``): the
session role's permission names, comma-separated (``kPermissionManager::getCurrentPermissions``).

``@ksOptional`` and allowed to every role (``ALWAYS_ALLOWED_ACTIONS``,
``BASE_USER_SESSION_PERMISSION`` in ``service.permission.ini``). A USER session gets its role's
names plus ``ALWAYS_ALLOWED_ACTIONS``. Simplified: the model has no list of every permission a
partner holds, so an ADMIN session (the admin role, ``*``) is answered ``*`` (the real server
expands it to every name; the sandbox models that), and a call without a KS gets "" (the
no-session role's names are not modelled). The client takes both as "not known" and goes on.
"""

from __future__ import annotations

from simulation.model.actions import Action, Ctx

ALWAYS_ALLOWED = "ALWAYS_ALLOWED_ACTIONS"


def get_current_permissions(ctx: Ctx) -> str:
    """Return the caller's permission names, comma-separated."""
    if ctx.session is None:
        return ""
    if ctx.is_admin:
        return "*"
    partner = ctx.state.partners.get(ctx.partner_id)
    names = set(partner.permissions_of(ctx.user_id)) if partner is not None else set()
    return ",".join(sorted({*names, ALWAYS_ALLOWED}))


ACTIONS = {"getcurrentpermissions": Action(get_current_permissions, (), needs_ks=False)}
