"""How one call is sent: KS renewal around (a session started if due, then) the retry policy
around single attempts."""

from __future__ import annotations

from random import Random

from kaltura_mm.ks import is_minting
from kaltura_mm.runtime.exchange import CallFlow, Sendable, exchange
from kaltura_mm.runtime.minting import carries_ks, ensure_session
from kaltura_mm.runtime.renewal import renewing
from kaltura_mm.runtime.retry import retrying
from kaltura_mm.runtime.settings import Settings


def call_flow(target: Sendable, settings: Settings, random: Random) -> CallFlow:
    """Return the call flow sending ``target``; each attempt takes the KS of its moment."""
    carried: list[str | None] = [None]  # the KS of the request last sent

    def attempt(current: Sendable) -> CallFlow:
        ks = carried[0] = settings.ks.current()
        return exchange(current, ks, settings.client_tag, settings.secrets, random)

    def send(current: Sendable) -> CallFlow:
        if is_minting(settings.ks) and carries_ks(current):
            yield from ensure_session(settings.ks, settings, random)
        return (yield from retrying(current, settings.retry, random, attempt))

    return renewing(target, settings.ks, send, lambda: carried[0])
