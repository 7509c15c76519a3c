"""KS renewal, wrapped around each call the way httpx's auth flows wrap a request.

After the server answers ``INVALID_KS`` with reason ``EXPIRED`` (for a batch: on every item, so
nothing ran), the KS provider is asked once for a fresh KS and the call is sent again. A provider
that cannot renew (a fixed KS) leaves the error as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kaltura_mm.errors import DependencyError, InvalidKsError, KalturaError
from kaltura_mm.ks import KsProvider
from kaltura_mm.protocol.calls import MultiResponse
from kaltura_mm.runtime.exchange import CallFlow

MAX_RENEWALS = 3


def expired(outcome: Any) -> bool:
    """Return True if ``outcome`` says the KS expired and nothing else happened."""
    if isinstance(outcome, InvalidKsError):
        return outcome.expired
    if isinstance(outcome, MultiResponse) and outcome.outcomes:
        # An expired KS fails every item; only then was nothing done, so sending again is safe.
        raw = [o.server_outcome if isinstance(o, DependencyError) else o for o in outcome]
        first = outcome.outcomes[0]
        every = all(isinstance(o, InvalidKsError) for o in raw)
        return every and isinstance(first, InvalidKsError) and first.expired
    return False


def renewing(ks: KsProvider, send: Callable[[], CallFlow]) -> CallFlow:
    """Run ``send()``; once, if its outcome says the KS expired, renew the KS and run it again."""
    for renewed in (False, True):
        try:
            outcome: Any = yield from send()
        except KalturaError as exc:
            outcome = exc
        if renewed or not expired(outcome) or not ks.renew():
            break
    if isinstance(outcome, KalturaError):
        raise outcome
    return outcome
