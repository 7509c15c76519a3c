"""The ``appToken`` service: tokens that start sessions without the admin secret (spec 13.1).

A session is started in two calls (``kaltura_mm.flows.app_session`` runs them): a widget KS from
``session.startWidgetSession("_<partnerId>")``, then ``appToken.startSession(id, tokenHash)`` sent
with that KS, where ``tokenHash = hex(HASH(widgetKs + token))`` and HASH is the token's
``hashType`` (``kaltura_mm.ks.token_hash``). The token itself never leaves this machine; only
the hash does.
"""

from __future__ import annotations

from kaltura_mm.enums import AppTokenHashType, SessionType
from kaltura_mm.errors import ConfigError
from kaltura_mm.models import AppToken, AppTokenFilter, AppTokenParams, ListPage, Pager, SessionInfo
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.services import arguments

SERVICE = "appToken"


def start_session(
    token_id: str,
    token_hash: str,
    widget_ks: str,
    *,
    user_id: str | None = None,
    type: SessionType | None = None,
    expiry: int | None = None,
    session_privileges: str | None = None,
) -> Call[SessionInfo]:
    """Build the call starting a session from an app token; sent with ``widget_ks``.

    The token's own session type, user and privileges win over these (spec 13.1); the session
    ends at the earlier of ``expiry`` seconds and the token's ``session_duration`` and expiry.
    """
    if expiry is not None and (isinstance(expiry, bool) or expiry <= 0):
        raise ConfigError(f"expiry must be a positive number of seconds, got {expiry!r}")
    params = {
        "ks": widget_ks,  # this call's own KS: the widget session, not the client's
        "id": arguments.text_id("token_id", token_id, "0_abc12345"),
        "tokenHash": token_hash,
        "userId": user_id or None,
        "type": None if type is None else SessionType(type),
        "expiry": expiry,
        "sessionPrivileges": session_privileges or None,
    }
    return Call(
        service=SERVICE,
        action="startSession",
        params=params,
        decoder=codec.decoder_for(SessionInfo),
        needs_ks=False,
    )


def add(token: AppTokenParams) -> Call[AppToken]:
    """Build the call creating an app token; the answer holds its id and (once) its token."""
    arguments.instance("token", token, AppTokenParams)
    if token.hash_type is not None:
        token = _with_hash(token)
    return Call(
        service=SERVICE,
        action="add",
        params={"appToken": token},
        decoder=codec.decoder_for(AppToken),
        idempotent=False,
    )


def _with_hash(token: AppTokenParams) -> AppTokenParams:
    import attrs

    return attrs.evolve(token, hash_type=AppTokenHashType.parse(token.hash_type).value)


def get(token_id: str) -> Call[AppToken]:
    """Build the call reading one app token (``APP_TOKEN_ID_NOT_FOUND`` if there is none)."""
    return Call(
        service=SERVICE,
        action="get",
        params={"id": arguments.text_id("token_id", token_id)},
        decoder=codec.decoder_for(AppToken),
    )


def list(
    filter: AppTokenFilter | None = None, pager: Pager | None = None
) -> Call[ListPage[AppToken]]:
    """Build the call listing the partner's app tokens."""
    arguments.instance("filter", filter, AppTokenFilter)
    arguments.instance("pager", pager, Pager)
    return Call(
        service=SERVICE,
        action="list",
        params={"filter": filter, "pager": pager},
        decoder=codec.list_decoder(AppToken),
    )


def delete(token_id: str) -> Call[None]:
    """Build the call revoking an app token: every session made from it stops working."""
    return Call(
        service=SERVICE,
        action="delete",
        params={"id": arguments.text_id("token_id", token_id)},
        decoder=codec.decode_none,
    )
