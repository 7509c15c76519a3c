"""``actionslimit:N``: a KS that may be used for N calls (``ks::isValid``, ``invalidSession``).

The first use stores N-1 uses left; each later use takes one; a KS with none left is
``INVALID_KS`` with ``KSID`` = ``EXCEEDED_ACTIONS_LIMIT`` (``-1,INVALID_STR``: the front
controller's mapping of the core "Invalid KS" exception). A limit that is not a number above 0 is
``INVALID_ACTIONS_LIMIT`` at its first use. A use is counted when the KS is checked, after the
arguments are read and before the role's permission check: a forbidden call still uses one.

Inside one multirequest, a sub-request with the same KS and partner as the sub-request checked
just before it is not counted again (``kPermissionManager::init`` skips a context it has just
initialised). The counts live in memory: a sandbox restarted on its data folder forgets them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from kaltura_mm.sandbox.errors import KalturaApiException, invalid_ks
from kaltura_mm.sandbox.ks import VerifiedKs

PRIVILEGE = "actionslimit"
Context = tuple[str, object]
_LAST: ContextVar[list[Context | None] | None] = ContextVar("sandbox_ks_context", default=None)


@contextmanager
def one_request() -> Iterator[None]:
    """Mark the calls made in the block as one HTTP request's (a multirequest's)."""
    token = _LAST.set([None])
    try:
        yield
    finally:
        _LAST.reset(token)


def initialised(context: Context) -> None:
    """Record that ``context`` (KS, partner parameter) passed its checks in this request."""
    last = _LAST.get()
    if last is not None:
        last[0] = context


class ActionsLimits:
    """The uses left of every action-limited KS seen."""

    def __init__(self) -> None:
        self._left: dict[str, int] = {}
        self._lock = threading.Lock()

    def use(self, ks_text: str, session: VerifiedKs, context: Context, consume: bool) -> None:
        """Count one use of ``ks_text`` (``consume=False``: only check that one is left)."""
        limit = session.actions_limit
        if limit is None:
            return
        last = _LAST.get()
        if last is not None and last[0] == context:
            return
        with self._lock:
            left = self._left.get(ks_text)
            if left is None:
                if not limit.strip().isdigit() or int(limit) <= 0:
                    raise KalturaApiException("INVALID_ACTIONS_LIMIT")
                left = int(limit)
            if left <= 0:
                raise invalid_ks("EXCEEDED_ACTIONS_LIMIT")
            if consume:
                self._left[ks_text] = left - 1
