"""How long a run goes on trying while the server gives it no answer: the patience bound. Pure.

A server that stops answering in the middle of a job (its process killed, the network gone, a
proxy answering 502 pages) must be reported within a bound the user can state, whatever the
command and however many layers above would send again: ``RetryPolicy.patience`` seconds (120 by
default, ``--patience``). Retry counts alone cannot promise that: the runtime's attempts, a
reading flow's patient rounds and the batch engine's waits for the rate limiter's window each
have their own pauses, and a server that died while it was throttling a batch was still being
probed, windows growing, long after (issue 18: 900 s and more).

The rule, in one place: the run is *silent* from the sending of the first request that got no
usable answer (so a request that hangs counts from when it was sent, not from its timeout) until
any usable answer arrives (an HTTP status below 500: a result, an API error, ``ACTION_BLOCKED``,
a 429 all mean the server is there). While silent, no pause may end after
``silent_since + patience``: the machine throws ``ServerSilentError`` into the task that would
pause (a call's backoff, a flow's sleep) instead. Each request carries a ``deadline``: that
bound while silent, else its sending plus the patience, so an adapter never waits longer than the
patience for any one connection, write or answer (a request that hangs is cut by it, not only
by ``Timeouts``).

The patience counts only time the run was free to send. While the shared rate budget
(``kaltura_mm.budget``) holds a request of the run, or a batch step while another process learns
the server's window, the run asks the server nothing: a hold by our own budget is no evidence
that the server is gone, and a process whose last request failed just before another process
began a minute of learning would otherwise be declared silent by its own budget (issue 18, the
``clients`` simulation). So the silence's clock stops while any hold lasts (the budget bounds
each hold: a block's window, ``LEARNER_IDLE``), and a dead server is still reported after
``patience`` seconds of sending into it. Stopping the clock, rather than starting the silence
again after a hold, keeps the failures before the hold as evidence.
"""

from __future__ import annotations

import attrs

from kaltura_mm.errors import ServerSilentError

# Statuses from which an answer says the server (not only a proxy in front of it) is there.
_SERVER_ERRORS = 500


@attrs.define
class Silence:
    """The run's silence: since when no usable answer came, and the last failure in it."""

    patience: float
    since: float | None = None
    last_failure: str = ""
    may_have_reached_server: bool = True
    holds: int = 0  # requests (or batch steps) the shared rate budget holds now
    hold_began: float = 0.0  # when the current stretch of holds began
    held: float = 0.0  # seconds of holds since ``since``, the current stretch not counted

    def heard(self, status: int, sent_at: float) -> None:
        """The request sent at ``sent_at`` was answered with HTTP ``status``."""
        if status < _SERVER_ERRORS:
            self.since, self.held = None, 0.0
        else:
            self.failed(sent_at, f"HTTP {status}", may_have_reached_server=True)

    def failed(self, sent_at: float, failure: str, *, may_have_reached_server: bool) -> None:
        """The request sent at ``sent_at`` got no usable answer: ``failure`` says what came."""
        if self.since is None or sent_at < self.since:
            self.since = sent_at
        self.last_failure = failure
        self.may_have_reached_server = may_have_reached_server

    def hold(self, now: float) -> None:
        """The shared rate budget holds one more request (or step) of the run from ``now``."""
        if not self.holds:
            self.hold_began = now
        self.holds += 1

    def free(self, now: float) -> None:
        """One hold of the budget ended at ``now``."""
        self.held += self._holding(now) if self.holds == 1 else 0.0
        self.holds -= 1

    def _holding(self, now: float) -> float:
        """Return the seconds of the current stretch of holds that lie in the silence."""
        if not self.holds or self.since is None:
            return 0.0
        return max(0.0, now - max(self.hold_began, self.since))

    def deadline(self, now: float) -> float | None:
        """Return the clock reading after which the run stops waiting, or None if not silent:
        the patience counts only time the run was free to send (module docstring)."""
        if self.since is None:
            return None
        return self.since + self.held + self._holding(now) + self.patience

    def deadline_for(self, now: float) -> float:
        """Return when a request sent ``now`` stops waiting for its answer: no request waits
        longer than the patience, and none outlives a silence that began before it."""
        deadline = self.deadline(now)
        return now + self.patience if deadline is None else deadline

    def overdue(self, now: float, pause: float) -> ServerSilentError | None:
        """Return the error to raise instead of pausing ``pause`` s at ``now``, or None."""
        deadline = self.deadline(now)
        if deadline is None or now + pause <= deadline:
            return None
        assert self.since is not None
        silent_for = now - self.since - self.held - self._holding(now)
        return ServerSilentError(
            f"the server has given no usable answer for {silent_for:.1f} s (the last: "
            f"{self.last_failure}); gave up after the patience of {self.patience:g} s "
            "(--patience, RetryPolicy.patience). What was done is done: run the same command "
            "again to go on",
            may_have_reached_server=self.may_have_reached_server,
            silent_for=silent_for,
        )
