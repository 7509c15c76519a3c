"""What one run is configured with: the KS source, the client tag, secrets, retries, the limit."""

from __future__ import annotations

from typing import Protocol

import attrs

from kaltura_mm.ks import KsProvider
from kaltura_mm.runtime.retry import RetryPolicy


class SharedLimits(Protocol):
    """What the processes sharing a rate budget learned of the server's limiter (the client's
    ``kaltura_mm.budget``): the ``SharedLimit`` effect asks it."""

    def known(
        self, service: str, action: str, learned: tuple[int, float] | None = None
    ) -> tuple[int, float] | None:
        """Return (calls, window seconds) for ``service.action``, or None if nothing is known;
        ``learned``: what this run learned alone, for the processes that share the budget."""


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
