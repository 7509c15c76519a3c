"""The ``session`` service: start a KS on the server (``kaltura_mm.ks`` makes one locally)."""

from __future__ import annotations

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import SessionType, WidgetSession
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.services import arguments

SERVICE = "session"


def start(
    secret: str,
    partner_id: int,
    user_id: str = "",
    type: SessionType = SessionType.USER,
    expiry: int = 86400,
    privileges: str | None = None,
) -> Call[str]:
    """Build the call returning a new KS; the secret goes in the body and is never logged."""
    if not isinstance(secret, str) or not secret:
        raise ConfigError("secret is empty: pass the partner's admin or user secret")
    if expiry <= 0:
        raise ConfigError(f"expiry must be a positive number of seconds, got {expiry}")
    params = {
        "secret": secret,
        "userId": user_id,
        "type": SessionType(type),
        "partnerId": arguments.int_id("partner_id", partner_id),
        "expiry": expiry,
        "privileges": privileges,
    }
    return Call(
        service=SERVICE,
        action="start",
        params=params,
        decoder=codec.decode_str,
        needs_ks=False,
    )


def start_widget_session(widget_id: str, expiry: int | None = None) -> Call[WidgetSession]:
    """Build the call starting an anonymous widget session (``"_<partnerId>"`` is the partner's
    default widget); the first step of an app token session. Needs no KS."""
    if not isinstance(widget_id, str) or not widget_id.strip():
        raise ConfigError("widget_id is empty: pass '_<partnerId>', e.g. '_1234567'")
    if expiry is not None and expiry <= 0:
        raise ConfigError(f"expiry must be a positive number of seconds, got {expiry}")
    return Call(
        service=SERVICE,
        action="startWidgetSession",
        params={"widgetId": widget_id, "expiry": expiry},
        decoder=codec.decoder_for(WidgetSession),
        needs_ks=False,
    )
