"""What one run is configured with: the KS source, the client tag, secrets, retries, the budget."""

from __future__ import annotations

import attrs

from kaltura_mm.ks import KsProvider
from kaltura_mm.runtime.retry import RetryPolicy


@attrs.frozen(kw_only=True)
class Settings:
    """The client's side of a run: where the KS comes from and how calls are sent.

    ``secrets`` are redacted from every error and log the run makes (the KS in use is added to
    them per request); ``max_concurrency`` caps the calls alive at once, retries included;
    ``shared_budget``: a shared rate budget paces the run (``kaltura_mm.budget``): the machine
    asks it (``AskBudget``) before every send and when a paced batch sizes a step, and the
    adapter answers from it (False: this run learns alone).
    """

    ks: KsProvider = attrs.field(eq=False)
    client_tag: str = "kaltura-mm"
    secrets: tuple[str, ...] = attrs.field(default=(), repr=False)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    max_concurrency: int = 24
    shared_budget: bool = False
