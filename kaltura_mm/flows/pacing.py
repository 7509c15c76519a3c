"""When and how much the batch engine may send: the server's rate limiter, learned. Pure.

Kaltura's limiter (``KalturaResponseCacher::rateLimit`` in kaltura/server) counts *fixed windows*
per service, action and partner: the first call starts a window of ``W`` seconds (10 unless the
deployment says otherwise; 1 s on some), every call in it counts, blocked ones too, each item of
a multiRequest on its own, and a call is blocked while the count exceeds ``L``. Neither ``W`` nor
``L`` is published, so the engine learns both from when blocks start and stop, and spends the
allowance at the start of each window instead of spreading a guessed rate:

1. *Open*: nothing blocked yet. Items go in rounds that grow by ``ROUND_GROWTH`` from
   ``FIRST_ROUND``, each round answered before the next is sent, so the first time the limit is
   met costs part of one round of blocked items, never ``parallel x batch_size`` (rounds that
   grow by half, not double, halve that cost, at a few more round trips to full batches).
2. *Learning*: the first blocked answer. The allowance ``L`` is taken as what was accepted since
   the first send (the window began then, if the counter was fresh). Nothing more is sent until
   the window ends: one item at a time, just past ``PROBE_FIRST`` seconds after the window's
   start (1-s windows are seen), then just past ``PROBE_USUAL`` (Kaltura's default 10 s), then
   ``PROBE_GROWTH`` times further each time it is blocked. The first one accepted opened a new
   window: the window's length lies between the last blocked probe and it. A run held for
   ``LONGEST`` or more while another process learned (rule 6; it may then take the part over)
   saw windows that have all ended: in rule 1 it starts its count again; learning, its late
   probe bounds the window loosely from a start long gone, so it learns once more from the
   window that probe opened (rule 1, with a round of the allowance: one item blocked).
3. *Paced*: each window, at its start, up to ``L`` items go (the window is the accepted probe's,
   or the first item's of a burst sent once the previous window ended); then the engine waits for
   the window's end: the upper bound of its length, plus ``SLACK`` and ``SLACK_SECONDS`` for
   requests that reach the server some ms apart from their sending. While the bounds are wider
   than ``NARROW_TO``, a window starts with one item alone, first just under the upper bound
   (``NARROW_TO / 2``: windows are round numbers, and the first probe past one is just past it,
   so one blocked probe there usually ends the narrowing), twice as far under it after each
   accepted one, at the bounds' middle once one was blocked: accepted, the length is at most
   that (free: the window starts earlier); blocked, at least that (the burst then waits for the
   upper bound).
4. A window whose burst was blocked: ``L`` becomes what it accepted (the limit dropped, or
   another client shares the counter). A window whose first item was blocked had not ended: the
   lower bound moves up to that moment, the upper one ``WIDEN`` beyond it (and the narrowing of
   rule 3 goes on from there).
5. After ``RAISE_EVERY`` windows in a row ran full and clean, one more item goes; while that
   runs clean, the next window tries twice as many more (a raised limit is found in a few
   windows); when a try is blocked, the next one starts again from one more item, after twice as
   many clean windows.

7. A window's upper bound is never taken past ``LONGEST`` (answers that take longer than the
   window make every bound loose: waiting minutes per window for them would be no safer).

``Pace.max_rate`` (a ceiling) is kept apart, by the engine's send log.

6. *Shared*: when the processes sharing a rate budget (``kaltura_mm.budget``) know the limit, it
   wins over what this run learned: each window's allowance is theirs, the window is theirs, and
   no raise is tried (a try would hold every process back a window; the budget raises a limit
   when a larger request all ran). The budget's gate times the sends across processes; the rules
   above only size the steps. Until the budget knows the window, the run learns alone, and once
   its bounds are narrow it offers ``learned`` (the allowance and the window's upper bound) to
   the budget: the other processes' paced batches wait for that (``kaltura_mm.budget.model``).
   A run that ends first offers its ``bounds`` as they are (an upper bound is safe). While it
   learns, its allowance is the budget's (``allowing``): every process's calls before the first
   block counted, where this run saw only its own.
"""

from __future__ import annotations

import math
from typing import Literal

import attrs

FIRST_ROUND = 20  # items in the first round (rule 1)
ROUND_GROWTH = 1.5  # each round that ran clean, the next is this much larger (rule 1)
PROBE_FIRST = 1.0  # seconds after a window's start of the first look for its end (rule 2)
PROBE_USUAL = 10.0  # Kaltura's default window: the second look is just past it (rule 2)
PROBE_GROWTH = 1.5
NARROW_TO = 0.02  # narrow the window's bounds until they are this close (rule 3)
SLACK = 0.01
SLACK_SECONDS = 0.04
WIDEN = 0.1  # how far past a blocked window start its end is looked for next (rule 4)
# The longest window believed (rule 7): Kaltura's is 10 s unless a deployment sets another (1 s
# is seen); a longer bound comes of answers slower than the window, which time nothing.
LONGEST = 60.0
RAISE_EVERY = 8  # clean windows before one more item is tried (rule 5)
NEVER = 2**62  # clean windows before a raise, when the limit is shared (rule 6)

PacingPhase = Literal["open", "learning", "paced"]


def past(window: float) -> float:
    """Return the offset just past a window of ``window`` seconds (its slack added)."""
    return window * (1 + SLACK) + SLACK_SECONDS


@attrs.frozen
class Step:
    """What to send next: ``items`` at most, not before ``at``; ``probe``: one item, alone."""

    at: float
    items: int
    probe: bool = False


@attrs.frozen
class Learner:
    """What the engine knows of the server's limiter, and where the current window stands."""

    phase: PacingPhase = "open"
    round_size: int = FIRST_ROUND
    first_send: float | None = None  # open: the run's first send
    accepted_open: int = 0  # open: items accepted since then
    allowance: int | None = None  # L: items per window
    low: float = 0.0  # the window is longer than this...
    high: float | None = None  # ...and at most this (seconds)
    start: float = 0.0  # the current window began (our send time of its first item)
    sent: int = 0  # items sent in the current window
    accepted: int = 0  # items accepted in the current window
    probe_delay: float = past(PROBE_FIRST)  # learning: offset of the next probe from ``start``
    clean: int = 0  # windows in a row that ran clean
    raise_every: int = RAISE_EVERY
    raising: bool = False  # this window tries ``raise_by`` items more
    raise_by: int = 1
    told: bool = False  # the allowance was the budget's (rule 6), once
    stale: bool = False  # learning, the run was held past every window it saw (rule 2)
    reach: float = NARROW_TO / 2  # narrowing: the next probe this share under the upper bound

    @property
    def window(self) -> float | None:
        """Return how long the engine waits for a window to end (None: no window known)."""
        return None if self.high is None else past(self.high)

    @property
    def rate(self) -> float | None:
        """Return the learned allowance per second (None while nothing was blocked)."""
        window = self.window
        return None if window is None or self.allowance is None else self.allowance / window

    @property
    def learned(self) -> tuple[int, float] | None:
        """Return (allowance, window's upper bound) once this run learned them alone (rule 3's
        bounds narrow; None before, and once the limit is shared)."""
        return None if self._narrowing() else self.bounds

    @property
    def bounds(self) -> tuple[int, float] | None:
        """Return (allowance, window's upper bound) as far as this run learned them alone, narrow
        or not (None while nothing was learned, and once the limit is shared)."""
        if self.phase != "paced" or self.raise_every == NEVER:
            return None
        return None if self.allowance is None or self.high is None else (self.allowance, self.high)

    def allowing(self, calls: int) -> Learner:
        """Return the state with the budget's allowance (rule 6, the window not known yet: what
        every process got accepted before the first block, where this run saw only its own
        share), taken once; rule 4 may lower it after."""
        if self.phase == "open" or self.told:
            return self
        return attrs.evolve(self, allowance=calls, told=True)

    def sharing(self, calls: int, window: float, now: float) -> Learner:
        """Return the state with the shared budget's limit (rule 6): ``calls`` per ``window``."""
        if self.phase != "paced":  # the first window starts now
            return attrs.evolve(
                self,
                phase="paced",
                allowance=calls,
                low=window,
                high=window,
                start=now - window,
                sent=0,
                accepted=0,
                raising=False,
                raise_every=NEVER,
            )
        return attrs.evolve(
            self, allowance=calls, low=window, high=window, raising=False, raise_every=NEVER
        )

    @property
    def opens_window(self) -> bool:
        """Return whether the next step looks for the end of the learned window (paced, the
        window's allowance spent): a probe, or the first burst after the window's end."""
        return self.phase == "paced" and self.sent >= self._room

    def held(self, seconds: float) -> Learner:
        """Return the state after the runtime held the run ``seconds`` while another process
        learned the window (rule 2): past ``LONGEST``, every window it saw has ended."""
        if seconds < LONGEST or self.phase == "paced":
            return self
        if self.phase == "open":
            return attrs.evolve(self, first_send=None, accepted_open=0)
        return attrs.evolve(self, stale=True)

    def _narrowing(self) -> bool:
        return self.high is not None and self.high - self.low > NARROW_TO * self.high

    def next(self, now: float) -> Step:
        """Return the next send: how many items, from when."""
        if self.phase == "open":
            return Step(now, self.round_size)
        if self.phase == "learning":
            return Step(max(now, self.start + self.probe_delay), 1, probe=True)
        allowance = self._room
        if self.sent < allowance:  # the current window still has room
            return Step(now, allowance - self.sent)
        if self._narrowing():
            high = self.high or 0.0
            middle = (self.low + high) / 2
            at = max(middle, high * (1 - self.reach))
            return Step(max(now, self.start + at), 1, probe=True)
        return Step(max(now, self.start + (self.window or 0.0)), allowance)

    def after(self, step: Step, sent_at: float, accepted: int, blocked: int) -> Learner:
        """Return what the engine knows once the items of ``step`` sent at ``sent_at`` are
        answered: ``accepted`` ran (or failed for another reason), ``blocked`` were blocked."""
        if self.phase == "open":
            return self._opened(sent_at, accepted, blocked)
        if self.phase == "learning":
            return self._probed(sent_at, accepted)
        return self._paced(step, sent_at, accepted, blocked)

    def _opened(self, sent_at: float, accepted: int, blocked: int) -> Learner:
        first = sent_at if self.first_send is None else self.first_send
        total = self.accepted_open + accepted
        if not blocked:  # rule 1
            return attrs.evolve(
                self,
                first_send=first,
                accepted_open=total,
                round_size=math.ceil(self.round_size * ROUND_GROWTH),
            )
        return attrs.evolve(  # rule 2
            self,
            phase="learning",
            allowance=max(1, total),
            start=first,
            probe_delay=past(PROBE_FIRST),
        )

    def _probed(self, sent_at: float, accepted: int) -> Learner:
        offset = sent_at - self.start
        later = self._later()
        if not accepted:  # the window has not ended yet
            return attrs.evolve(self, low=max(self.low, offset), probe_delay=later)
        if self.stale:  # a start long gone: learn again from the window this probe opened
            return attrs.evolve(
                self,
                phase="open",
                first_send=sent_at,
                accepted_open=1,
                round_size=self.allowance or 1,
                low=0.0,
                probe_delay=past(PROBE_FIRST),
                stale=False,
            )
        return self._opened_window(sent_at, max(offset, self.low), sent=1, accepted=1)

    def _later(self) -> float:
        """Return the offset of the probe after the current one (rule 2)."""
        usual = past(PROBE_USUAL)
        return usual if self.probe_delay < usual else self.probe_delay * PROBE_GROWTH

    def _opened_window(self, sent_at: float, high: float, sent: int, accepted: int) -> Learner:
        """Return the state in a window that began with an item sent at ``sent_at``."""
        high = min(high, LONGEST)
        return attrs.evolve(
            self,
            phase="paced",
            low=min(self.low, high),
            high=high,
            start=sent_at,
            sent=sent,
            accepted=accepted,
        )

    @property
    def _room(self) -> int:
        return (self.allowance or 1) + (self.raise_by if self.raising else 0)

    def _paced(self, step: Step, sent_at: float, accepted: int, blocked: int) -> Learner:
        if self.sent < self._room:  # a burst in the current window
            return self._counted(step.items, accepted, blocked)
        offset = sent_at - self.start
        if step.probe and not accepted:  # rule 3: the window is longer than this
            return attrs.evolve(self, low=max(self.low, offset), reach=0.5)
        if step.probe:  # ...or at most this, and the probe opened the next one
            state = attrs.evolve(self._closed(), reach=self.reach * 2)
            return state._opened_window(sent_at, offset, sent=1, accepted=1)
        if not accepted:  # rule 4: the window had not ended after all
            high = min(offset * (1 + WIDEN), LONGEST)
            return attrs.evolve(self, low=min(max(self.low, offset), high), high=high)
        state = self._closed()._opened_window(sent_at, self.high or offset, sent=0, accepted=0)
        return state._counted(step.items, accepted, blocked)

    def _counted(self, items: int, accepted: int, blocked: int) -> Learner:
        """Count a burst's answers into the current window (rule 4 on a blocked one)."""
        state = attrs.evolve(self, sent=self.sent + items, accepted=self.accepted + accepted)
        if not blocked:
            return state
        every = self.raise_every * 2 if self.raising else self.raise_every
        allowance = max(1, state.accepted)  # the window is full
        return attrs.evolve(
            state,
            allowance=allowance,
            sent=max(state.sent, allowance + 1),
            clean=0,
            raising=False,
            raise_by=1,
            raise_every=every,
        )

    def _closed(self) -> Learner:
        """Return the state as the current window ends (rule 5's count of clean windows)."""
        full = self.accepted >= self._room
        if self.raising and full:  # the raise ran clean: try twice as many more, next window
            allowance = (self.allowance or 1) + self.raise_by
            return attrs.evolve(self, allowance=allowance, raise_by=self.raise_by * 2)
        clean = self.clean + 1 if self.accepted and self.accepted >= (self.allowance or 1) else 0
        if clean >= self.raise_every:
            return attrs.evolve(self, clean=0, raising=True)
        return attrs.evolve(self, clean=clean)
