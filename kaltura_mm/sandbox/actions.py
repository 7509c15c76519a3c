"""How an action is declared (its parameters and access rules) and how its arguments are read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kaltura_mm.sandbox import coerce
from kaltura_mm.sandbox.claims import Claim
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.ks import VerifiedKs
from kaltura_mm.sandbox.schema import read_object

if TYPE_CHECKING:
    from kaltura_mm.sandbox.core import Core


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part, already streamed to disk.

    With ``claim`` set, the bytes were written in place into an upload token's file (``path``)
    at ``claim.offset`` rather than into a file of their own.
    """

    path: Path
    filename: str
    size: int
    claim: Claim | None = None


@dataclass(frozen=True)
class Param:
    """One action parameter: name, kind (str/int/float/bool/enum/object/file) and defaults."""

    name: str
    kind: str = "str"
    required: bool = False
    default: Any = None
    type: str = ""
    enum: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ActionSpec:
    """A callable action with its parameters and who may call it."""

    run: Callable[[ActionCall], Any]
    params: tuple[Param, ...] = ()
    needs_ks: bool = True
    admin_only: bool = False
    # ``@validateUser``: an ownership check the dispatcher runs before the access check
    validate_user: Callable[[ActionCall], None] | None = None


@dataclass
class ActionCall:
    """One dispatched call: the core, the partner, the session and the read arguments."""

    core: Core
    partner_id: int
    session: VerifiedKs | None
    args: dict[str, Any] = field(default_factory=dict)
    # the permissions of the session's role (``roles``); "*" (all) for internal calls
    permissions: frozenset[str] = frozenset({"*"})
    ks_text: str = field(default="", repr=False)  # the KS as sent (appToken hashes it)

    @property
    def user_id(self) -> str:
        """Return the KS user id ("" when there is none)."""
        return self.session.user_id if self.session else ""

    @property
    def is_admin(self) -> bool:
        """Return True for an ADMIN KS."""
        return bool(self.session and self.session.is_admin)

    def now(self) -> float:
        """Return the sandbox time."""
        return self.core.clock.now()


def read_args(params: tuple[Param, ...], raw: dict[str, Any], now: float) -> dict[str, Any]:
    """Deserialize and validate action arguments (step 3 of the dispatcher)."""
    args: dict[str, Any] = {}
    for param in params:
        value = raw.get(param.name)
        if param.kind == "file":
            args[param.name] = _read_file(param, value)
        elif param.kind == "object":
            if not isinstance(value, dict):
                if param.required:
                    raise KalturaApiException("MISSING_MANDATORY_PARAMETER", param.name)
                args[param.name] = None
            else:
                args[param.name] = read_object(value, param.type, now)
        elif value is None or isinstance(value, dict | list):
            if param.required:
                raise KalturaApiException("MISSING_MANDATORY_PARAMETER", param.name)
            args[param.name] = param.default
        else:
            args[param.name] = _read_scalar(param, value)
    return args


def _read_file(param: Param, value: Any) -> UploadedFile | None:
    if value is None:
        if param.required:
            raise KalturaApiException("MISSING_MANDATORY_PARAMETER", param.name)
        return None
    if not isinstance(value, UploadedFile):
        raise KalturaApiException("UPLOAD_ERROR")  # not a real multipart upload (is_uploaded_file)
    return value


def _read_scalar(param: Param, value: Any) -> Any:
    if param.kind == "int":
        return coerce.to_int(value)
    if param.kind == "float":
        return coerce.to_float(value)
    if param.kind == "bool":
        return coerce.to_bool(value)
    if param.kind == "enum":
        return coerce.to_enum(value, param.enum, param.name, param.type)
    return coerce.to_str(value, param.name)


def pager_of(call: ActionCall, no_pager_size: int = 30) -> tuple[int, int]:
    """Return (pageSize, pageIndex) clamped as ``KalturaFilterPager`` does (max 500)."""
    pager = call.args.get("pager")
    if pager is None:
        return no_pager_size, 1
    size = int(pager.get("pageSize", 30))
    return max(0, min(size, 500)), max(1, int(pager.get("pageIndex", 1)))
