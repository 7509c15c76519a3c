"""The gate every request passes: the runtime asks it before each send, the adapters after.

``before(target)`` charges each sub-call to its own (service, action) in the shared budget and
returns how long to wait before sending (the runtime's machine waits, on its clock, within the
patience: ``Settings.limits``); ``after(...)`` reads the answer for ``ACTION_BLOCKED``
items and tells the budget, so that what one process learns every process uses at its next claim.
``known`` answers the runtime's ``SharedLimit`` effect (the batch engine sizes its steps by it)
and takes what a run learned of the server's window (``kaltura_mm.budget.model``).

If the budget's database cannot be used (a read-only home folder, a PostgreSQL server that went
away), the gate says so once in the log and lets requests through as if it were off: a rate budget
must never stop the work it paces.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import attrs

from kaltura_mm.budget.model import LEARNING_HOLD, Claimed, Key
from kaltura_mm.budget.protocol import Budget
from kaltura_mm.errors import ConfigError
from kaltura_mm.protocol.calls import Call, MultiRequest

log = logging.getLogger("kaltura_mm.client")
_BLOCKED = b"ACTION_BLOCKED"


@attrs.frozen
class Ticket:
    """What one send charged: calls per key, and each key's limit and charge time."""

    charges: tuple[tuple[Key, int], ...] = ()
    claimed: dict[Key, Claimed] = attrs.field(factory=dict)


_NOTHING = Ticket()


class Gate:
    """The shared budget seen from one client: its server and partner, the budget opened on first
    use by ``opener`` (None: no budget).

    ``secret``, the partner's admin secret when the client has one, keys the budget with a
    fingerprint of it beside the server's URL and the partner: a URL alone names a port, and a
    sandbox started again on that port (fresh partner secrets, maybe other limits) would inherit
    the last one's limits. The fingerprint is a truncated salted SHA-256: never the secret.
    """

    def __init__(
        self, opener: Callable[[], Budget | None], server: str, partner: str, secret: str = ""
    ) -> None:
        self._opener = opener
        self._server = server.rstrip("/")
        self._partner = f"{partner}#{fingerprint(secret)}" if secret else partner
        self._budget: Budget | None = None
        self._opened = False
        self._opening = threading.Lock()  # sending threads may ask at once
        self._name = os.urandom(8).hex()  # this client, among those sharing the budget

    @property
    def budget(self) -> Budget | None:
        """Return the budget (opened now if not yet), or None when off or unusable."""
        with self._opening:
            if not self._opened:
                self._opened = True
                self._budget = self._guard(self._opener, None)
        return self._budget

    def key(self, service: str, action: str) -> Key:
        """Return the budget's key for one action of this client's server and partner."""
        return Key(self._server, self._partner, service.lower(), action.lower())

    def before(self, target: Call[Any] | MultiRequest) -> tuple[float, Ticket | None]:
        """Charge ``target``'s calls now if the budget allows; else return the seconds to wait
        before asking again (and no ticket)."""
        budget = self.budget
        if budget is None:
            return 0.0, _NOTHING
        counts = Counter(self.key(c.service, c.action) for c in _calls(target))
        charges = tuple(counts.items())
        probe = self._name if isinstance(target, MultiRequest) and target.paced else None
        wait, claimed = self._guard(lambda: budget.claim(charges, probe), (0.0, {}))
        if wait > 0:
            log.debug("shared rate budget: %s waits %.2f s", target.label, wait)
            return wait, None
        return 0.0, Ticket(charges, claimed)

    def after(self, target: Call[Any] | MultiRequest, ticket: Ticket, body: bytes) -> None:
        """Tell the budget what the answer to a send said: items blocked, or a raised limit."""
        budget = self.budget
        if budget is None or not ticket.charges:
            return
        if isinstance(target, MultiRequest) and target.paced:
            for key, (limit, at) in ticket.claimed.items():
                if limit is None or not limit.known:
                    self._guard(functools.partial(budget.answered, key, self._name, at), None)
        blocked = _blocked(target, body) if _BLOCKED in body else Counter()
        for call_key, n in blocked.items():
            key = self.key(*call_key)
            at = ticket.claimed[key][1] if key in ticket.claimed else 0.0
            blocked_now = functools.partial(budget.blocked, key, n, at, self._name)
            limit = self._guard(blocked_now, None)
            log.info("shared rate budget: %d %s.%s blocked; now %s", n, *call_key, limit)
        for key, n in ticket.charges:
            known = ticket.claimed[key][0] if key in ticket.claimed else None
            if known is not None and known.known and n > known.calls and key.call not in blocked:
                self._guard(functools.partial(budget.confirmed, key, n), None)

    def known(
        self, service: str, action: str, learned: tuple[int, float] | None = None
    ) -> tuple[int, float] | None:
        """Return the shared limit of one action, (calls, window seconds), or None while its
        window is unknown; ``learned``: the (calls, window) this run learned alone, for the
        budget to take while it knows no window."""
        budget = self.budget
        if budget is None:
            return None
        key = self.key(service, action)
        if learned is not None:
            self._guard(functools.partial(budget.learn, key, *learned), None)
        limit = self._guard(lambda: budget.limit(key), None)
        if limit is None or not (limit.known or limit.learner == self._name):
            return None
        return limit.calls, limit.window  # to the learner, (calls, 0): its allowance only

    def waits(self, service: str, action: str) -> float:
        """Return the seconds this client's paced batch of one action waits before it is sized:
        ``LEARNING_HOLD`` while another client learns the window (it may hand the part over)."""
        budget = self.budget
        if budget is None:
            return 0.0
        key = self.key(service, action)
        elsewhere = self._guard(functools.partial(budget.learning, key, self._name), False)
        return LEARNING_HOLD if elsewhere else 0.0

    def close(self) -> None:
        """Close the budget's connection."""
        if self._budget is not None:
            self._guard(self._budget.close, None)
            self._budget = None

    def _guard(self, fn: Callable[[], Any], fallback: Any) -> Any:
        try:
            return fn()
        except ConfigError:  # the user's setting is wrong: say so, do not go on without
            raise
        except Exception as error:  # any failure of the database: go on without
            log.warning(
                "the shared rate budget is off for this client: %s: %s", type(error).__name__, error
            )
            self._budget, self._opened = None, True
            return fallback


def fingerprint(secret: str) -> str:
    """Return 12 hex digits that tell partners' secrets apart without revealing them."""
    import hashlib

    return hashlib.sha256(b"kaltura-mm budget key\x00" + secret.encode()).hexdigest()[:12]


def _calls(target: Call[Any] | MultiRequest) -> tuple[Call[Any], ...]:
    return target.calls if isinstance(target, MultiRequest) else (target,)


def _blocked(target: Call[Any] | MultiRequest, body: bytes) -> Counter[tuple[str, str]]:
    """Return how many calls of each (service, action) the answer says were blocked."""
    try:
        value = json.loads(body)
    except ValueError:
        return Counter()
    calls = _calls(target)
    answers = value if isinstance(value, list) and len(value) == len(calls) else [value]
    return Counter(
        (call.service.lower(), call.action.lower())
        for call, answer in zip(calls, answers, strict=False)
        if isinstance(answer, dict) and answer.get("code") == "ACTION_BLOCKED"
    )
