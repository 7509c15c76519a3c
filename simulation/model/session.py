"""``session.start`` (``SessionService::startAction``): a KS for the admin or user secret.

The admin secret starts any type; the user secret only a USER session; anything else (or an
unknown partner) is ``START_SESSION_ERROR``. The expiry is capped at the partner's
``ksMaxExpiryInSeconds`` (knob ``ks_max_expiry``).
"""

from __future__ import annotations

from kaltura_mm.sandbox.errors import KalturaApiException
from simulation.model.actions import Action, Ctx, Param
from simulation.model.ks import make_ks


def start(ctx: Ctx) -> str:
    """Return a new v2 KS."""
    args = ctx.args
    partner = ctx.state.partners.get(args["partnerId"])
    secret, session_type = args["secret"], args["type"]
    if partner is None or not (
        secret == partner.admin_secret or (secret == partner.user_secret and session_type < 1)
    ):
        raise KalturaApiException("START_SESSION_ERROR", args["partnerId"])
    expiry = min(args["expiry"] if args["expiry"] > 0 else 86_400, ctx.state.knobs.ks_max_expiry)
    valid_until = int(ctx.now()) + expiry
    return make_ks(
        partner.admin_secret,
        partner.id,
        valid_until,
        session_type,
        args["userId"],
        args["privileges"],
        ctx.state.rng,
    )


ACTIONS = {
    "start": Action(
        start,
        (
            Param("secret", required=True),
            Param("userId", default=""),
            Param("type", "int", default=0),
            Param("partnerId", "int", default=0),
            Param("expiry", "int", default=86_400),
            Param("privileges", default=""),
        ),
        needs_ks=False,
    ),
}
