"""Why Kaltura refused the session, told from what this run knows about where it came from.

The server's answers are terse: a KS signed with the wrong admin secret, or for a partner that
does not exist, both come back ``INVALID_KS`` with the KS itself as the reason (``-1,INVALID_STR``);
a KS this run made a moment ago comes back ``EXPIRED`` when this computer's clock is behind the
server's by more than the KS's lifetime (a day). Telling the user to "set KALTURA_ADMIN_SECRET"
when it is set helps nobody, so this module names the likely causes and where each setting came
from (flag, environment, profile), and for an expired fresh KS it asks the server its time (the
``X-Kaltura-Session`` header carries it, ``Date`` too) and says how far off the local clock is.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import Failure, refusal_of
from kaltura_mm.errors import ApiError, InvalidKsError, ServiceForbiddenError, UploadError

if TYPE_CHECKING:
    import httpx

SKEW_WORTH_NAMING = 60.0  # seconds: below this a clock is right enough for Kaltura
_FLAGS = {"partner_id": "--partner-id", "service_url": "--service-url", "region": "--region"}
_ENV = {
    "app_token_id": "KALTURA_APP_TOKEN_ID",
    "partner_id": "KALTURA_PARTNER_ID",
    "admin_secret": "KALTURA_ADMIN_SECRET",
    "ks": "KALTURA_KS",
    "service_url": "KALTURA_SERVICE_URL",
    "region": "KALTURA_REGION",
}


def _origin(state: AppContext, key: str) -> str:
    source = state.settings().sources.get(key, "")
    if source == "flag":
        return _FLAGS.get(key, "a flag")
    if source == "env":
        return _ENV[key]
    if source.startswith("profile"):
        return f"{key} in {source} of the config file"
    return source or "nowhere"


def explain(
    state: AppContext, exc: BaseException, skew: Callable[[], float | None] | None = None
) -> Failure | None:
    """Return a better account of an authentication failure, or None to keep the plain one."""
    if isinstance(exc, UploadError):
        exc = refusal_of(exc) or exc  # an upload stopped by a refusal: explain the refusal
    if not isinstance(exc, ApiError):
        return None
    settings = state.settings()
    if settings.app_token_id:
        return _app_token_session(state, exc)
    made_here = bool(settings.admin_secret) and not settings.ks
    if exc.code == "START_SESSION_ERROR" or (made_here and _unreadable(exc)):
        return _wrong_secret_or_partner(state, exc.code)
    if made_here and isinstance(exc, InvalidKsError) and exc.expired:
        return _clock(state, exc.code, (skew or (lambda: server_skew(state)))())
    if settings.ks and isinstance(exc, InvalidKsError) and exc.kaltura_args.get("ERR_CODE") != "-4":
        return _given_ks(state, exc)
    return None


def name_auth_fixes(state: AppContext, errors: Iterable[BaseException | None]) -> None:
    """After a batch, say once per kind how to fix the items the session was refused: the
    per-item lines name only the problem."""
    from kaltura_mm.commands.failures import describe

    said: set[str] = set()
    for error in errors:
        if error is None:
            continue
        failure = explain(state, error, skew=lambda: None) or describe(error)
        if failure.code is not ExitCode.AUTH or not failure.fix or failure.line() in said:
            continue
        said.add(failure.line())
        state.notice("fix", failure.line(), error=failure.kind)


def _app_token_session(state: AppContext, exc: ApiError) -> Failure | None:
    """Name the app token in the refusals of a session started from it."""
    where = _origin(state, "app_token_id")
    if isinstance(exc, InvalidKsError) and exc.reason == "LOGOUT":
        problem = (
            f"the session started from the app token ({where}) was ended: the token was "
            "revoked (`auth apptoken revoke`, appToken.delete) while this run used it"
        )
        fix = "create a new one with `kaltura-mm auth apptoken create` (needs the admin secret)"
        return Failure(ExitCode.AUTH, exc.code, problem, fix)
    if isinstance(exc, ServiceForbiddenError):
        what = exc.kaltura_args.get("SERVICE", exc.call)
        problem = f"the app token's session ({where}) may not call {what}: its role lacks it"
        fix = (
            "give the token a role with that permission (docs/least-privilege.md lists what "
            "each command needs; `auth check` shows the session's role), or run this command "
            "with an admin secret"
        )
        return Failure(ExitCode.AUTH, exc.code, problem, fix)
    return None


def _unreadable(exc: ApiError) -> bool:
    # The KS's own reason names (EXPIRED, LOGOUT, ...) are short capitals; an unreadable KS
    # comes back as itself (redacted) and an ownership failure as -4.
    reason = exc.kaltura_args.get("KSID", "")
    return (
        isinstance(exc, InvalidKsError)
        and exc.kaltura_args.get("ERR_CODE") != "-4"
        and not (reason.isupper() and reason.replace("_", "").isalpha())
    )


def _wrong_secret_or_partner(state: AppContext, code: str) -> Failure:
    settings = state.settings()
    partner = settings.partner_id
    server = settings.service_url or settings.region or "the server"
    problem = (
        f"{server} did not accept the session made from the admin secret for partner {partner}: "
        "the secret is not that partner's, or there is no partner "
        f"{partner} on this server (or the secret is a user secret, not the admin one)"
    )
    fix = (
        f"compare the partner id (from {_origin(state, 'partner_id')}) and the admin secret "
        f"(from {_origin(state, 'admin_secret')}) with the account's Settings > Integration "
        "Settings page in the KMC, and the server with the account's region"
    )
    return Failure(ExitCode.AUTH, code, problem, fix)


def _clock(state: AppContext, code: str, skew: float | None) -> Failure:
    lifetime = state.config().ks_expiry
    if skew is not None and skew > SKEW_WORTH_NAMING:
        problem = (
            f"the server says the session made a moment ago has expired: this computer's clock "
            f"is {_span(skew)} behind the server's (a session made here lives "
            f"{_span(lifetime)})"
        )
    else:
        measured = "" if skew is None else f" (it reads {_span(abs(skew))} apart from the server's)"
        problem = (
            "the server says the session made a moment ago has expired: the likely cause is "
            f"this computer's clock, more than {_span(lifetime)} behind the server's{measured}"
        )
    fix = "set the clock right (turn on network time: `timedatectl set-ntp true`), then run again"
    return Failure(ExitCode.AUTH, code, problem, fix)


def _given_ks(state: AppContext, exc: InvalidKsError) -> Failure:
    why = "has expired" if exc.expired else f"was refused ({exc.reason or 'unreadable'})"
    origin = _origin(state, "ks")
    secret = "set" if state.settings().admin_secret else "not set"
    problem = f"the KS from {origin} {why}"
    fix = (
        "make a new one (`kaltura-mm ks generate`), or remove it so that a fresh KS is made from "
        f"the admin secret for every run (the admin secret is {secret})"
    )
    return Failure(ExitCode.AUTH, exc.code, problem, fix)


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} seconds"


def server_skew(state: AppContext, timeout: float = 5.0) -> float | None:
    """Return how far the server's clock is ahead of this one (seconds), or None if unknown."""
    import httpx

    root = state.config().service_url.rstrip("/")
    started = time.time()
    try:
        answer = httpx.get(f"{root}/api_v3/service/system/action/ping", timeout=timeout)
    except httpx.HTTPError:
        return None
    local = (started + time.time()) / 2
    server = _server_time(answer.headers)
    return None if server is None else server - local


def _server_time(headers: httpx.Headers) -> float | None:
    session = headers.get("X-Kaltura-Session", "")
    _, _, stamp = session.partition(",")
    if stamp.strip().isdigit():
        return float(stamp.strip())
    date = headers.get("Date")
    try:
        return email.utils.parsedate_to_datetime(date).timestamp() if date else None
    except (TypeError, ValueError):
        return None
