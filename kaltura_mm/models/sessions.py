"""Sessions the server starts, the application tokens they can be made from, and the roles
(named sets of permissions) a session can take.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from kaltura_mm.enums import AppTokenStatus, SessionType, UserRoleStatus
from kaltura_mm.models.base import ShortRepr, extra_field

__all__ = [
    "AppToken",
    "AppTokenParams",
    "SessionInfo",
    "UserRole",
    "UserRoleParams",
    "WidgetSession",
]


@attrs.frozen(kw_only=True)
class WidgetSession:
    """The answer of ``session.startWidgetSession``; the KS is hidden from ``repr``."""

    partner_id: int | None = None
    ks: str | None = attrs.field(default=None, repr=False)
    user_id: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class SessionInfo:
    """A session the server started (``KalturaSessionInfo``): ``appToken.startSession``'s answer.

    ``expiry`` is the KS's end, in the server's Unix seconds. The KS is hidden from ``repr``.
    """

    ks: str | None = attrs.field(default=None, repr=False)
    session_type: SessionType | None = None
    partner_id: int | None = None
    user_id: str | None = None
    expiry: int | None = None
    privileges: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class AppTokenParams(ShortRepr):
    """The fields of an application token to send with ``appToken.add``; all optional.

    ``session_type``, ``session_user_id`` and ``session_privileges`` override what
    ``appToken.startSession`` asks for; ``expiry`` is the token's own end (Unix seconds),
    ``session_duration`` the longest session made from it.
    """

    expiry: int | None = None
    session_type: SessionType | None = None
    session_user_id: str | None = None
    session_duration: int | None = None
    session_privileges: str | None = None
    hash_type: str | None = None
    description: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class AppToken(AppTokenParams):
    """An application token (``KalturaAppToken``): sessions made from it need no admin secret.

    ``token`` is the secret itself (the server shows it to whoever may read app tokens): it is
    never shown in ``repr``.
    """

    id: str
    token: str | None = attrs.field(default=None, repr=False)
    partner_id: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
    status: AppTokenStatus | None = None


@attrs.frozen(kw_only=True, repr=False)
class UserRoleParams(ShortRepr):
    """The fields of a role to send with ``userRole.add``; all optional."""

    name: str | None = None
    system_name: str | None = None
    description: str | None = None
    status: UserRoleStatus | None = None
    permission_names: str | None = None
    tags: str | None = None
    extra: Mapping[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class UserRole(UserRoleParams):
    """A role: a named set of permissions (``KalturaUserRole``); a KS takes one by ``setrole``."""

    id: int
    partner_id: int | None = None
    created_at: int | None = None
    updated_at: int | None = None
