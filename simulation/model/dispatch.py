"""Route one call to its action, in ``KalturaDispatcher::dispatch``'s order.

1. service and action resolved (an action the model lacks raises ``NotModelled``);
2. the KS string parsed and its signature checked (``INVALID_KS … -1,INVALID_STR``);
3. the rate limiter counts the call (``ACTION_BLOCKED``);
4. arguments read and validated (``MISSING_MANDATORY_PARAMETER``…);
5. KS validity (``INVALID_KS`` with ``KSID`` ``EXPIRED``);
6. access (``MISSING_KS``, ``SERVICE_FORBIDDEN``); 7. the action runs (it may pause).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, cast

from kaltura_mm.sandbox import coerce
from kaltura_mm.sandbox.errors import KalturaApiException, invalid_ks
from simulation.model import categories, entries, flavors, permission, session, uploads
from simulation.model.actions import Action, Ctx, read_args
from simulation.model.jobs import NotModelled, Pause, Steps
from simulation.model.ks import KsFormatError, VerifiedKs, read_ks
from simulation.model.state import State

SERVICES: dict[str, dict[str, Action]] = {
    "session": session.ACTIONS,
    "baseentry": entries.BASE_ENTRY,
    "media": entries.MEDIA,
    "uploadtoken": uploads.ACTIONS,
    "flavorasset": flavors.ACTIONS,
    "category": categories.CATEGORY,
    "categoryentry": categories.CATEGORY_ENTRY,
    "permission": permission.ACTIONS,
}


def resolve(params: dict[str, Any]) -> tuple[str, str, Action]:
    """Return (service, action, Action) for a call's parameters."""
    service, action = params.get("service"), params.get("action")
    if not isinstance(service, str | int) or str(service) == "":
        raise KalturaApiException("SERVICE_NOT_SPECIFIED")
    if not isinstance(action, str | int) or str(action) == "":
        raise KalturaApiException("ACTION_NOT_SPECIFIED")
    actions = SERVICES.get(str(service).lower())
    found = actions.get(str(action).lower()) if actions else None
    if found is None:
        raise NotModelled(f"{service}.{action}")
    return str(service).lower(), str(action), found


def _session(state: State, params: dict[str, Any]) -> VerifiedKs | None:
    text = params.get("ks")
    if not isinstance(text, str) or not text:
        return None
    known = state.sessions.get(text)  # a KS reads the same every time: secrets never change
    if known is not None:
        return known
    secrets = {pid: partner.admin_secret for pid, partner in state.partners.items()}
    try:
        session = read_ks(text, secrets)
    except KsFormatError:
        raise invalid_ks(text) from None
    if len(state.sessions) > 1024:
        state.sessions.clear()
    state.sessions[text] = session
    return session


def call(
    state: State,
    params: dict[str, Any],
    blocked: bool = False,
    headers: dict[str, str] | None = None,
) -> Steps[Any]:
    """Run one call; API failures are raised as ``KalturaApiException``. Response headers an action
    writes (a dropped property's ``…-error``) go to ``headers``."""
    service, action, spec = resolve(params)
    session = _session(state, params)
    partner_id = session.partner_id if session else _partner_param(params)
    limited = not state.limiter.allow(service, action, partner_id, params, state.now())
    if blocked or limited:
        state.events["rate_limiter.blocked" if limited else "injected.blocked"] += 1
        raise KalturaApiException("ACTION_BLOCKED", action, service)
    args = read_args(spec.params, params, state.now())
    if session is not None and session.valid_until <= state.now():
        state.events["ks.expired"] += 1
        raise invalid_ks("EXPIRED")
    if spec.needs_ks and session is None:
        if partner_id in state.partners:
            raise KalturaApiException("SERVICE_FORBIDDEN", f"{service}->{action}")
        raise KalturaApiException("MISSING_KS")
    if spec.admin_only and not (session and session.is_admin):
        raise KalturaApiException("SERVICE_FORBIDDEN", f"{service}->{action}")
    state.calls[f"{service}.{action.lower()}"] += 1
    ctx = Ctx(state, service, action, partner_id, session, args, {} if headers is None else headers)
    acting = (session.user_id, session.is_admin) if session else ("", False)
    return (yield from _acting_for(state, acting, lambda: spec.run(ctx)))


def _acting_for(state: State, acting: tuple[str, bool], run: Callable[[], Any]) -> Steps[Any]:
    """Run an action with ``state.acting`` naming its caller during each of its steps (other
    requests run between them), so that the store knows whose request wrote what."""
    state.acting = acting
    try:
        result = run()
    finally:
        state.acting = None
    if not inspect.isgenerator(result):
        return result
    steps = cast("Steps[Any]", result)
    while True:
        state.acting = acting
        try:
            pause: Pause = next(steps)
        except StopIteration as done:
            return done.value
        finally:
            state.acting = None
        yield pause


def _partner_param(params: dict[str, Any]) -> int:
    value = params.get("partnerId", params.get("p"))
    return coerce.to_int(value) if value is not None and not isinstance(value, dict) else 0
