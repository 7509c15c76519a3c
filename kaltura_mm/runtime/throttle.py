"""What a flow does when the server pushes back: asked of the runtime, in one place.

The server's rate limiter answers ``ACTION_BLOCKED`` (a whole request, or each blocked item of a
multiRequest: the call did not run), a proxy may answer HTTP 429. Whether such a request goes
again, and after how long, is the runtime's to say: the retry policy (``--retries``) bounds the
sends, its one backoff draws the pause's jitter from the run's random source, and the pause is
a ``Sleep`` the machine carries out on its clock, cut by the patience bound
(``runtime.silence``). So a flow never counts blocked answers against a bound of its own, nor
computes a pause: it tells blocked outcomes apart with ``is_blocked`` and asks with ``again``
(or the ``Backoff`` effect, when it paces the next send itself, as the batch engine does).
"""

from __future__ import annotations

from kaltura_mm.errors import is_throttle
from kaltura_mm.runtime.effects import Backoff, Flow, Sleep


def is_blocked(outcome: object) -> bool:
    """Return whether ``outcome`` says the request did not run, pushed back by the server's
    rate limiter (``ACTION_BLOCKED``, HTTP 429): it may go again, later."""
    return isinstance(outcome, BaseException) and is_throttle(outcome)


def again(
    attempt: int,
    *,
    blocked: bool = True,
    limit: int | None = None,
    base: float | None = None,
    cap: float | None = None,
) -> Flow[bool]:
    """Pause as the runtime says after failure ``attempt`` (1-based) and return True, or return
    False at once when the retry policy allows no more sends (the caller raises its error)."""
    pause: float | None = yield Backoff(attempt, blocked, limit, base, cap)
    if pause is None:
        return False
    yield Sleep(pause)
    return True
