"""Virtual time: the one clock the model, the network and the drivers read.

It starts at a realistic Unix time, because Kaltura reads time fields within ten years of zero
as relative to now (``KalturaRequestDeserializer``): a clock starting at 0 would turn every
``createdAtGreaterThanOrEqual`` cursor into "now + a few seconds".
"""

from __future__ import annotations

EPOCH = 1_700_000_000.0


class VirtualClock:
    """Tell the virtual time; only the network moves it, and never backwards."""

    __slots__ = ("_now",)

    def __init__(self, start: float = EPOCH) -> None:
        self._now = start

    def now(self) -> float:
        """Return the virtual time in Unix seconds."""
        return self._now

    def advance_to(self, when: float) -> None:
        """Move the clock forward to ``when`` (a time in the past is ignored)."""
        if when > self._now:
            self._now = when

    def __repr__(self) -> str:
        return f"VirtualClock({self._now:.3f})"
