"""Every error kaltura-mm raises, split by what it holds and whose fault it is.

```
KalturaError                        base of everything below
├── ApiError                        the server answered "no": code, message, args, call
│   ├── InvalidKsError              INVALID_KS (expired, revoked, unparseable, wrong owner)
│   ├── MissingKsError              MISSING_KS
│   ├── ServiceForbiddenError       SERVICE_FORBIDDEN
│   │   └── PermissionMissingError  known before sending: the role lacks ``permission``
│   ├── AppTokenError               APP_TOKEN_ID_NOT_FOUND, APP_TOKEN_NOT_ACTIVE,
│   │                               APP_TOKEN_EXPIRED, INVALID_APP_TOKEN_HASH
│   ├── ActionBlockedError          ACTION_BLOCKED (rate limit; safe to retry)
│   ├── EntryNotFoundError          ENTRY_ID_NOT_FOUND, INVALID_ENTRY_ID
│   ├── CategoryNotFoundError       CATEGORY_NOT_FOUND, or no category has the path or name
│   │                               looked up (also a CategoryLookupError)
│   ├── CategoryEntryExistsError    CATEGORY_ENTRY_ALREADY_EXISTS
│   ├── EntryNotInCategoryError     ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY
│   ├── RecycleBinDisabledError     FEATURE_RECYCLE_BIN_DISABLED (the account has no recycle bin)
│   ├── UploadTokenNotFoundError    UPLOAD_TOKEN_NOT_FOUND
│   └── ResumeExpiredError          UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED (a token idle > 7 days)
├── CategoryLookupError             a category named by the caller cannot be picked (also a
│   │                               LookupError): wanted, candidates
│   ├── CategoryNotFoundError       (the ApiError above)
│   └── AmbiguousCategoryError      several categories have that name: give the path or the id
├── DependencyError                 a multiRequest item whose referenced item failed
├── ListingError                    the server's answers break what a full listing relies on
├── WaitTimeoutError                a wait for the server (``runtime.poll``) passed its bound
├── TransportError                  no usable answer (connect/read errors, timeouts)
│   ├── AnswerTimeoutError          the answer took longer than ``Timeouts.answer``
│   └── ServerSilentError           no usable answer for ``RetryPolicy.patience`` s: gave up
├── ResponseError                   an answer we cannot read (HTML page, truncated JSON, 5xx)
│   └── AnswerTooLargeError         the answer is larger than ``Config.max_answer_bytes``
├── PruneWithheldError              a sync's prune not sent: an add of the run was refused for
│                                   permission (``cause``)
├── FieldNotWritableError           an update's answer kept a field's old value (the role may
│                                   not write it): fields, permissions
├── UploadError                     an upload that stopped; carries what is needed to resume
│   ├── UploadCancelledError        cancelled by the caller
│   ├── FileChangedError            the file changed during or since the upload
│   ├── ReferenceIdNotWritableError the session may not set referenceId (the server dropped it)
│   ├── ReplacementFailedError      a replacement's new content failed; cancelled, ``cause``
│   └── ReplacementTimeoutError     ``wait_ready`` gave up on a replacement still under way
└── ConfigError (also ValueError)   bad input from the caller, naming the problem and the fix
    └── ActionNotAllowedError       the MediaManager's mode or item actions forbid the action
```

Older names stay as aliases of the same classes: ``CategoryNotFound``, ``AmbiguousCategory``,
``ActionNotAllowed``. A KS or secret never appears in these errors: server messages that echo a
KS are redacted when the error is decoded (``redact``).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

REDACTED = "<redacted>"

# Reasons the server puts in KSID when a KS parses but is no longer valid (spec 4.4).
KS_REASONS = frozenset(
    {
        "EXPIRED",
        "LOGOUT",
        "INVALID_PARTNER",
        "INVALID_USER",
        "EXCEEDED_ACTIONS_LIMIT",
        "EXCEEDED_RESTRICTED_IP",
        "EXCEEDED_RESTRICTED_URI",
        "",
    }
)
# Candidates for a KS: long runs of base64 characters.
_KS_LIKE = re.compile(r"[A-Za-z0-9+/_\-]{40,}={0,2}")
_V1_SIGNATURE = re.compile(rb"^[0-9a-f]{40}\|")


def _is_ks(text: str) -> bool:
    if text.startswith("djJ8"):  # base64 of "v2|"
        return True
    try:
        raw = base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4))
    except ValueError:
        return False
    return bool(_V1_SIGNATURE.match(raw))  # v1: sha1 hex, "|", fields


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Return ``text`` with the given secrets and any KS (v1 or v2) replaced by a marker."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _KS_LIKE.sub(lambda m: REDACTED if _is_ks(m.group()) else m.group(), text)


class KalturaError(Exception):
    """Base of every error kaltura-mm raises."""


class ApiError(KalturaError):
    """The server refused a call: Kaltura's ``code``, ``message``, ``args`` and the call."""

    code_name: ClassVar[str | None] = None
    _registry: ClassVar[dict[str, type[ApiError]]] = {}

    def __init__(
        self, code: str, message: str, args: Mapping[str, str] | None = None, call: str = ""
    ) -> None:
        """Hold the server's error code, message, arguments and the failed call's name."""
        super().__init__(f"{code}: {message}" + (f" (in {call})" if call else ""))
        self.code = code
        self.message = message
        # Exception.args is taken (a tuple), so Kaltura's named arguments live here.
        self.kaltura_args: Mapping[str, str] = MappingProxyType(dict(args or {}))
        self.call = call

    def __init_subclass__(cls, codes: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for code in codes:
            ApiError._registry[code] = cls

    @staticmethod
    def create(
        code: str, message: str, args: Mapping[str, str] | None = None, call: str = ""
    ) -> ApiError:
        """Build the most specific ApiError subclass registered for ``code``."""
        cls = ApiError._registry.get(code, ApiError)
        return cls(code, message, args, call)

    def __reduce__(self) -> Any:
        return (ApiError.create, (self.code, self.message, dict(self.kaltura_args), self.call))


class InvalidKsError(ApiError, codes=("INVALID_KS",)):
    """The KS was rejected: expired, revoked, unparseable, or not allowed for this object."""

    @property
    def reason(self) -> str:
        """Return the server's reason (``EXPIRED``, ``LOGOUT``...; the KS itself is redacted)."""
        return self.kaltura_args.get("KSID", "")

    @property
    def expired(self) -> bool:
        """Return whether the KS was rejected because it expired."""
        return self.reason == "EXPIRED"


class MissingKsError(ApiError, codes=("MISSING_KS",)):
    """The call needs a KS and none was sent."""


class ServiceForbiddenError(ApiError, codes=("SERVICE_FORBIDDEN",)):
    """The session's role may not call this action."""


class PermissionMissingError(ServiceForbiddenError):
    """What the server said the session's role holds lacks ``permission``, which ``action``
    needs: refused by the client before it sent (or made) anything."""

    def __init__(self, action: str, permission: str, prefix: str = "") -> None:
        """Name the action refused and the permission to give the role (``prefix``: what was
        withheld because of it)."""
        message = (
            f"{prefix}this session may not call {action}: its role lacks {permission} (the "
            "server's permission.getCurrentPermissions), so nothing was created"
        )
        super().__init__("SERVICE_FORBIDDEN", message, {"SERVICE": action})
        self.action = action
        self.permission = permission
        self.prefix = prefix

    def __reduce__(self) -> Any:
        return (PermissionMissingError, (self.action, self.permission, self.prefix))


APP_TOKEN_CODES = (
    "APP_TOKEN_ID_NOT_FOUND",
    "APP_TOKEN_NOT_ACTIVE",
    "APP_TOKEN_EXPIRED",
    "INVALID_APP_TOKEN_HASH",
)


class AppTokenError(ApiError, codes=APP_TOKEN_CODES):
    """The server would not start a session from the app token: unknown or revoked id, disabled,
    expired, or a token (or hash type) that is not the one the id was made with."""


class ActionBlockedError(ApiError, codes=("ACTION_BLOCKED",)):
    """The server rate-limited the call before running it (safe to retry)."""


class EntryNotFoundError(ApiError, codes=("ENTRY_ID_NOT_FOUND", "INVALID_ENTRY_ID")):
    """The entry does not exist or was deleted."""


class CategoryLookupError(KalturaError, LookupError):
    """A category the caller named could not be picked; ``candidates`` are near matches."""

    wanted: str = ""
    candidates: tuple[Any, ...] = ()

    def _looked_for(self, wanted: str, candidates: Sequence[Any]) -> None:
        self.wanted = wanted
        self.candidates = tuple(candidates)


_MAX_CANDIDATES = 10


def _with_candidates(message: str, candidates: Sequence[Any]) -> str:
    names = [f"{c.full_name} (id {c.id})" for c in candidates[:_MAX_CANDIDATES]]
    return message + ("; candidates: " + ", ".join(names) if names else "")


class CategoryNotFoundError(ApiError, CategoryLookupError, codes=("CATEGORY_NOT_FOUND",)):
    """The category does not exist or was deleted, or no category has the path or name asked for.

    ``wanted`` and ``candidates`` (categories that came close) are set by a lookup by path.
    """

    @classmethod
    def lookup(
        cls, message: str, wanted: str, candidates: Sequence[Any] = ()
    ) -> CategoryNotFoundError:
        """Return the error of a lookup that found no category (said without the code)."""
        error = cls("CATEGORY_NOT_FOUND", _with_candidates(message, candidates))
        error.args = (error.message,)
        error._looked_for(wanted, candidates)
        return error


class AmbiguousCategoryError(CategoryLookupError):
    """Several categories have this name: use the full path or the id."""

    def __init__(self, message: str, wanted: str, candidates: Sequence[Any] = ()) -> None:
        """Name what was looked for and list the categories that share the name."""
        super().__init__(_with_candidates(message, candidates))
        self._looked_for(wanted, candidates)


class CategoryEntryExistsError(ApiError, codes=("CATEGORY_ENTRY_ALREADY_EXISTS",)):
    """The entry is already assigned to the category."""


class EntryNotInCategoryError(ApiError, codes=("ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY",)):
    """The entry is not assigned to the category."""


class RecycleBinDisabledError(ApiError, codes=("FEATURE_RECYCLE_BIN_DISABLED",)):
    """The account has no recycle bin (the partner feature ``FEATURE_RECYCLE_BIN`` is off):
    ``baseEntry.recycle`` is refused; deleting is for good."""


class UploadTokenNotFoundError(ApiError, codes=("UPLOAD_TOKEN_NOT_FOUND",)):
    """The upload token does not exist, was deleted, or belongs to another user."""


class ResumeExpiredError(ApiError, codes=("UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED",)):
    """The upload token was idle longer than the server resumes (7 days): it is dead."""


class DependencyError(KalturaError):
    """A multiRequest item referenced the result of an item that failed."""

    def __init__(self, index: int, dependency: int, cause: KalturaError, server_outcome: Any):
        """Record which item (1-based) failed because of which earlier item."""
        super().__init__(
            f"multiRequest item {index} used the result of item {dependency}, which failed: {cause}"
        )
        self.index = index
        self.dependency = dependency
        self.cause = cause
        self.server_outcome = server_outcome


class ListingError(KalturaError):
    """Listing cannot go on: the server's answers break what the keyset relies on."""


class WaitTimeoutError(KalturaError, TimeoutError):
    """A wait for the server to reach a state (``runtime.poll``: the index to show something,
    an entry to be READY) passed its bound; ``waited`` is how long it waited. Nothing failed:
    what was awaited may still happen, so look again later."""

    def __init__(self, message: str, *, waited: float) -> None:
        """Say what was awaited and for how long."""
        super().__init__(message)
        self.waited = waited


class TransportError(KalturaError):
    """No usable answer arrived (connection refused or reset, timeout).

    ``may_have_reached_server`` is False only when the request provably never left the machine.
    """

    def __init__(self, message: str, *, may_have_reached_server: bool, call: str = "") -> None:
        """Describe the failure and whether the server may have received the request."""
        super().__init__(message + (f" (in {call})" if call else ""))
        self.may_have_reached_server = may_have_reached_server
        self.call = call


class ServerSilentError(TransportError):
    """The server gave this run no usable answer for ``RetryPolicy.patience`` seconds: the run
    stopped trying (``--patience``). ``silent_for`` is how long it had been silent; ``__cause__``
    is the last failure. What was done stays done: the same command resumes."""

    def __init__(
        self, message: str, *, may_have_reached_server: bool, silent_for: float, call: str = ""
    ) -> None:
        """Describe the silence; ``may_have_reached_server`` is the last failed request's."""
        super().__init__(message, may_have_reached_server=may_have_reached_server, call=call)
        self.silent_for = silent_for


class ResponseError(KalturaError):
    """An answer arrived that is not a Kaltura response (HTML page, truncated JSON, HTTP 5xx)."""

    def __init__(self, message: str, *, status: int, excerpt: str = "", call: str = "") -> None:
        """Describe the answer, keeping its HTTP status and a short redacted excerpt."""
        detail = f"{message} (HTTP {status}" + (f", in {call}" if call else "") + ")"
        if excerpt:
            detail += f": {excerpt!r}"
        super().__init__(detail)
        self.status = status
        self.excerpt = excerpt
        self.call = call


def byte_size(count: int) -> str:
    """Return ``count`` bytes as people write them: ``64 MiB``, ``1.5 GiB``, ``900 bytes``."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:.4g} {unit}"
    return f"{count} bytes"


class AnswerTimeoutError(TransportError):
    """The whole answer took longer than ``seconds`` (``Timeouts.answer``).

    The clock starts once the request's last byte is sent, so an upload's own sending is never
    counted. The call may have run on the server: only a call that is safe to repeat is re-sent.
    """

    def __init__(self, seconds: float, *, call: str = "") -> None:
        """Name the limit that was passed."""
        super().__init__(
            f"the answer took longer than {seconds:g} s (Timeouts.answer): raise it, or ask for "
            "less at a time",
            may_have_reached_server=True,
            call=call,
        )
        self.seconds = seconds


class AnswerTooLargeError(ResponseError):
    """The answer is larger than ``limit`` bytes (``Config.max_answer_bytes``); it was not read.

    Never re-sent: the same request would bring the same answer. Ask for less (a smaller page,
    fewer ids) or raise the limit.
    """

    def __init__(self, limit: int, *, status: int, call: str = "") -> None:
        """Name the limit that was passed and the answer's HTTP status."""
        super().__init__(
            f"the answer is larger than {byte_size(limit)} (Config.max_answer_bytes): narrow the "
            "request (a smaller page, fewer ids) or raise the limit",
            status=status,
            call=call,
        )
        self.limit = limit


class UploadError(KalturaError):
    """An upload stopped; ``token_id`` and ``uploaded`` (bytes the server holds) let it resume.

    ``state`` is the ``UploadState`` to hand to ``resume_upload`` (None if nothing was created).
    """

    def __init__(
        self,
        message: str,
        *,
        token_id: str | None = None,
        uploaded: int = 0,
        state: object | None = None,
    ) -> None:
        """Describe the failure with the state needed to resume."""
        super().__init__(message)
        self.token_id = token_id
        self.uploaded = uploaded
        self.state = state


class UploadCancelledError(UploadError):
    """The upload was cancelled; what it made was deleted unless kept for resume."""


class FileChangedError(UploadError):
    """The file changed on disk during or since the upload; it was not mixed with the old one."""


class ReplacementFailedError(UploadError):
    """The new content failed in the server's temporary entry; the replacement was cancelled
    and the entry keeps its old content. ``cause`` names what failed."""

    def __init__(self, message: str, *, cause: str) -> None:
        """Say what failed and that the replacement was cancelled."""
        super().__init__(message)
        self.cause = cause


class ReplacementTimeoutError(UploadError):
    """``wait_ready`` gave up: the replacement is still under way (the message says where)."""


class PruneWithheldError(KalturaError):
    """A sync did not prune (detach or delete) because an add of the same run was refused for
    permission: ``cause`` is that refusal (``kaltura_mm.sync.withhold``)."""

    def __init__(self, message: str, cause: KalturaError) -> None:
        """Say what was withheld and why; keep the refusal it was withheld for."""
        super().__init__(f"{message}{cause}")
        self.message = message
        self.cause = cause

    def __reduce__(self) -> Any:
        return (PruneWithheldError, (self.message, self.cause))


class ReferenceIdNotWritableError(UploadError):
    """The server dropped the entry's referenceId: this session's role lacks ``permission``.

    Found from the create's answer before any of the file was sent; what the create made was
    deleted. Uploads and sync find their entries by referenceId, so none is made without it.
    """

    permission = "CONTENT_INGEST_REFERENCE_MODIFY"


class FieldNotWritableError(KalturaError):
    """The server kept a field's old value although a new one was sent (an update's answer).

    A field this session's role may not write is dropped silently: only a response header says
    so. ``fields`` names the fields that came back unchanged; ``permissions`` the permissions
    that write them (empty when kaltura-mm does not know which).
    """

    def __init__(
        self, message: str, *, fields: tuple[str, ...], permissions: tuple[str, ...]
    ) -> None:
        """Name the fields the server kept and the permissions that would write them."""
        super().__init__(message)
        self.fields = fields
        self.permissions = permissions


class ConfigError(KalturaError, ValueError):
    """Bad input from the caller; the message names the problem and the fix."""


class ActionNotAllowedError(ConfigError):
    """The manager's mode or item actions do not allow this action; nothing was sent."""


# The names these classes had before the tree was made one.
CategoryNotFound = CategoryNotFoundError
AmbiguousCategory = AmbiguousCategoryError
ActionNotAllowed = ActionNotAllowedError


class RetryableCall(Protocol):
    """What ``is_retryable`` needs to know about a call."""

    @property
    def idempotent(self) -> bool:
        """Whether sending the call twice has the same effect as sending it once."""

    @property
    def retry_codes(self) -> frozenset[str]:
        """API error codes after which this call may be re-sent."""


# Statuses that mean the request was turned away before it ran (429 Too Many Requests).
_REJECTED_STATUSES = frozenset({429})


def is_throttle(exc: BaseException) -> bool:
    """Return whether ``exc`` is the server pushing back before running the call: slow down."""
    return isinstance(exc, ActionBlockedError) or (
        isinstance(exc, ResponseError) and exc.status in _REJECTED_STATUSES
    )


def is_retryable(exc: BaseException, call: RetryableCall) -> bool:
    """Decide whether ``call`` may be sent again after it failed with ``exc``.

    Rules: an answer saying "not run" (``ACTION_BLOCKED``, HTTP 429) or a request that never left
    the machine is always safe to re-send; anything that may have run on the server is re-sent
    only when the call is idempotent; ``retry_codes`` lists API errors the call itself declares
    retryable (e.g. a final upload chunk's size mismatch).
    """
    if is_throttle(exc):
        return True
    if isinstance(exc, AnswerTooLargeError | ServerSilentError):
        return False
    if isinstance(exc, ApiError):
        return exc.code in call.retry_codes
    if isinstance(exc, TransportError):
        return call.idempotent or not exc.may_have_reached_server
    if isinstance(exc, ResponseError):
        return call.idempotent and (exc.status >= 500 or exc.status == 200)
    return False
