"""The sandbox's injectable clock: real time plus an offset that tests move forward."""

from __future__ import annotations

import threading
import time


class SandboxClock:
    """Tell the time the sandbox believes it is (KS expiry, resume limit, createdAt)."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the current sandbox time in Unix seconds."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the sandbox's time forward by ``seconds`` (negative moves it back)."""
        with self._lock:
            self._offset += seconds

    @property
    def offset(self) -> float:
        """Return how far the sandbox clock is ahead of real time."""
        return self._offset
