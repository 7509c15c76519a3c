"""KS renewal, wrapped around each call the way httpx's auth flows wrap a request.

The server checks the KS of a call, and of each item of a multiRequest, against its clock when
it comes to it (``kPermissionManager::errorIfKsNotValid`` in kaltura/server), before the action
runs. So ``INVALID_KS`` with reason ``EXPIRED`` means that call, or those items, did not run, and
sending them again with a valid KS is safe. On such an answer:

- if the KS the request carried is still the provider's current one, the provider is asked for a
  fresh one (``renew()``); if not, another call renewed it meanwhile, and the call goes again with
  the current KS without a renewal of its own, so calls refused together make one renewal;
- a multiRequest the KS expired in the middle of ran its items up to the first refused one: the
  rest is sent again as a batch of its own, with the results of the items that ran written into
  the references to them (``protocol.remainder``), and the outcomes are put together as the one
  answer the flow asked for. Nothing runs twice;
- a fresh KS can expire again before its request is read (a loaded machine, a queue): a call is
  renewed up to ``MAX_RENEWALS`` times and sent again after ``MAX_EXPIRED`` expired answers in
  all, then the error stands. A provider that cannot renew (a fixed KS) leaves it at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kaltura_mm.errors import InvalidKsError, KalturaError
from kaltura_mm.ks import KsProvider
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse
from kaltura_mm.protocol.remainder import Pieces
from kaltura_mm.runtime.exchange import CallFlow, Sendable

MAX_RENEWALS = 3
MAX_EXPIRED = 6
log = logging.getLogger("kaltura_mm.client")


def _is_expired(outcome: Any) -> bool:
    return isinstance(outcome, InvalidKsError) and outcome.expired


def refused_from(outcome: Any) -> int | None:
    """Return the 1-based item from which ``outcome`` was refused for an expired KS (1 for a
    single call), or None if it was not, or if an item after it ran (then nothing may be sent
    again)."""
    if not isinstance(outcome, MultiResponse):
        return 1 if _is_expired(outcome) else None
    raw = outcome.server_outcomes
    first = next((n for n, o in enumerate(raw, start=1) if _is_expired(o)), None)
    if first is None or not all(isinstance(o, KalturaError) for o in raw[first - 1 :]):
        return None
    return first


def renewing(
    target: Sendable,
    ks: KsProvider,
    send: Callable[[Sendable], CallFlow],
    carried: Callable[[], str | None],
) -> CallFlow:
    """Run ``send(target)``, sending again what an expired KS refused (see the module).

    ``carried()`` returns the KS of the request last sent.
    """
    pieces = Pieces(target) if isinstance(target, MultiRequest) else None
    current, renewals, refusals = target, 0, 0
    while True:
        try:
            outcome: Any = yield from send(current)
        except KalturaError as exc:
            outcome = exc
        start = refused_from(outcome)
        if start is None or refusals == MAX_EXPIRED:
            break
        refusals += 1
        if carried() == ks.current():  # nobody renewed it since: this call does
            if renewals == MAX_RENEWALS or not ks.renew():
                break
            renewals += 1
        log.info("the KS expired: sending %s again with a fresh one", current.label)
        if start > 1:
            assert pieces is not None and isinstance(outcome, MultiResponse)
            current = pieces.rest(outcome, start)
    if pieces is not None and pieces.ran and isinstance(outcome, MultiResponse):
        outcome = pieces.whole(outcome)
    if isinstance(outcome, KalturaError):
        raise outcome
    return outcome
