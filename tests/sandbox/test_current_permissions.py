"""``permission.getCurrentPermissions``: the session role's permission names, as a string
(``PermissionService``, ``kPermissionManager::getCurrentPermissions``)."""

from __future__ import annotations

from kaltura_mm.sandbox import Sandbox, permission_names
from tests.sandbox.helpers import Api, user_api


def _names(answer: object) -> set[str]:
    assert isinstance(answer, str), answer
    return set(answer.split(","))


def test_a_role_s_session_is_told_its_role_and_the_always_allowed(sb: Sandbox) -> None:
    role = sb.add_role("reader", ["CONTENT_MANAGE_BASE", "CONTENT_INGEST_UPLOAD"])
    reader = user_api(sb, "ann", privileges=f"setrole:{role}")
    names = _names(reader.call("permission", "getCurrentPermissions"))
    assert names == {"CONTENT_MANAGE_BASE", "CONTENT_INGEST_UPLOAD", "ALWAYS_ALLOWED_ACTIONS"}


def test_the_admin_role_s_wildcard_is_answered_expanded(sb: Sandbox, api: Api) -> None:
    names = _names(api.call("permission", "getCurrentPermissions"))
    assert "*" not in names
    assert names >= permission_names.NORMAL_PERMISSIONS


def test_no_ks_is_needed(sb: Sandbox) -> None:
    anonymous = Api(sb, None)
    answer = anonymous.call("permission", "getCurrentPermissions", partnerId=sb.partner_id)
    assert answer == "ALWAYS_ALLOWED_ACTIONS"
