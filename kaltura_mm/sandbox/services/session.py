"""The ``session`` service: ``start`` signs a v2 KS with the partner's admin secret."""

from __future__ import annotations

import hmac

from kaltura_mm.sandbox import ks
from kaltura_mm.sandbox.actions import Action, Call, Param
from kaltura_mm.sandbox.errors import ApiError

MAX_EXPIRY = 86_400  # Partner ksMaxExpiryInSeconds default


def start(call: Call) -> str:
    """Check the secret and return a new KS string."""
    a = call.args
    partner_id = a["partnerId"] if a["partnerId"] is not None else call.partner_id
    partner = call.core.partner(partner_id) if partner_id else None
    secret = a["secret"]
    if partner is None:
        raise ApiError("START_SESSION_ERROR", partner_id or "")
    admin_ok = hmac.compare_digest(secret.encode(), partner.admin_secret.encode())
    user_ok = a["type"] == ks.USER and hmac.compare_digest(
        secret.encode(), partner.user_secret.encode()
    )
    if not (admin_ok or user_ok):
        raise ApiError("START_SESSION_ERROR", partner.partner_id)
    expiry = a["expiry"] if a["expiry"] > 0 else MAX_EXPIRY
    expiry = min(expiry, MAX_EXPIRY)
    if call.core.settings.ks_lifetime is not None:
        expiry = min(expiry, call.core.settings.ks_lifetime)
    valid_until = int(call.now()) + expiry
    return ks.encode_v2(
        partner.admin_secret,
        partner.partner_id,
        valid_until,
        a["type"],
        a["userId"],
        a["privileges"] or "",
    )


ACTIONS = {
    "start": Action(
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
}
