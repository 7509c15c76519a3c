"""The server's wall clock, read from the headers of its answers.

A flow has no wall clock of its own (``Now()`` is the runtime's monotonic clock), yet some rules
count in the server's time: an upload token idle longer than 7 days by the server's clock is dead
(``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED``). Every Kaltura answer carries
``X-Kaltura-Session: <request id>, <unix time>``, and HTTP gives ``Date``; the last one seen,
moved on by the runtime's clock since, is the server's time now (``Reached.server_time``).
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping

import attrs


def stamp_of(headers: Mapping[str, str]) -> float | None:
    """Return the server's Unix time an answer's headers state, or None if they state none."""
    lowered = {key.lower(): value for key, value in headers.items()}
    _, _, stamp = lowered.get("x-kaltura-session", "").partition(",")
    if stamp.strip().isdigit():
        return float(stamp.strip())
    date = lowered.get("date")
    try:
        return email.utils.parsedate_to_datetime(date).timestamp() if date else None
    except (TypeError, ValueError):
        return None


@attrs.define
class ServerClock:
    """The server's time as last stated, and the runtime's clock reading at that moment."""

    stated: float | None = None
    at: float = 0.0

    def heard(self, headers: Mapping[str, str], now: float) -> None:
        """Remember the time ``headers`` state, if any, as read at runtime time ``now``."""
        stamp = stamp_of(headers)
        if stamp is not None:
            self.stated, self.at = stamp, now

    def now(self, runtime_now: float) -> float | None:
        """Return the server's time at runtime time ``runtime_now`` (None: never stated)."""
        return None if self.stated is None else self.stated + max(0.0, runtime_now - self.at)
