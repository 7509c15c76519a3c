"""Route one call to its action, in the real dispatcher's validation order.

1. service / action resolved (``SERVICE_DOES_NOT_EXISTS``, ``ACTION_DOES_NOT_EXISTS``);
2. the KS string parsed and its signature checked (``INVALID_KS … -1,INVALID_STR``);
3. rate limit (``ACTION_BLOCKED``; every attempt counts, see ``ratelimit``);
4. action arguments read and validated (``MISSING_MANDATORY_PARAMETER``, ``INVALID_ENUM_VALUE``…);
5. KS validity (``INVALID_KS`` with ``KSID`` = ``EXPIRED`` or ``EXCEEDED_ACTIONS_LIMIT``, then
   ``LOGOUT`` for a KS of a deleted app token) and the
   role it acts with (``roles``: ``INVALID_OBJECT_ID`` for an unknown ``setrole``); then the
   action's ``@validateUser`` ownership check (``INVALID_KS … -4,INVALID_TYPE``, even with no KS);
6. access (``MISSING_KS``; ``SERVICE_FORBIDDEN`` when the role lacks every permission the action
   accepts, ``permissions.ACTIONS``); 7. the action runs.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from kaltura_mm.sandbox import (
    actions_limit,
    coerce,
    ks,
    permissions,
    response_headers,
    roles,
)
from kaltura_mm.sandbox.actions import ActionCall, ActionSpec, Param, read_args
from kaltura_mm.sandbox.app_tokens import is_logged_out
from kaltura_mm.sandbox.claims import Claim
from kaltura_mm.sandbox.core import Core
from kaltura_mm.sandbox.errors import KalturaApiException, invalid_ks
from kaltura_mm.sandbox.faults import Faults, Stats
from kaltura_mm.sandbox.ratelimit import Admission
from kaltura_mm.sandbox.services import (
    app_token,
    base_entry,
    category,
    category_entry,
    flavor_asset,
    media_replace,
    permission,
    recycle_bin,
    session,
    token_upload,
    upload_token,
    user_role,
)

_AFTER_JOBS = frozenset({"category", "categoryentry"})
_SESSION_CACHE = 4096  # verified KS strings remembered (the cache is simply emptied when full)

SERVICES: dict[str, dict[str, ActionSpec]] = {
    "session": session.ACTIONS,
    "baseentry": {**base_entry.BASE_ENTRY, **recycle_bin.ACTIONS},
    "media": {**base_entry.MEDIA, **media_replace.ACTIONS},
    "uploadtoken": upload_token.ACTIONS,
    "flavorasset": flavor_asset.ACTIONS,
    "category": category.ACTIONS,
    "categoryentry": category_entry.ACTIONS,
    "userrole": user_role.ACTIONS,
    "apptoken": app_token.ACTIONS,
    "permission": permission.ACTIONS,
}


class Dispatcher:
    """Run single calls against the core, applying throttles and counting calls."""

    def __init__(self, core: Core, faults: Faults, stats: Stats) -> None:
        self.core = core
        self.faults = faults
        self.stats = stats
        self._sessions: dict[str, ks.VerifiedKs] = {}
        self._sessions_lock = threading.Lock()
        self.actions_limits = actions_limit.ActionsLimits()

    def resolve(self, params: dict[str, Any]) -> tuple[str, str, ActionSpec]:
        """Return (service, action, ActionSpec) or raise the real lookup error."""
        service = params.get("service")
        if not isinstance(service, str | int) or str(service) == "":
            raise KalturaApiException("SERVICE_NOT_SPECIFIED")
        actions = SERVICES.get(str(service).lower())
        if actions is None:
            raise KalturaApiException("SERVICE_DOES_NOT_EXISTS", str(service).lower())
        action = params.get("action")
        if not isinstance(action, str | int) or str(action) == "":
            raise KalturaApiException("ACTION_NOT_SPECIFIED")
        found = actions.get(str(action).lower())
        if found is None:
            raise KalturaApiException("ACTION_DOES_NOT_EXISTS", action, service)
        return str(service).lower(), str(action), found

    def _session(self, ks_text: str) -> ks.VerifiedKs:
        # A KS decodes the same way every time (partner secrets never change and expiry is
        # checked per call), so verified ones are remembered: an upload chunk is checked twice
        # (before its bytes, for an in-place write, and when its action runs).
        session = self._sessions.get(ks_text)
        if session is not None:
            return session
        try:
            partner = self.core.partner(ks.partner_of(ks_text))
            if partner is None:
                raise ks.KsFormatError("unknown partner")
            session = ks.decode(ks_text, [partner.admin_secret])
        except ks.KsFormatError:
            raise invalid_ks(ks_text) from None
        with self._sessions_lock:
            if len(self._sessions) >= _SESSION_CACHE:
                self._sessions.clear()
            self._sessions[ks_text] = session
        return session

    def call(self, params: dict[str, Any]) -> Any:
        """Run one call and return its result; API errors are raised as ``KalturaApiException``."""
        if self.faults.call_latency:
            time.sleep(self.faults.call_latency)
        service, action, spec = self.resolve(params)
        self.stats.count_call(service, action)
        session = self._session_of(params)
        admission = self._admit(params, service, action, session)
        call = self._checked(params, service, action, spec, spec.params, session, consume=True)
        if service in _AFTER_JOBS:
            self.core.promote_ready()  # category batch jobs that are due run first
        try:
            return spec.run(call)
        except KalturaApiException:
            # only the action's own errors count for a failures-only rule (KalturaDispatcher)
            self.faults.failed(admission)
            raise

    def authorize(self, params: dict[str, Any]) -> ActionCall:
        """Check a call as ``call`` would (KS, arguments, access) but without its file parts,
        the rate limiter or counting, and return it unrun."""
        service, action, spec = self.resolve(params)
        without_files = tuple(p for p in spec.params if p.kind != "file")
        session = self._session_of(params)
        return self._checked(params, service, action, spec, without_files, session)

    @staticmethod
    def claim_in_place_target(params: dict[str, Any]) -> bool:
        """Return True when ``params`` address ``uploadToken.upload`` (in-place writes' action)."""
        return _name(params.get("service")) == "uploadtoken" and _name(params.get("action")) == (
            "upload"
        )

    def claim_in_place(self, params: dict[str, Any]) -> Claim | None:
        """Grant an ``uploadToken.upload`` part, known so far by ``params``, an in-place write."""
        if not self.claim_in_place_target(params):
            return None
        try:
            return token_upload.claim_in_place(self.authorize(params))
        except KalturaApiException:
            return None

    def release(self, claim: Claim) -> None:
        """End an in-place write once its request is over."""
        token_upload.release_claim(self.core, claim)

    def _checked(
        self,
        params: dict[str, Any],
        service: str,
        action: str,
        spec: ActionSpec,
        declared: tuple[Param, ...],
        session: ks.VerifiedKs | None,
        consume: bool = False,
    ) -> ActionCall:
        now = self.core.clock.now()
        args = read_args(declared, params, now)
        if session is not None and session.valid_until <= now:
            raise invalid_ks("EXPIRED")
        if session is not None and is_logged_out(self.core.store, session):
            raise invalid_ks("LOGOUT")  # then LOGOUT (ks::isValid): its app token was deleted
        partner_id = session.partner_id if session else _partner_param(params)
        held = self._role_permissions(params, session, consume)
        ks_text = str(params.get("ks") or "") if session is not None else ""
        call = ActionCall(self.core, partner_id, session, args, held, ks_text)
        if spec.validate_user is not None:
            spec.validate_user(call)
        if spec.needs_ks and session is None:
            if partner_id and self.core.partner(partner_id) is not None:
                raise _forbidden(service, action)
            raise KalturaApiException("MISSING_KS")
        permitted = permissions.action_permitted(held, service, action)
        if permitted is None:  # not in the table: the action's own flag decides
            permitted = not spec.admin_only or bool(session and session.is_admin)
        if session is not None and not permitted:
            raise _forbidden(service, action)
        return call

    def _role_permissions(
        self, params: dict[str, Any], session: ks.VerifiedKs | None, consume: bool
    ) -> frozenset[str]:
        """Count an action-limited KS's use and return its role's permissions."""
        if session is None:
            return frozenset({permissions.ALWAYS_ALLOWED})
        context = (str(params.get("ks")), params.get("partnerId"))
        self.actions_limits.use(context[0], session, context, consume)
        role = roles.role_of(self.core.store, session)
        if consume:
            actions_limit.initialised(context)
        return role.names

    def _session_of(self, params: dict[str, Any]) -> ks.VerifiedKs | None:
        """Parse and verify the call's KS, if any (``INVALID_KS`` comes before the limiter)."""
        ks_text = params.get("ks")
        return self._session(str(ks_text)) if isinstance(ks_text, str) and ks_text else None

    def _admit(
        self, params: dict[str, Any], service: str, action: str, session: ks.VerifiedKs | None
    ) -> Admission:
        """Count the call against the rate limiter; raise ``ACTION_BLOCKED`` when over."""
        partner_id = session.partner_id if session else _partner_param(params)
        admission = self.faults.admit(service, action, partner_id, params)
        if admission.blocked:
            self.stats.count_blocked(service, action)
            raise KalturaApiException("ACTION_BLOCKED", action, service)
        return admission


def _forbidden(service: str, action: str) -> KalturaApiException:
    """``SERVICE_FORBIDDEN`` and the headers ``KalturaBaseService::initService`` sets with it."""
    error = KalturaApiException("SERVICE_FORBIDDEN", f"{service}->{action}")
    response_headers.add("X-Kaltura", f"error-{error.code}")
    response_headers.add("X-Kaltura-App", f"exiting on error {error.code} - {error.message}")
    return error


def _name(value: Any) -> str:
    return str(value).lower() if isinstance(value, str | int) else ""


def _partner_param(params: dict[str, Any]) -> int:
    value = params.get("partnerId", params.get("p"))
    return coerce.to_int(value) if value is not None and not isinstance(value, dict) else 0
