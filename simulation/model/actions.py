"""How an action is declared, and how its arguments are read (``KalturaRequestDeserializer``).

Objects are read with the sandbox's schema (``objectType`` honoured only for a subclass of the
declared type, unknown properties ignored, ``prop__null`` clears); scalars with PHP's casts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kaltura_mm.sandbox import coerce
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.schema import KInput, read_object
from simulation.model.ks import VerifiedKs
from simulation.model.request import FilePart
from simulation.model.state import State


@dataclass(frozen=True, slots=True)
class Param:
    """One action parameter: name, kind (str/int/float/bool/object/file), type and default."""

    name: str
    kind: str = "str"
    required: bool = False
    default: Any = None
    type: str = ""


@dataclass(frozen=True, slots=True)
class Action:
    """An action: what runs, its parameters, and who may call it."""

    run: Callable[[Ctx], Any]
    params: tuple[Param, ...] = ()
    needs_ks: bool = True
    admin_only: bool = False


@dataclass(slots=True)
class Ctx:
    """One dispatched call: the state, the caller, and the arguments read."""

    state: State
    service: str
    action: str
    partner_id: int
    session: VerifiedKs | None
    args: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # written into the HTTP response

    @property
    def user_id(self) -> str:
        """Return the KS user ("" without a KS)."""
        return self.session.user_id if self.session else ""

    @property
    def is_admin(self) -> bool:
        """Return True for an ADMIN KS."""
        return bool(self.session and self.session.is_admin)

    def now(self) -> float:
        """Return the virtual time."""
        return self.state.now()

    def permitted(self, permission: str) -> bool:
        """Return whether the caller's role grants ``permission`` (an ADMIN session: all)."""
        if self.is_admin:
            return True
        partner = self.state.partners.get(self.partner_id)
        return partner is not None and permission in partner.permissions_of(self.user_id)

    def obj(self, name: str) -> KInput | None:
        """Return an object argument, or None when it was not sent."""
        value = self.args.get(name)
        return value if isinstance(value, KInput) else None


def read_args(params: tuple[Param, ...], raw: dict[str, Any], now: float) -> dict[str, Any]:
    """Read and validate the arguments (dispatch step 3: before the KS expiry check)."""
    args: dict[str, Any] = {}
    for param in params:
        value = raw.get(param.name)
        if param.kind == "file":
            args[param.name] = _file(param, value)
        elif param.kind == "object":
            args[param.name] = _object(param, value, now)
        elif value is None or isinstance(value, dict | list):
            if param.required:
                raise KalturaApiException("MISSING_MANDATORY_PARAMETER", param.name)
            args[param.name] = param.default
        else:
            args[param.name] = _scalar(param, value)
    return args


def _file(param: Param, value: Any) -> FilePart | None:
    if value is None:
        if param.required:
            raise KalturaApiException("MISSING_MANDATORY_PARAMETER", param.name)
        return None
    if not isinstance(value, FilePart):
        raise KalturaApiException("UPLOAD_ERROR")  # not a real multipart upload (is_uploaded_file)
    return value


def _object(param: Param, value: Any, now: float) -> KInput | None:
    if not isinstance(value, dict):
        if param.required:
            raise KalturaApiException("MISSING_MANDATORY_PARAMETER", param.name)
        return None
    return read_object(value, param.type, now)


def _scalar(param: Param, value: Any) -> Any:
    if param.kind == "int":
        return coerce.to_int(value)
    if param.kind == "float":
        return coerce.to_float(value)
    if param.kind == "bool":
        return coerce.to_bool(value)
    return coerce.to_str(value, param.name)


def pager(ctx: Ctx, without_pager: int = 30) -> tuple[int, int]:
    """Return (pageSize, pageIndex) as ``KalturaFilterPager`` clamps them (max 500)."""
    given = ctx.obj("pager")
    if given is None:
        return without_pager, 1
    size = int(given.get("pageSize", 30))
    return max(0, min(size, 500)), max(1, int(given.get("pageIndex", 1)))


def cut(csv: str, limit: int) -> list[str]:
    """Split an ``…In`` value and keep the first ``limit`` items (``baseObjectFilter``: 500)."""
    return [item.strip() for item in csv.split(",") if item.strip()][:limit]


def list_response(object_type: str, objects: list[Any], total: int) -> dict[str, Any]:
    """Return a ``Kaltura…ListResponse``."""
    return {"objects": objects, "totalCount": total, "objectType": object_type}
