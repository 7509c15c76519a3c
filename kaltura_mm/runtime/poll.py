"""One poll for every wait: the search index, an entry's READY, a category lock. Pure.

A flow that waits for the server to reach a state (the index to show an entry, a converting
entry to be READY, a replacement to be swapped in, a move's batch job to unlock categories)
names what it waits for and how to look, and ``poll`` does the rest in one place:

- **The schedule.** Looks are paced by one rule (``Every``): pauses double from ``first`` up to
  ``cap`` seconds, each shortened by a jitter drawn from the runtime's random source (``Draw``:
  a seeded run replays; two runs started together do not look in step). A pause never runs past
  the bound.
- **The bound.** ``bound`` seconds on the runtime's clock (``Now``: the client's, virtual in a
  simulation) from the first look; the looks' own time counts. The patience holds within it:
  while the server gives the run no usable answer, every pause is cut by ``--patience`` (the
  machine throws ``ServerSilentError``, ``runtime.silence``), and every look the flow sends goes
  under ``--retries``.
- **The error.** When the bound passes, ``give_up(waited)`` says what to raise (the flow's own
  typed error); by default a ``WaitTimeoutError`` naming what was awaited, for how long, and
  what to do.

A look (``check``) is a flow that returns the awaited value, or ``NotYet(why)``: ``why`` (the
last status seen, the ``CATEGORIES_LOCKED`` error) goes to ``give_up``. A flow whose looks are
steps of its own state machine (a keyset walk peeking at the index) asks for one pause with
``pause_before``: the same schedule, the same clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs

from kaltura_mm.errors import KalturaError, WaitTimeoutError
from kaltura_mm.runtime.effects import Draw, Flow, Now, Sleep

T = TypeVar("T")


@attrs.frozen
class Every:
    """The interval schedule of a poll: ``first`` s, doubling up to ``cap`` s, each pause cut by
    up to ``spread`` of itself (jitter from the runtime's random source; 0: none)."""

    first: float = 1.0
    cap: float = 15.0
    spread: float = 0.2

    def pause(self, attempt: int, unit: float) -> float:
        """Return the pause after look ``attempt`` (1-based); ``unit`` in [0, 1)."""
        grown = min(self.cap, self.first * 2.0 ** max(0, attempt - 1))
        return grown * (1.0 - self.spread * unit)


def steady(interval: float) -> Every:
    """Return the schedule that looks every ``interval`` s exactly: a caller's own interval
    (``UploadOptions.ready_poll_interval``) is kept as given, with no jitter."""
    return Every(first=interval, cap=interval, spread=0.0)


@attrs.frozen
class NotYet(Generic[T]):
    """A look's answer: not yet; ``why`` is what it saw (for the error when the bound passes)."""

    why: T | None = None


@attrs.frozen
class Waited:
    """What a poll waited for when its bound passed: ``what``, ``seconds`` waited, ``looks``
    made, and the last look's ``NotYet.why``."""

    what: str
    seconds: float
    looks: int
    why: Any = None


def poll(
    check: Callable[[], Flow[T | NotYet[Any]]],
    *,
    what: str,
    bound: float,
    every: Every = Every(),
    give_up: Callable[[Waited], BaseException] | None = None,
) -> Flow[T]:
    """Look with ``check`` until it returns something other than ``NotYet``, pausing as
    ``every`` says, for at most ``bound`` s; then raise ``give_up(waited)`` (the module)."""
    started: float = yield Now()
    looks = 0
    while True:
        got = yield from check()
        looks += 1
        if not isinstance(got, NotYet):
            return got
        now: float = yield Now()
        waited = now - started
        if waited >= bound:
            raise (give_up or timed_out)(Waited(what, waited, looks, got.why))
        yield from pause_before(looks, every, limit=bound - waited)


def pause_before(attempt: int, every: Every, *, limit: float | None = None) -> Flow[float]:
    """Pause before look ``attempt + 1`` as ``every`` says (at most ``limit`` s); return the
    seconds that passed on the runtime's clock."""
    unit: float = (yield Draw()) if every.spread else 0.0
    seconds = every.pause(attempt, unit)
    began: float = yield Now()
    yield Sleep(seconds if limit is None else max(0.0, min(seconds, limit)))
    ended: float = yield Now()
    return ended - began


def timed_out(waited: Waited) -> KalturaError:
    """Return the default error of a poll whose bound passed."""
    return WaitTimeoutError(
        f"gave up waiting for {waited.what} after {waited.seconds:.0f} s ({waited.looks} looks)"
        + (f"; last seen: {waited.why}" if waited.why is not None else "")
        + ": it may still happen on the server; look again later, or run the same command again",
        waited=waited.seconds,
    )
