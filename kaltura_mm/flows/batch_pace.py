"""How a batch is sent (``Pace``: its size, how many in flight, a rate ceiling) and the log that
keeps the ceiling (``kaltura_mm.flows.batch``'s rule on ``Pace.max_rate``)."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import attrs

from kaltura_mm.errors import ConfigError

THROTTLE_WINDOW = 1.0  # seconds a ceiling (``max_rate``) is counted over
SLACK = 0.05  # widen it by 5%: requests reach the server some ms apart from their sending
SPREAD = 10  # a window's items go in up to this many batches, spread over the window


def _positive(_: Any, attribute: Any, value: float | None) -> None:
    if value is not None and value <= 0:
        raise ConfigError(f"Pace.{attribute.name} must be positive, got {value}")


@attrs.frozen(kw_only=True)
class Pace:
    """How batches are sent: size, how many in flight, a rate ceiling.

    ``rate`` is a ceiling too (items per second), for a caller that knows the allowance; the
    engine otherwise learns the server's limiter itself (``kaltura_mm.flows.pacing``).
    ``generation``, ``clean``, ``blocked`` and ``streak`` are kept for code that sets them; the
    engine no longer reads them.
    """

    # From the benchmark sweep (2,000 detaches + 2,000 deletes at 50 ms): 50 -> 2.3 s, 100 -> 1.4 s,
    # 200 -> 1.2 s. 100, not 200: a real server runs sub-requests one after another, so a batch's
    # time grows with its size, and throttling adapts in coarser steps with bigger batches.
    batch_size: int = attrs.field(default=100, validator=_positive)
    parallel: int = attrs.field(default=4, validator=_positive)
    max_rate: float | None = attrs.field(default=None, validator=_positive)
    rate: float | None = None
    # None: as often as the run's retry policy lets a blocked request go (``--retries``).
    max_attempts: int | None = attrs.field(default=None, validator=_positive)
    generation: int = 0
    clean: float | None = None
    blocked: float | None = None
    streak: int = 0

    @property
    def limit(self) -> float | None:
        """Return the items/second to keep to now, or None for as fast as possible."""
        rates = [r for r in (self.rate, self.max_rate) if r is not None]
        return min(rates) if rates else None

    def window(self) -> tuple[int, float] | None:
        """Return (items, seconds): at most that many items in any such window, or None."""
        limit = self.limit
        if limit is None:
            return None
        items = max(1, math.floor(limit * THROTTLE_WINDOW))  # 2.5/s: 2 items per 0.8 s
        return items, THROTTLE_WINDOW * (1 + SLACK) * items / (limit * THROTTLE_WINDOW)

    def next_batch_size(self) -> int:
        """Return how many items the next batch takes (about a tenth of a window's worth)."""
        window = self.window()
        if window is None:
            return self.batch_size
        return max(1, min(self.batch_size, math.ceil(window[0] / SPREAD)))

    def gap(self, items: int) -> float:
        """Return the pause after sending ``items`` items that spreads them over the window."""
        window = self.window()
        return 0.0 if window is None else window[1] * items / window[0]


@attrs.define
class SendLog:
    """What was sent when, on a clock of the flow's own sleeps (real time never runs behind it)."""

    clock: float = 0.0
    sends: deque[tuple[float, int]] = attrs.field(factory=deque)

    def slept(self, seconds: float) -> float:
        """Advance the clock by a sleep of ``seconds``; return ``seconds``."""
        self.clock += seconds
        return seconds

    def record(self, items: int) -> None:
        """Note ``items`` sent now."""
        self.sends.append((self.clock, items))

    def wait(self, items: int, window: tuple[int, float] | None) -> float:
        """Return the seconds until the last ``window`` holds room for ``items`` more items."""
        if window is None:
            return 0.0
        allowed, seconds = window
        while self.sends and self.clock - self.sends[0][0] >= seconds:
            self.sends.popleft()
        held = sum(n for _, n in self.sends)
        until = self.clock
        for at, n in self.sends:
            if held + items <= allowed:
                break
            held -= n
            until = at + seconds
        return until - self.clock
