"""The ``userRole`` service: named sets of permissions; a KS takes one with ``setrole:<id>``."""

from __future__ import annotations

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import ListPage, Pager, UserRole, UserRoleFilter
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.services import arguments

SERVICE = "userRole"


def add(role: UserRole) -> Call[UserRole]:
    """Build the call creating a role (``ROLE_NAME_ALREADY_EXISTS`` for a name in use)."""
    arguments.instance("role", role, UserRole)
    if not role.name or not role.permission_names:
        raise ConfigError("a role needs a name and permission_names (comma-separated)")
    return Call(
        service=SERVICE,
        action="add",
        params={"userRole": role},
        decoder=codec.decoder_for(UserRole),
        idempotent=False,
    )


def get(role_id: int) -> Call[UserRole]:
    """Build the call reading one role (``INVALID_OBJECT_ID`` if there is none)."""
    return Call(
        service=SERVICE,
        action="get",
        params={"userRoleId": arguments.int_id("role_id", role_id)},
        decoder=codec.decoder_for(UserRole),
    )


def list(
    filter: UserRoleFilter | None = None, pager: Pager | None = None
) -> Call[ListPage[UserRole]]:
    """Build the call listing the partner's roles (and the shared ones it may use)."""
    arguments.instance("filter", filter, UserRoleFilter)
    arguments.instance("pager", pager, Pager)
    return Call(
        service=SERVICE,
        action="list",
        params={"filter": filter, "pager": pager},
        decoder=codec.list_decoder(UserRole),
    )
