"""Turn any error into one line naming the problem and the fix, and the matching exit code.

The command line never shows a Python traceback for a user mistake: every exception that
reaches ``kaltura_mm.cli.main`` passes through ``describe`` (``--verbose`` adds the traceback,
with secrets redacted).
"""

from __future__ import annotations

import attrs

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.errors import (
    AmbiguousCategoryError,
    AnswerTimeoutError,
    AnswerTooLargeError,
    ApiError,
    AppTokenError,
    CategoryLookupError,
    CategoryNotFoundError,
    ConfigError,
    EntryNotFoundError,
    FieldNotWritableError,
    InvalidKsError,
    KalturaError,
    MissingKsError,
    PermissionMissingError,
    PruneWithheldError,
    ReferenceIdNotWritableError,
    ResponseError,
    ServerSilentError,
    ServiceForbiddenError,
    TransportError,
    UploadError,
    byte_size,
    redact,
)
from kaltura_mm.store.errors import StoreBusyError, StoreError

_AUTH_CODES = frozenset(
    {"START_SESSION_ERROR", "USER_BLOCKED", "SERVICE_FORBIDDEN_CONTENT_BLOCKED"}
)
_NOT_FOUND_CODES = frozenset({"UPLOAD_TOKEN_NOT_FOUND", "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY"})
# HTTP answers that are not Kaltura's but mean something precise (a proxy in front of it).
_STATUS_FIXES = {
    413: ("the request was too large for the server", "upload with a smaller --chunk-size"),
    429: (
        "the server keeps answering 429 Too Many Requests",
        "it rate-limits this account: wait a minute, then re-run with a lower --concurrency",
    ),
}
_NEW_KS = (
    "set KALTURA_ADMIN_SECRET (a fresh KS is made for every run) "
    "or make a new KS with `kaltura-mm ks generate`"
)


class CliError(Exception):
    """A failure the command line explains itself: the problem, the fix and the exit code."""

    def __init__(self, problem: str, fix: str = "", code: ExitCode = ExitCode.BAD_INPUT) -> None:
        """Hold the one-line problem, how to fix it, and the exit code to end with."""
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.code = code


@attrs.frozen
class Failure:
    """An error as the user sees it: exit code, kind name, problem and fix."""

    code: ExitCode
    kind: str
    problem: str
    fix: str = ""

    def line(self) -> str:
        """Return the one-line message: ``problem; fix``."""
        return f"{self.problem}; {self.fix}" if self.fix else self.problem


_KS_REASONS = {
    "EXPIRED": "it has expired",
    "LOGOUT": "it was ended (session.end)",
    "INVALID_PARTNER": "it belongs to another partner",
    "INVALID_USER": "its user is not valid",
    "EXCEEDED_ACTIONS_LIMIT": "its actions limit is used up",
    "EXCEEDED_RESTRICTED_IP": "it is restricted to other IP addresses",
    "EXCEEDED_RESTRICTED_URI": "it is restricted to other URIs",
}


_MAKE_ANOTHER = "create a new one with `kaltura-mm auth apptoken create` (needs the admin secret)"
_APP_TOKEN_FAILURES = {
    "APP_TOKEN_ID_NOT_FOUND": (
        "the server has no active app token with this id (revoked, or a wrong id)",
        "check KALTURA_APP_TOKEN_ID against `kaltura-mm auth apptoken list`, or " + _MAKE_ANOTHER,
    ),
    "APP_TOKEN_NOT_ACTIVE": ("the app token is disabled or revoked", _MAKE_ANOTHER),
    "APP_TOKEN_EXPIRED": (
        "the app token has expired",
        _MAKE_ANOTHER + " (--expiry sets how long it lasts)",
    ),
    "INVALID_APP_TOKEN_HASH": (
        "the server did not accept the app token: KALTURA_APP_TOKEN is not the token of "
        "KALTURA_APP_TOKEN_ID, or KALTURA_APP_TOKEN_HASH is not the hash type it was made with",
        "set both as `kaltura-mm auth apptoken create` printed them "
        "(`kaltura-mm auth apptoken list` shows each token's hash type)",
    ),
}


def _api_failure(exc: ApiError) -> Failure:
    if isinstance(exc, AppTokenError):
        problem, fix = _APP_TOKEN_FAILURES.get(exc.code, (exc.message, _MAKE_ANOTHER))
        return Failure(ExitCode.AUTH, exc.code, problem, fix)
    if isinstance(exc, InvalidKsError) and exc.kaltura_args.get("ERR_CODE") == "-4":
        # -4,INVALID_TYPE: a valid KS acting on what it does not own (spec 4.4, 4.5)
        problem = "this session may not change it: it belongs to another user"
        fix = "use an admin session (an admin secret), or the owner's KS"
        return Failure(ExitCode.AUTH, exc.code, problem, fix)
    if isinstance(exc, InvalidKsError):
        # For an unreadable KS the server's "reason" is the KS itself (spec 4.4): never echo it.
        why = _KS_REASONS.get(exc.reason or "", "it is not a KS this server can read or verify")
        return Failure(ExitCode.AUTH, exc.code, f"the KS was refused: {why}", _NEW_KS)
    if isinstance(exc, MissingKsError):
        return Failure(ExitCode.AUTH, exc.code, "no KS was sent", _NEW_KS)
    if isinstance(exc, PermissionMissingError):
        fix = f"use an admin session (an admin secret) or a KS whose role has {exc.permission}"
        return Failure(ExitCode.AUTH, exc.code, exc.message, fix)
    if isinstance(exc, ServiceForbiddenError):
        what = exc.kaltura_args.get("SERVICE", exc.call)
        fix = "use an admin session (an admin secret) or a KS whose role allows it"
        return Failure(ExitCode.AUTH, exc.code, f"this session may not call {what}", fix)
    if exc.code == "START_SESSION_ERROR":
        problem = f"the server refused to start a session for partner {_pid(exc)}"
        fix = "check the partner id and the admin secret (KALTURA_PARTNER_ID, KALTURA_ADMIN_SECRET)"
        return Failure(ExitCode.AUTH, exc.code, problem, fix)
    if exc.code in _AUTH_CODES:
        return Failure(ExitCode.AUTH, exc.code, exc.message, "ask your Kaltura admin")
    if isinstance(exc, EntryNotFoundError | CategoryNotFoundError) or exc.code in _NOT_FOUND_CODES:
        fix = "check the id (`kaltura-mm list` / `kaltura-mm categories` show what exists)"
        return Failure(ExitCode.NOT_FOUND, exc.code, exc.message, fix)
    where = f" in {exc.call}" if exc.call else ""
    return Failure(ExitCode.FAILED, exc.code, f"Kaltura refused{where}: {exc.message}")


def refusal_of(exc: UploadError) -> ApiError | None:
    """Return the session refusal that stopped an upload (its cause), or None for any other
    failure: a role lacking an action, a KS refused or ended, an app token refused."""
    cause = exc.__cause__
    if isinstance(cause, ServiceForbiddenError | InvalidKsError | MissingKsError | AppTokenError):
        return cause
    return None


def _limit_failure(exc: AnswerTimeoutError | AnswerTooLargeError) -> Failure:
    """Name the limit an answer passed in the command line's own words (flag, variable)."""
    where = f" (in {exc.call})" if exc.call else ""
    if isinstance(exc, AnswerTimeoutError):
        problem = f"the answer took longer than --timeout {exc.seconds:g} s{where}"
        fix = (
            "raise --timeout / KALTURA_MM_TIMEOUT (Kaltura's time to answer, counted once the "
            "request is sent), or ask for less at a time"
        )
        return Failure(ExitCode.UNAVAILABLE, "transport", problem, fix)
    problem = f"the answer is larger than {byte_size(exc.limit)}{where}"
    fix = (
        "narrow the request (a smaller --limit, fewer ids at a time) "
        "or raise --max-answer / KALTURA_MM_MAX_ANSWER"
    )
    return Failure(ExitCode.UNAVAILABLE, "response", problem, fix)


def _pid(exc: ApiError) -> str:
    return exc.kaltura_args.get("PID", "?")


def _store_failure(exc: StoreError) -> Failure:
    if isinstance(exc, StoreBusyError):
        code = ExitCode.BUSY
    else:
        code = ExitCode.BAD_INPUT if exc.refused else ExitCode.FAILED
    return Failure(code, code.name.lower(), exc.problem, exc.fix)


def describe(exc: BaseException, secrets: tuple[str, ...] = ()) -> Failure:
    """Return what to tell the user about ``exc``; secrets in messages are redacted."""
    failure = _describe(exc)
    return attrs.evolve(
        failure, problem=redact(failure.problem, secrets), fix=redact(failure.fix, secrets)
    )


def _describe(exc: BaseException) -> Failure:
    if isinstance(exc, PruneWithheldError):  # told as the refusal it was withheld for
        failure = _describe(exc.cause)
        return attrs.evolve(failure, problem=exc.message + failure.problem)
    if isinstance(exc, CliError):
        return Failure(exc.code, exc.code.name.lower(), exc.problem, exc.fix)
    if isinstance(exc, StoreError):
        return _store_failure(exc)
    if isinstance(exc, KeyboardInterrupt):
        return Failure(ExitCode.INTERRUPTED, "interrupted", "interrupted")
    if isinstance(exc, ConfigError):
        return Failure(ExitCode.BAD_INPUT, "bad_input", str(exc))
    if isinstance(exc, CategoryLookupError):  # before ApiError: CategoryNotFoundError is both
        code = ExitCode.BAD_INPUT if isinstance(exc, AmbiguousCategoryError) else ExitCode.NOT_FOUND
        fix = "`kaltura-mm categories` lists every category with its id and full path"
        wanted = str(getattr(exc, "wanted", "") or "")
        if code is ExitCode.NOT_FOUND and wanted and not wanted.strip().isdigit():
            fix += "; `upload` and `sync` make a missing one with --create-categories"
        return Failure(code, "category", str(exc), fix)
    if isinstance(exc, ApiError):
        return _api_failure(exc)
    if isinstance(exc, AnswerTimeoutError | AnswerTooLargeError):
        return _limit_failure(exc)
    if isinstance(exc, ServerSilentError):
        fix = (
            "check that the server is up and reachable, then run the same command again (what "
            "was done is kept); --patience SECONDS / KALTURA_MM_PATIENCE waits longer"
        )
        return Failure(ExitCode.UNAVAILABLE, "transport", f"no answer from Kaltura: {exc}", fix)
    if isinstance(exc, TransportError):
        fix = "check the service URL and your network, then re-run"
        return Failure(ExitCode.UNAVAILABLE, "transport", f"no answer from Kaltura: {exc}", fix)
    if isinstance(exc, ResponseError) and exc.status in _STATUS_FIXES:
        problem, fix = _STATUS_FIXES[exc.status]
        return Failure(ExitCode.UNAVAILABLE, "response", f"{problem}: {exc}", fix)
    if isinstance(exc, ResponseError):
        fix = "check that the service URL is the Kaltura server's root (without /api_v3)"
        return Failure(ExitCode.UNAVAILABLE, "response", f"not a Kaltura answer: {exc}", fix)
    if isinstance(exc, ReferenceIdNotWritableError):
        fix = (
            f"use an admin session (the admin secret), or ask the account's administrator for "
            f"a role with {exc.permission} for this user"
        )
        return Failure(ExitCode.AUTH, "permission", str(exc), fix)
    if isinstance(exc, FieldNotWritableError):
        fix = (
            f"use an admin session (the admin secret), or a role with "
            f"{' and '.join(exc.permissions)}"
            if exc.permissions
            else "check the value against what the server accepts"
        )
        return Failure(
            ExitCode.AUTH if exc.permissions else ExitCode.FAILED, "permission", str(exc), fix
        )
    if isinstance(exc, UploadError):
        refused = refusal_of(exc)
        if refused is not None:  # the session was refused half way: not resumable as it is
            return _api_failure(refused)
        return Failure(ExitCode.FAILED, "upload", str(exc), "re-run the same command to resume")
    if isinstance(exc, KalturaError):
        return Failure(ExitCode.FAILED, type(exc).__name__, str(exc))
    if isinstance(exc, FileNotFoundError | IsADirectoryError | PermissionError):
        return Failure(ExitCode.BAD_INPUT, "file", f"{exc.strerror}: {exc.filename}")
    if isinstance(exc, OSError):
        return Failure(ExitCode.FAILED, "os", str(exc))
    return Failure(
        ExitCode.FAILED,
        "internal",
        f"internal error ({type(exc).__name__}: {exc})",
        "re-run with --verbose and report it with the output",
    )
