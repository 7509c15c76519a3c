"""What the shared rate budget knows and the one rule it spends by. No I/O here.

Kaltura's limiter (``KalturaResponseCacher::rateLimit``) counts every call, blocked ones too and
each item of a multiRequest on its own, per partner and (service, action), in *fixed* windows of
``W`` seconds (10 unless the deployment sets ``_expiry``) that start at the key's first call. We
do not know where the server's windows start, so the budget keeps a stronger promise: in *any*
interval of ``W'`` seconds at most ``L`` charges (a sliding window). Every fixed window of the
server is such an interval, whatever its offset, so it never holds more than ``L``. ``W'`` is
``W`` widened by ``SLACK`` and ``SLACK_SECONDS``: requests reach the server some ms apart from the
moment they were charged.

Charges are made in time order (each one now, on the database's clock, and only when it fits: no
reservations in the future), so checking the one interval that ends at the new charge is enough:
if the ``L - n + 1``-th most recent charge lies ``W'`` or more before it, that interval holds at
most ``L``, and (by the order) so does every interval (the last charge of any interval was
checked with all the others already there).

The window ``W`` is not published either (10 s by default, 1 s on some deployments and in the
reliability suite), and spending a limit over the wrong window is either ten times too slow or
blocked all the time. So the budget learns it before it paces: a key's limit has ``window`` 0
(unknown) from its first block until a run learned the window (``kaltura_mm.flows.pacing``: from
when blocks start and end, one item at a time, narrowed to 2%). Meanwhile the budget paces
nothing: the run whose batch was blocked first (the *learner*) goes on alone, and the others'
paced batches wait for it (``LEARNER_IDLE`` at most after its last send or, while it waits for an
answer, ``ledger.ANSWER_AT_MOST`` after that send: a learner that finished or died hands the part
over, one that waits for a slow server does not), so they neither spend the window it measures
nor block. Then the
learned ``(L, W)`` is every process's, spent as above.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import attrs

SLACK = 0.02
SLACK_SECONDS = 0.1
FORGET_AFTER = 600.0  # a key's learned limit is dropped after this long without a charge
LEARNER_IDLE = 60.0  # seconds without a send (or an answer awaited) before the part is handed over
WIDEN_AT_MOST = 2.0  # a block widens a known window at most this many times (``longer``)
LEARNING_HOLD = 0.25  # seconds a paced batch waits before asking again while another run learns


@attrs.frozen
class Key:
    """What the server counts by: the server, the partner, the service and the action."""

    server: str
    partner: str
    service: str
    action: str

    @property
    def call(self) -> tuple[str, str]:
        """Return (service, action)."""
        return self.service, self.action

    @property
    def text(self) -> str:
        """Return the key as one column's value."""
        return "\x1f".join((self.server, self.partner, self.service.lower(), self.action.lower()))


@attrs.frozen
class Limit:
    """A learned allowance: at most ``calls`` per ``window`` seconds; nothing before
    ``blocked_until`` (the database's clock, Unix seconds) after a block. ``window`` 0: not
    known yet; ``learner`` names the run learning it (module docstring)."""

    calls: int
    window: float
    blocked_until: float = 0.0
    learner: str = ""

    @property
    def known(self) -> bool:
        """Return whether the window is known (the budget paces only then)."""
        return self.window > 0

    @property
    def spread(self) -> float:
        """Return ``W'``: the interval the budget counts over (the window, widened)."""
        return widened(self.window)


Claimed: TypeAlias = tuple[Limit | None, float]
"""What a claim tells of a key: its limit then, and the moment its calls were charged at."""


def widened(window: float) -> float:
    """Return ``W'`` for a server window of ``window`` seconds."""
    return window * (1 + SLACK) + SLACK_SECONDS


def earliest(now: float, recent: Sequence[tuple[float, int]], limit: Limit | None, n: int) -> float:
    """Return the earliest time ``n`` charges may be made at, on the database's clock.

    ``recent`` are the key's charges (time, count) that may still count, newest first. With no
    limit known the charges go now; else after ``blocked_until`` and once the interval ending
    there holds room for them (module rule). A request of more than ``L`` charges waits for an
    empty interval (it tries a raised limit: ``Budget.confirmed``).
    """
    if limit is None or not limit.known:
        return now
    at = max(now, limit.blocked_until, recent[0][0] if recent else now)
    room = max(0, limit.calls - min(n, limit.calls))
    held = 0
    for when, count in recent:
        held += count
        if held > room:
            return max(at, when + limit.spread)
    return at


def longer(old: Limit, lowered: Limit, at: float, reach: float | None, late: float) -> Limit:
    """Return the limit after a block that ``learned`` would answer with ``lowered`` (fewer calls
    than ``old``): the window widened instead, when the block says the window is longer.

    The ledger asks only when every call of the request charged at ``at`` was blocked (as the
    batch engine's rule 4 reads a window whose first item was blocked: it had not ended; a
    request partly run says the limit is lower, and lowers it). The server's current fixed
    window holds its whole limit of accepted calls. ``reach`` is how far back from ``at`` the
    ``old.calls`` most recent accepted charges go (None: there were fewer). The budget spent
    them over a sliding window, so they go back about a window or more; if they go back no
    further than ``WIDEN_AT_MOST`` windows, then with the limit right every one of them was in
    the server's window, which is longer than ``reach`` in send times: a window learned too
    short (timed from a send that did not begin the server's window), or requests that reach
    the server later than the slack allows. The window is widened to ``reach`` plus ``late``
    (how long the blocked request took to be answered: no request reached the server later
    than that), never past ``WIDEN_AT_MOST`` times the old one, and the limit kept. Lowering it
    would go on at every such block, down to one call. Fewer accepted charges than the limit,
    or charges closer than a window (calls the budget did not pace): the limit is lowered.
    """
    if reach is None or not old.window <= reach <= WIDEN_AT_MOST * old.spread:
        return lowered
    window = min(reach + max(0.0, late), WIDEN_AT_MOST * old.window)
    return Limit(old.calls, window, max(lowered.blocked_until, at + widened(window)))


def learned(
    old: Limit | None, charged: int, blocked: int, at: float, window: float, owner: str = ""
) -> Limit:
    """Return the limit after a call charged at ``at`` was blocked: the calls the server accepted
    in the ``W'`` before (never more than the old limit), and nothing more sent until the server's
    window that blocked it has surely ended (it began at or before ``at``, give or take the
    slack). With the window unknown (0), the limit only names its learner: ``owner``, the run
    blocked first."""
    accepted = max(1, charged - blocked)
    if window <= 0:  # every process's calls since the key was first charged: the first block only
        return old or Limit(accepted, 0.0, 0.0, owner)
    calls = accepted if old is None or not old.known else max(1, min(old.calls, accepted))
    spread = widened(window)
    until = max(old.blocked_until if old else 0.0, at + spread)
    return Limit(calls, window, until)
