"""The ``session`` service: ``start`` signs a v2 KS with the partner's admin secret;
``startWidgetSession`` signs the anonymous widget KS of a partner's default widget (``_{id}``).

``START_SESSION_ERROR``'s ``PID`` is the ``partnerId`` parameter as sent (``N/A`` when it was
not sent: ``SessionService::startAction`` passes its own argument, and a missing argument is
written ``N/A``); a KS does not stand in for it.
"""

from __future__ import annotations

import hmac
from typing import Any

from kaltura_mm.sandbox import ks
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param
from kaltura_mm.sandbox.core import KS_MAX_EXPIRY, Partner
from kaltura_mm.sandbox.errors import KalturaApiException

MAX_EXPIRY = KS_MAX_EXPIRY
WIDGET_PRIVILEGES = "view:*,widget:1"
WIDGET_USER = "0"


def _session_error(partner_id: int | None) -> KalturaApiException:
    return KalturaApiException(
        "START_SESSION_ERROR", *(() if partner_id is None else (partner_id,))
    )


def _capped(call: ActionCall, expiry: int) -> int:
    return int(call.now()) + min(expiry, call.core.ks_max_expiry())


def _secret_fits(partner: Partner, secret: str, session_type: int) -> bool:
    if hmac.compare_digest(secret.encode(), partner.admin_secret.encode()):
        return True
    return session_type == ks.USER and hmac.compare_digest(
        secret.encode(), partner.user_secret.encode()
    )


def start(call: ActionCall) -> str:
    """Check the secret and return a new KS string."""
    a = call.args
    partner_id = a["partnerId"]
    partner = call.core.partner(partner_id) if partner_id is not None else None
    if partner is None or not _secret_fits(partner, a["secret"], a["type"]):
        raise _session_error(partner_id)
    expiry = a["expiry"] if a["expiry"] > 0 else MAX_EXPIRY
    return ks.encode_v2(
        partner.admin_secret,
        partner.partner_id,
        _capped(call, expiry),
        a["type"],
        a["userId"],
        a["privileges"] or "",
    )


def start_widget_session(call: ActionCall) -> dict[str, Any]:
    """Return ``KalturaStartWidgetSessionResponse``: a USER KS of user 0 that may view."""
    widget_id = call.args["widgetId"]
    partner = None
    if widget_id.startswith("_") and widget_id[1:].isdigit():
        partner = call.core.partner(int(widget_id[1:]))
    if partner is None:
        raise KalturaApiException("INVALID_WIDGET_ID", widget_id)
    valid_until = _capped(call, call.args["expiry"])
    text = ks.encode_v2(
        partner.admin_secret,
        partner.partner_id,
        valid_until,
        ks.USER,
        WIDGET_USER,
        WIDGET_PRIVILEGES,
    )
    return {
        "partnerId": partner.partner_id,
        "ks": text,
        "userId": 0,  # an int on the wire, as the real server writes it
        "objectType": "KalturaStartWidgetSessionResponse",
    }


def get(call: ActionCall) -> dict[str, Any]:
    """Return ``KalturaSessionInfo`` for ``session`` (the call's own KS when empty).

    ``SessionService::getAction`` copies the parsed KS's members, which the parser keeps as the
    strings it read: ``partnerId``, ``sessionType`` and ``expiry`` are strings on the wire, and
    ``ks`` is not set. The KS is parsed, not validated (an expired one is described too); one
    that does not parse is a plain ``Exception`` (``INTERNAL_SERVERL_ERROR``); another partner's
    is ``PARTNER_ACCESS_FORBIDDEN``.
    """
    text = call.args["session"] or call.args["ks"] or ""
    try:
        partner = call.core.partner(ks.partner_of(text))
        if partner is None:
            raise ks.KsFormatError("unknown partner")
        session = ks.decode(text, [partner.admin_secret])
    except ks.KsFormatError:
        raise KalturaApiException("INTERNAL_SERVERL_ERROR") from None
    if session.partner_id != call.partner_id:
        raise KalturaApiException("PARTNER_ACCESS_FORBIDDEN", call.partner_id, session.partner_id)
    return {
        "sessionType": str(session.type),
        "partnerId": str(session.partner_id),
        "userId": session.user_id,
        "expiry": str(session.valid_until),
        "privileges": _privileges_text(session.privileges),
        "objectType": "KalturaSessionInfo",
    }


def _privileges_text(privileges: dict[str, str]) -> str:
    """Rebuild the privileges string as ``parseKsV2`` does (``all:*`` reads back as ``*``)."""
    text = ",".join(f"{name}:{value}" if value else name for name, value in privileges.items())
    return "*" if text == "all:*" else text


ACTIONS = {
    "get": ActionSpec(get, (Param("session"), Param("ks")), admin_only=True),
    "start": ActionSpec(
        start,
        (
            Param("secret", required=True),
            Param("userId", default=""),
            Param("type", "enum", default=0, type="KalturaSessionType", enum=frozenset({0, 2})),
            Param("partnerId", "int"),
            Param("expiry", "int", default=86_400),
            Param("privileges"),
        ),
        needs_ks=False,
    ),
    "startwidgetsession": ActionSpec(
        start_widget_session,
        (Param("widgetId", required=True), Param("expiry", "int", default=86_400)),
        needs_ks=False,
    ),
}
