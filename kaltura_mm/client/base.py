"""What both clients share above the I/O: configuration, the KS, a machine per run, the verbs."""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Self

from kaltura_mm.config import Config
from kaltura_mm.ks import FixedKs, KsProvider, SecretKs

if TYPE_CHECKING:
    from random import Random

    from kaltura_mm.budget import Budget, Gate
    from kaltura_mm.runtime.actions import Answer
    from kaltura_mm.runtime.clock import TimeSource
    from kaltura_mm.runtime.machine import Machine


def provider_for(config: Config) -> KsProvider:
    """Return the KS provider a config implies: its KS, KS made from its admin secret, or
    sessions started from its app token."""
    if config.app_token_id and config.app_token:
        from kaltura_mm.app_token_ks import AppTokenKs

        assert config.partner_id is not None  # Config refuses an app token without a partner
        return AppTokenKs(
            config.partner_id,
            config.app_token_id,
            config.app_token,
            config.app_token_hash,
            user_id=config.user_id or None,
            expiry=config.ks_expiry,
            privileges=config.privileges,
        )
    if config.ks or not config.admin_secret:
        return FixedKs(config.ks)
    assert config.partner_id is not None  # Config refuses a secret without a partner id
    return SecretKs(
        config.partner_id,
        config.admin_secret,
        session_type=config.session_type,
        user_id=config.user_id,
        privileges=config.privileges,
        expiry=config.ks_expiry,
    )


class ClientBase:
    """What both clients share above the I/O: configuration, the KS, a machine per run. The verbs
    are each client's own methods (``kaltura_mm.verbs``)."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        ks_provider: KsProvider | None = None,
        shared_budget: bool | Budget | None = None,
        clock: TimeSource | None = None,
        random: Random | None = None,
        **settings: Any,
    ) -> None:
        from kaltura_mm.runtime.clock import SystemTime

        self._config = config or Config(**settings)
        self._ks = ks_provider or provider_for(self._config)
        self._clock: TimeSource = clock or SystemTime()  # every wait of a run, and its deadlines
        # backoff jitter and multipart boundaries, not security
        self._random = random or _random.Random()
        self._gate = gate_for(self._config, shared_budget)

    @classmethod
    def from_env(cls, **settings: Any) -> Self:
        """Build a client from ``KALTURA_*`` environment variables (keywords override them)."""
        return cls(Config.from_env(**settings))

    @property
    def config(self) -> Config:
        """Return the configuration (its repr hides the KS and secrets)."""
        return self._config

    def use_ks(self, ks: str | KsProvider | None) -> None:
        """Send later requests with ``ks`` (a KS or a provider), as the widget's session.setData."""
        self._ks = FixedKs(ks) if ks is None or isinstance(ks, str) else ks

    def _machine(self, flow: Generator[Any, Any, Any], streaming: bool = False) -> Machine:
        from kaltura_mm.runtime.machine import Machine  # loads with the first run
        from kaltura_mm.runtime.settings import Settings

        config = self._config
        settings = Settings(
            ks=self._ks,
            client_tag=config.client_tag,
            secrets=config.secrets,
            retry=config.retry,
            max_concurrency=config.max_concurrency,
            shared_budget=self._gate is not None,
        )
        return Machine(
            flow, settings, clock=self._clock.now, random=self._random, streaming=streaming
        )

    def __repr__(self) -> str:
        config = self._config
        return f"{type(self).__name__}({config.service_url!r}, partner_id={config.partner_id})"


def gate_for(config: Config, shared_budget: bool | Budget | None) -> Gate | None:
    """Return the rate budget's gate for a client: the budget where the environment says it
    lives (``kaltura_mm.budget``) when ``shared_budget`` is True (None: unless the environment
    turns it off, ``KALTURA_MM_SHARED_BUDGET=off``), the one given, or None (off)."""
    if shared_budget is False:
        return None
    from kaltura_mm.budget.where import budget_from_env, budget_wanted

    if shared_budget is None and not budget_wanted():
        return None
    from kaltura_mm.budget.gate import Gate

    given = shared_budget
    if given is True:
        opener: Callable[[], Budget | None] = lambda: budget_from_env(asked=True)  # noqa: E731
    else:
        opener = budget_from_env if given is None else (lambda: given)
    partner = str(config.partner_id or "")
    return Gate(opener, config.service_url, partner, secret=config.admin_secret or "")


def checked(got: list[Answer | BaseException]) -> list[Answer]:
    """Return the answers, raising the first exception a sender met (a bug, not a failure)."""
    for answer in got:
        if isinstance(answer, BaseException):
            raise answer
    return got  # type: ignore[return-value]
