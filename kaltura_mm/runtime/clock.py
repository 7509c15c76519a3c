"""The time a client runs on: the real clock, or a virtual one for tests and simulations.

The machine reads time only through the clock it is given (``Clock``, a callable) and never
waits itself: it answers ``Wait(until)`` and the adapter waits. A ``TimeSource`` is what an
adapter needs for that: ``now()`` for the machine, and ``sleep``/``asleep`` for a wait with
nothing in flight. ``Client(clock=...)`` and ``AsyncClient(clock=...)`` take one;
``SystemTime`` (the default) is the monotonic clock and real sleeps, ``VirtualTime`` moves on at
once by the time asked, so a backoff, a rate limiter's window or a patience bound costs nothing.

This is the one module of the runtime that may touch real time (the architecture test names
it): the machine does not import it; the clients hand its ``now`` to the machine.
"""

from __future__ import annotations

import time
from typing import Protocol


class TimeSource(Protocol):
    """A clock an adapter runs a machine on: monotonic seconds, and waiting."""

    def now(self) -> float:
        """Return monotonic seconds (any origin)."""

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (a thread's wait: nothing in flight)."""

    async def asleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (an asyncio task's wait: nothing in flight)."""

    @property
    def real(self) -> bool:
        """Whether time passes by itself (False: only ``sleep``/``asleep`` move it)."""


class SystemTime:
    """The real clock: ``time.monotonic`` and real sleeps (the clients' default)."""

    real = True

    def now(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep the thread ``seconds``."""
        time.sleep(max(0.0, seconds))

    async def asleep(self, seconds: float) -> None:
        """Sleep the task ``seconds``."""
        import asyncio

        await asyncio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemTime()"


class VirtualTime:
    """A clock that moves only when waited on: ``sleep(s)`` returns at once, ``s`` later.

    For tests and simulations: a client on it backs off, waits for a rate limiter's window and
    runs out of patience without the seconds passing. Requests still take their real time (a few
    milliseconds on loopback), not counted on it.
    """

    real = False

    def __init__(self, start: float = 0.0) -> None:
        """Start the clock at ``start`` seconds."""
        self.at = start
        self.slept = 0.0  # seconds waited in all: what a run would have cost in real time

    def now(self) -> float:
        """Return the virtual time."""
        return self.at

    def sleep(self, seconds: float) -> None:
        """Move the clock ``seconds`` on."""
        seconds = max(0.0, seconds)
        self.at += seconds
        self.slept += seconds

    async def asleep(self, seconds: float) -> None:
        """Move the clock ``seconds`` on, letting the event loop run others first."""
        import asyncio

        self.sleep(seconds)
        await asyncio.sleep(0)

    def __repr__(self) -> str:
        return f"VirtualTime(at={self.at:g})"
