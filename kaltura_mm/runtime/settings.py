"""What one run is configured with: the KS source, the client tag, secrets, retries, the limit."""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from kaltura_mm.ks import KsProvider
from kaltura_mm.protocol.calls import Call, MultiRequest
from kaltura_mm.runtime.retry import RetryPolicy


class SharedLimits(Protocol):
    """The rate budget the processes share (the client's ``kaltura_mm.budget.Gate``): the
    machine asks it for every request's turn before sending it, and the ``SharedLimit`` effect
    asks what it learned."""

    def known(
        self, service: str, action: str, learned: tuple[int, float] | None = None
    ) -> tuple[int, float] | None:
        """Return (calls, window seconds) for ``service.action``, or None if nothing is known;
        ``learned``: what this run learned alone, for the processes that share the budget."""

    def waits(self, service: str, action: str) -> float:
        """Return the seconds a paced batch of ``service.action`` waits before it is even sized
        (another process is learning the server's window), or 0."""

    def before(self, target: Call[Any] | MultiRequest) -> tuple[float, Any]:
        """Charge ``target``'s calls and return (0, a ticket), or (seconds to wait before
        asking again, None). The machine waits on its own clock, within the patience."""


@attrs.frozen(kw_only=True)
class Settings:
    """The client's side of a run: where the KS comes from and how calls are sent.

    ``secrets`` are redacted from every error and log the run makes (the KS in use is added to
    them per request); ``max_concurrency`` caps the calls alive at once, retries included;
    ``limits``: the shared rate budget's knowledge (None: this run learns alone).
    """

    ks: KsProvider = attrs.field(eq=False)
    client_tag: str = "kaltura-mm"
    secrets: tuple[str, ...] = attrs.field(default=(), repr=False)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_concurrency: int = 24
    limits: SharedLimits | None = attrs.field(default=None, eq=False)
