"""Hold chosen ``uploadToken.upload`` requests open at their end, so a test can reproduce the
real server's last-writer-wins race on ``uploadedFileSize`` at will.

On the real server each ``upload`` request loads the token when it starts and saves its own view
of the contiguous size when it ends (``kUploadTokenMgr::uploadFileToToken``), with no lock between
the file write and the save: a middle chunk that ends after the final chunk writes a smaller size
over a FULL_UPLOAD or CLOSED token. The sandbox serialises each token's requests, so that window is
closed unless a delay chosen here opens it: the held request has placed its bytes, releases the
token and waits, and only then writes its result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Hold:
    seconds: float
    resume_at: int | None
    token_id: str | None
    times: int | None


class UploadRaces:
    """Delays at the end of chosen non-final chunk requests (thread-safe; none by default), and
    the one kind switch of upload timing.

    ``join_pending_at_once`` (default False, as on the real server): when True, pending chunks
    that a part makes appendable join in that same request, so ``uploadedFileSize`` counts every
    acknowledged chunk that has no gap before it. For tests whose subject is elsewhere.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holds: list[_Hold] = []
        self._holding = 0
        self.join_pending_at_once = False

    def delay_chunk_end(
        self,
        seconds: float,
        *,
        resume_at: int | None = None,
        token_id: str | None = None,
        times: int | None = 1,
    ) -> None:
        """Hold matching non-final chunks ``seconds`` after their bytes are placed, before their
        result is saved (``resume_at`` / ``token_id`` None match any; ``times`` None: forever)."""
        if seconds < 0 or (times is not None and times < 1):
            raise ValueError("seconds must be >= 0 and times >= 1 (or None for every request)")
        with self._lock:
            self._holds.append(_Hold(seconds, resume_at, token_id, times))

    def clear(self) -> None:
        """Remove every delay."""
        with self._lock:
            self._holds.clear()

    @property
    def holding(self) -> int:
        """Return how many requests are being held right now (a test waits for its victim)."""
        return self._holding

    def hold(self, seconds: float, wait: Callable[[float], object]) -> None:
        """Spend ``seconds`` in ``wait`` (which must release the token), counted as holding."""
        deadline = time.monotonic() + seconds
        with self._lock:
            self._holding += 1
        try:
            while (left := deadline - time.monotonic()) > 0:
                wait(left)
        finally:
            with self._lock:
                self._holding -= 1

    def take(self, token_id: str, resume_at: int) -> float:
        """Return the delay for this request (0.0 when none matches) and count it as used."""
        with self._lock:
            for hold in self._holds:
                if hold.resume_at not in (None, resume_at) or hold.token_id not in (None, token_id):
                    continue
                if hold.times is not None:
                    hold.times -= 1
                    if hold.times == 0:
                        self._holds.remove(hold)
                return hold.seconds
        return 0.0
