"""The ``userRole`` service: named sets of permissions; a KS takes one with ``setrole:<id>``."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import ListPage, Pager, UserRole, UserRoleFilter, UserRoleParams
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.services import arguments

SERVICE = "userRole"

# The least permissions each kind of kaltura-mm work needs, from the server's
# deployment/permissions/service.*.ini (an action is allowed by any one permission listed for it)
# and object.KalturaBaseEntry.ini (a field a role may not write is dropped silently: spec 13).
# docs/least-privilege.md has the table of every command's actions.
_UPLOADER = (
    "CONTENT_MANAGE_BASE",  # baseEntry.get/getByIds/list/count, category.get/list, ...list
    "CONTENT_INGEST_UPLOAD",  # uploadToken.*, baseEntry.add/updateContent
    "CONTENT_INGEST_REFERENCE_MODIFY",  # referenceId: how a re-run finds its entry
    "CONTENT_MANAGE_ASSIGN_CATEGORIES",  # categoryEntry.add/delete/list
)
ROLE_PRESETS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reader": ("CONTENT_MANAGE_BASE",),
        "uploader": _UPLOADER,
        "manager": (
            *_UPLOADER,
            "CONTENT_MANAGE_METADATA",  # baseEntry.update (name, description, tags)
            "CONTENT_MANAGE_DELETE",  # baseEntry.delete
            "CONTENT_INGEST_REPLACE",  # media.cancelReplace (needs FEATURE_ENTRY_REPLACEMENT)
            "CONTENT_MANAGE_EDIT_CATEGORIES",  # category.add/update/delete
        ),
    }
)


def add(role: UserRoleParams) -> Call[UserRole]:
    """Build the call creating a role (``ROLE_NAME_ALREADY_EXISTS`` for a name in use)."""
    arguments.instance("role", role, UserRoleParams)
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
