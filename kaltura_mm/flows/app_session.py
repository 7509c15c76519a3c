"""Start a session from an app token, as pure calls (spec 13.1); no admin secret involved.

``session.startWidgetSession("_<partnerId>")`` gives an anonymous widget KS;
``appToken.startSession`` is sent with it and with ``hex(HASH(widgetKs + token))``. The server
answers with the session (KS, type, user, privileges, expiry), shaped by the token: its type,
user and privileges win.
``AppTokenKs`` has the runtime run this flow whenever a fresh session is due.
"""

from __future__ import annotations

from kaltura_mm.enums import AppTokenHashType, SessionType
from kaltura_mm.errors import ResponseError
from kaltura_mm.ks import token_hash
from kaltura_mm.models import SessionInfo, WidgetSession
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import app_token, session


def app_token_session(
    partner_id: int,
    token_id: str,
    token: str,
    hash_type: AppTokenHashType | str = AppTokenHashType.SHA256,
    *,
    user_id: str | None = None,
    session_type: SessionType | None = None,
    expiry: int | None = None,
    privileges: str | None = None,
) -> Flow[SessionInfo]:
    """Return the session the app token ``token_id`` starts (``AppTokenError`` if refused)."""
    kind = AppTokenHashType.parse(hash_type)
    widget: WidgetSession = yield session.start_widget_session(f"_{partner_id}")
    if not widget.ks:
        raise _unusable("session.startWidgetSession gave no KS")
    proof = token_hash(widget.ks, token, kind)
    info: SessionInfo = yield app_token.start_session(
        token_id,
        proof,
        widget.ks,
        user_id=user_id,
        type=session_type,
        expiry=expiry,
        session_privileges=privileges,
    )
    if not info.ks:
        raise _unusable("appToken.startSession gave no KS")
    return info


def _unusable(what: str) -> ResponseError:
    return ResponseError(f"{what}: the server is not answering like Kaltura", status=200)
