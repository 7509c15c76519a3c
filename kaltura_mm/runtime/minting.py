"""Sessions a KS provider starts through calls (an app token's), started before a call needs one.

A *minting* provider (``kaltura_mm.ks.MintingKsProvider``, e.g. ``AppTokenKs``) cannot make a KS
by itself. Before a call that carries the client's KS is sent, ``ensure_session`` asks it
whether a session is due (none yet, about to end, or refused as ``EXPIRED``: ``renewal``); if so,
the first call to see it runs the provider's minting flow, its calls sent here with the one retry
policy and no KS of the client's, and the calls that come meanwhile wait (a short pause at a
time) and then use that session, or fail with the same error: N calls in flight start one session.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from random import Random
from typing import Any

from kaltura_mm.errors import KalturaError
from kaltura_mm.ks import MintingKsProvider
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime.exchange import CallFlow, Pause, Sendable, exchange
from kaltura_mm.runtime.retry import retrying
from kaltura_mm.runtime.settings import Settings

WAIT = 0.05  # seconds between looks while another call starts the session
log = logging.getLogger("kaltura_mm.client")


def carries_ks(target: Sendable) -> bool:
    """Return whether ``target`` is sent with the client's KS (a multiRequest always is)."""
    return isinstance(target, MultiRequest) or target.needs_ks


def ensure_session(provider: MintingKsProvider, settings: Settings, random: Random) -> CallFlow:
    """Make sure ``provider`` holds a session that is not due, starting one if needed."""
    started = False
    while provider.due() and not started:  # one fresh session is used, even a short one
        taken, seen = provider.claim()
        if not taken:
            yield Pause(WAIT)
            failure = provider.failure_since(seen)
            if failure is not None:
                raise failure
            continue
        try:
            info = yield from _run(provider.minting(), settings, random)
        except KalturaError as exc:
            provider.release(exc)
            raise
        except BaseException:
            provider.release(None)  # stopped (the run ended): the next call starts it again
            raise
        provider.accept(info)
        started = True
        log.info("started a session from the app token")


def _run(flow: Generator[Any, Any, Any], settings: Settings, random: Random) -> CallFlow:
    """Run a flow of plain calls, each sent (and retried) here with no KS of the client's."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            call = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value
        if not isinstance(call, Call):
            flow.close()
            raise TypeError(f"a minting flow yielded {call!r}, which is not a Call")
        value, error = None, None
        try:
            value = yield from retrying(call, settings.retry, random, _attempt(settings, random))
        except KalturaError as exc:
            error = exc


def _attempt(settings: Settings, random: Random) -> Any:
    def attempt(current: Sendable) -> CallFlow:
        return exchange(current, None, settings.client_tag, settings.secrets, random)

    return attempt
