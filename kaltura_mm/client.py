"""``Client`` and ``AsyncClient``: the only code that sends requests.

Both share one implementation of everything but the I/O (``_Core``): encoding with the current
KS, decoding, the retry rule, KS renewal. Flows (``kaltura_mm.flows.effects``) are interpreted by
``Client.run`` with threads and by ``AsyncClient.run`` with asyncio tasks; ``call`` and ``multi``
are one-effect flows.

Retries (tenacity, exponential backoff with jitter) follow ``errors.is_retryable``: a call that
may have run on the server is re-sent only if it is idempotent. A call carrying file bytes (an
upload chunk) is sent once: the upload flow owns chunk retries (``UploadOptions.max_attempts``),
since only it asks the token what arrived before re-sending, and two layers would multiply the
attempts. After ``INVALID_KS``/``EXPIRED`` the KS provider is asked once for a fresh KS and the
call is sent again.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Generator, Hashable, Iterator
from typing import TYPE_CHECKING, Any, Self, TypeVar

from kaltura_mm.config import Config
from kaltura_mm.errors import DependencyError, InvalidKsError, KalturaError, is_retryable
from kaltura_mm.flows.effects import Effect, Emit, Flow, NextDone, Sleep, Start
from kaltura_mm.ks import FixedKs, KsProvider, SecretKs
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse, Progress

if TYPE_CHECKING:
    # httpx, tenacity, asyncio and the thread pool are imported where first used, so that
    # ``import kaltura_mm`` and building a client stay fast (see benchmarks/bench_import.py).
    import asyncio
    from concurrent.futures import Future, ThreadPoolExecutor

    import httpx
    import tenacity

    from kaltura_mm.protocol.wire import HttpRequest

T = TypeVar("T")
Target = Call[Any] | MultiRequest
log = logging.getLogger("kaltura_mm.client")


def provider_for(config: Config) -> KsProvider:
    """Return the KS provider a config implies: its KS, or KS made from its admin secret."""
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


class _Core:
    """Everything both clients do the same way: encode, decode, retry rules, KS renewal."""

    def __init__(self, config: Config, ks_provider: KsProvider | None) -> None:
        self.config = config
        self.ks = ks_provider or provider_for(config)

    def encode(self, target: Target) -> tuple[HttpRequest, tuple[str, ...]]:
        from kaltura_mm.protocol import wire

        ks = self.ks.current()
        session = wire.Session(ks=ks, client_tag=self.config.client_tag)
        secrets = (*self.config.secrets, *((ks,) if ks else ()))
        if isinstance(target, MultiRequest):
            return wire.encode_multi(target, session), secrets
        return wire.encode_call(target, session), secrets

    def decode(self, target: Target, response: httpx.Response, secrets: tuple[str, ...]) -> Any:
        from kaltura_mm.protocol import wire

        log.debug(
            "%s -> HTTP %s (X-Kaltura-Session %s)",
            target.label,
            response.status_code,
            response.headers.get("X-Kaltura-Session", "-"),
        )
        if isinstance(target, MultiRequest):
            return wire.decode_multi(target, response.status_code, response.content, secrets)
        return wire.decode_call(target, response.status_code, response.content, secrets)

    def retrying(self, target: Target, sleep: Callable[[float], Any] | None = None) -> Any:
        import tenacity

        policy = self.config.retry
        carries_file = isinstance(target, Call) and target.file is not None
        options: dict[str, Any] = {
            "stop": tenacity.stop_after_attempt(1 if carries_file else policy.attempts),
            "wait": tenacity.wait_exponential(
                multiplier=policy.initial_backoff, max=policy.max_backoff
            )
            + tenacity.wait_random(0, policy.jitter),
            "retry": tenacity.retry_if_exception(lambda exc: is_retryable(exc, target)),
            "reraise": True,
            "before_sleep": self._log_retry(target),
        }
        if sleep is not None:
            options["sleep"] = sleep
        return options

    @staticmethod
    def _log_retry(target: Target) -> Callable[[tenacity.RetryCallState], None]:
        def _log(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning("retrying %s (attempt %d): %s", target.label, state.attempt_number, error)

        return _log

    def should_renew(self, target: Target, result: Any) -> bool:
        """Return True if ``result`` says the KS expired and nothing else happened."""
        if isinstance(result, InvalidKsError):
            return result.expired
        if isinstance(result, MultiResponse) and result.outcomes:
            # An expired KS fails every item; only then was nothing done, so re-sending is safe.
            first = result.outcomes[0]
            raw = [o.server_outcome if isinstance(o, DependencyError) else o for o in result]
            every = all(isinstance(o, InvalidKsError) for o in raw)
            return every and isinstance(first, InvalidKsError) and first.expired
        return False


class _Stepper:
    """Drives a flow generator: send values or throw errors in, get the next effect out."""

    def __init__(self, flow: Flow[Any]) -> None:
        if isinstance(flow, Call | MultiRequest):
            raise TypeError(
                "run() and iterate() take a flow (e.g. upload_file(...)); send a single Call "
                "with client.call(...) and a MultiRequest with client.multi(...)"
            )
        if not isinstance(flow, Generator):
            raise TypeError(f"run() and iterate() take a flow generator, not {type(flow).__name__}")
        self.flow = flow
        self.done = False
        self.result: Any = None

    def step(self, value: Any = None, error: BaseException | None = None) -> Effect | None:
        try:
            effect = self.flow.throw(error) if error is not None else self.flow.send(value)
        except StopIteration as stop:
            self.done, self.result = True, stop.value
            return None
        if not isinstance(effect, Call | MultiRequest | Start | NextDone | Sleep | Emit):
            self.flow.close()
            raise TypeError(f"a flow yielded {effect!r}, which is not an effect")
        return effect


class _Background:
    """One run's background calls: their handles, how many are unreported, where they report."""

    def __init__(self, done: Any) -> None:
        self.done = done
        self.handles: list[Any] = []
        self.pending = 0
        self.queued = False

    def started(self, handle: Any, limit: int) -> None:
        self.handles.append(handle)
        self.pending += 1
        if self.pending > limit and not self.queued:
            # Said once per run: the flow asked for more parallel calls than the client allows.
            self.queued = True
            log.info(
                "%d background calls asked for, max_concurrency=%d: the rest wait for a free "
                "slot (raise Config.max_concurrency to run them all at once)",
                self.pending,
                limit,
            )

    def received(self, report: tuple[Hashable, Any]) -> tuple[Hashable, Any]:
        self.pending -= 1
        outcome = report[1]
        if isinstance(outcome, BaseException) and not isinstance(outcome, KalturaError):
            raise outcome  # a bug in a background call surfaces in the flow's caller
        return report


def _report(future: Future[Any], tag: Hashable, done: queue.SimpleQueue[Any]) -> None:
    if future.cancelled():
        return
    error = future.exception()
    done.put((tag, error if error is not None else future.result()))


_ITEM = object()
_RESULT = object()


def _nothing_running() -> LookupError:
    return LookupError("the flow waited for NextDone() with no background call running")


class _ClientBase:
    """What both clients share above the I/O: configuration, the KS, construction from the env."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        ks_provider: KsProvider | None = None,
        **settings: Any,
    ) -> None:
        self._core = _Core(config or Config(**settings), ks_provider)

    @classmethod
    def from_env(cls, **settings: Any) -> Self:
        """Build a client from ``KALTURA_*`` environment variables (keywords override them)."""
        return cls(Config.from_env(**settings))

    @property
    def config(self) -> Config:
        """Return the configuration (its repr hides the KS and secrets)."""
        return self._core.config

    def use_ks(self, ks: str | KsProvider | None) -> None:
        """Send later requests with ``ks`` (a KS or a provider), as the widget's session.setData."""
        self._core.ks = FixedKs(ks) if ks is None or isinstance(ks, str) else ks

    def __repr__(self) -> str:
        config = self._core.config
        return f"{type(self).__name__}({config.service_url!r}, partner_id={config.partner_id})"


class Client(_ClientBase):
    """A thread-safe client for the Kaltura API over a keep-alive httpx connection pool."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        ks_provider: KsProvider | None = None,
        http_transport: httpx.BaseTransport | None = None,
        **settings: Any,
    ) -> None:
        """Use ``config``, or build one from keyword settings (``service_url=``, ``ks=``...)."""
        super().__init__(config, ks_provider=ks_provider, **settings)
        self._transport = http_transport
        self._client: httpx.Client | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def _http(self) -> httpx.Client:
        """Return the keep-alive connection pool, made on first use."""
        with self._lock:
            if self._client is None:
                from kaltura_mm import transport

                self._client = transport.sync_client(self._core.config, self._transport)
            return self._client

    def call(self, call: Call[T], *, progress: Progress | None = None) -> T:
        """Send one call and return its decoded result, raising its typed error."""
        result: T = self._execute(call, progress)
        return result

    def multi(self, batch: MultiRequest) -> MultiResponse:
        """Send a multiRequest and return per-item outcomes (failed items are error values)."""
        result: MultiResponse = self._execute(batch, None)
        return result

    def run(self, flow: Flow[T], *, progress: Progress | None = None) -> T:
        """Run a flow to completion (background calls on threads) and return its result."""
        driver = self._drive(flow, progress)
        while True:
            try:
                next(driver)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]

    def iterate(self, flow: Flow[Any], *, progress: Progress | None = None) -> Iterator[Any]:
        """Run a flow, yielding each item it ``Emit``s as soon as it is emitted."""
        return self._drive(flow, progress)

    def _drive(self, flow: Flow[T], progress: Progress | None) -> Generator[Any, None, T]:
        stepper = _Stepper(flow)
        state = _Background(queue.SimpleQueue())
        try:
            effect = stepper.step()
            while effect is not None:
                if isinstance(effect, Emit):
                    yield effect.item
                    effect = stepper.step()
                    continue
                value, error = self._effect(effect, state, progress)
                effect = stepper.step(value, error)
            return stepper.result  # type: ignore[no-any-return]
        finally:
            flow.close()
            for future in state.handles:
                future.cancel()

    def _effect(
        self, effect: Effect, state: _Background, progress: Progress | None
    ) -> tuple[Any, BaseException | None]:
        if isinstance(effect, Call | MultiRequest):
            try:
                return self._execute(effect, progress), None
            except KalturaError as exc:
                return None, exc
        if isinstance(effect, Start):
            future = self._background().submit(self._outcome, effect.call, progress)
            state.started(future, self._core.config.max_concurrency)
            future.add_done_callback(functools.partial(_report, tag=effect.tag, done=state.done))
            return None, None
        if isinstance(effect, NextDone):
            if not state.pending:
                return None, _nothing_running()
            return state.received(state.done.get()), None
        if isinstance(effect, Sleep):
            time.sleep(effect.seconds)
        return None, None

    def _outcome(self, target: Target, progress: Progress | None) -> Any:
        try:
            return self._execute(target, progress)
        except KalturaError as exc:
            return exc

    def _background(self) -> ThreadPoolExecutor:
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._core.config.max_concurrency, thread_name_prefix="kaltura-mm"
                )
            return self._pool

    def _execute(self, target: Target, progress: Progress | None) -> Any:
        renewed = False
        while True:
            try:
                result = self._retried(target, progress)
            except InvalidKsError as exc:
                if renewed or not self._core.should_renew(target, exc) or not self._core.ks.renew():
                    raise
                renewed = True
                continue
            if renewed or not self._core.should_renew(target, result) or not self._core.ks.renew():
                return result
            renewed = True

    def _retried(self, target: Target, progress: Progress | None) -> Any:
        import tenacity

        for attempt in tenacity.Retrying(**self._core.retrying(target)):
            with attempt:
                return self._attempt(target, progress)
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _attempt(self, target: Target, progress: Progress | None) -> Any:
        from kaltura_mm import transport

        request, secrets = self._core.encode(target)
        http = self._http
        with transport.mapped_errors(target.label):
            response = http.send(transport.build_sync(http, request, progress))
        return self._core.decode(target, response, secrets)

    def close(self) -> None:
        """Close pooled connections and background threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """The asyncio twin of ``Client``, sharing its implementation; runs the same flows."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        ks_provider: KsProvider | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
        **settings: Any,
    ) -> None:
        """Use ``config``, or build one from keyword settings (``service_url=``, ``ks=``...)."""
        super().__init__(config, ks_provider=ks_provider, **settings)
        self._transport = http_transport
        self._client: httpx.AsyncClient | None = None
        self._limit: asyncio.Semaphore | None = None

    @property
    def _http(self) -> httpx.AsyncClient:
        """Return the keep-alive connection pool, made on first use."""
        if self._client is None:
            from kaltura_mm import transport

            self._client = transport.async_client(self._core.config, self._transport)
        return self._client

    async def call(self, call: Call[T], *, progress: Progress | None = None) -> T:
        """Send one call and return its decoded result, raising its typed error."""
        result: T = await self._execute(call, progress)
        return result

    async def multi(self, batch: MultiRequest) -> MultiResponse:
        """Send a multiRequest and return per-item outcomes (failed items are error values)."""
        result: MultiResponse = await self._execute(batch, None)
        return result

    async def run(self, flow: Flow[T], *, progress: Progress | None = None) -> T:
        """Run a flow to completion (background calls as tasks) and return its result."""
        result: Any = None
        async for kind, value in self._drive(flow, progress):
            if kind is _RESULT:
                result = value
        return result  # type: ignore[no-any-return]

    async def iterate(
        self, flow: Flow[Any], *, progress: Progress | None = None
    ) -> AsyncIterator[Any]:
        """Run a flow, yielding each item it ``Emit``s as soon as it is emitted."""
        async for kind, value in self._drive(flow, progress):
            if kind is _ITEM:
                yield value

    async def _drive(
        self, flow: Flow[Any], progress: Progress | None
    ) -> AsyncIterator[tuple[object, Any]]:
        import asyncio

        stepper = _Stepper(flow)
        state = _Background(asyncio.Queue())
        try:
            effect = stepper.step()
            while effect is not None:
                if isinstance(effect, Emit):
                    yield _ITEM, effect.item
                    effect = stepper.step()
                    continue
                value, error = await self._effect(effect, state, progress)
                effect = stepper.step(value, error)
            yield _RESULT, stepper.result
        finally:
            flow.close()
            for task in state.handles:
                task.cancel()

    async def _effect(
        self, effect: Effect, state: _Background, progress: Progress | None
    ) -> tuple[Any, BaseException | None]:
        import asyncio

        if isinstance(effect, Call | MultiRequest):
            try:
                return await self._execute(effect, progress), None
            except KalturaError as exc:
                return None, exc
        if isinstance(effect, Start):
            task = asyncio.create_task(self._background(effect, state.done, progress))
            state.started(task, self._core.config.max_concurrency)
            return None, None
        if isinstance(effect, NextDone):
            if not state.pending:
                return None, _nothing_running()
            return state.received(await state.done.get()), None
        if isinstance(effect, Sleep):
            await asyncio.sleep(effect.seconds)
        return None, None

    async def _background(
        self, effect: Start, done: asyncio.Queue[tuple[Hashable, Any]], progress: Progress | None
    ) -> None:
        import asyncio

        if self._limit is None:
            self._limit = asyncio.Semaphore(self._core.config.max_concurrency)
        async with self._limit:
            try:
                outcome: Any = await self._execute(effect.call, progress)
            except Exception as exc:  # reported to the flow; non-Kaltura errors re-raised there
                outcome = exc
        done.put_nowait((effect.tag, outcome))

    async def _execute(self, target: Target, progress: Progress | None) -> Any:
        renewed = False
        while True:
            try:
                result = await self._retried(target, progress)
            except InvalidKsError as exc:
                if renewed or not self._core.should_renew(target, exc) or not self._core.ks.renew():
                    raise
                renewed = True
                continue
            if renewed or not self._core.should_renew(target, result) or not self._core.ks.renew():
                return result
            renewed = True

    async def _retried(self, target: Target, progress: Progress | None) -> Any:
        import tenacity

        retrying = tenacity.AsyncRetrying(**self._core.retrying(target))
        async for attempt in retrying:
            with attempt:
                return await self._attempt(target, progress)
        raise AssertionError("unreachable: tenacity reraises the last error")

    async def _attempt(self, target: Target, progress: Progress | None) -> Any:
        from kaltura_mm import transport

        request, secrets = self._core.encode(target)
        http = self._http
        with transport.mapped_errors(target.label):
            response = await http.send(transport.build_async(http, request, progress))
        return self._core.decode(target, response, secrets)

    async def aclose(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
