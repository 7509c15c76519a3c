"""``Client`` and ``AsyncClient``: adapters of the runtime's machine to httpx, and nothing else.

Each runs a flow by asking the machine (``kaltura_mm.runtime``) for its next action and doing it:
send a request (the one HTTP boundary, ``kaltura_mm.transport``), wait for answers or a
deadline, hand out an item. Retries, KS renewal, background calls and interleaving are the
machine's, so both clients behave the same. ``Client`` sends overlapping requests from a thread
pool, ``AsyncClient`` as asyncio tasks; a request that runs alone is sent inline.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING, Any, Self, TypeVar

from kaltura_mm.config import Config
from kaltura_mm.errors import KalturaError
from kaltura_mm.ks import FixedKs, KsProvider, SecretKs
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse, Progress
from kaltura_mm.runtime import Answer, Done, Failed, Item, Machine, Reply, Send, Settings, Wait
from kaltura_mm.runtime.effects import Flow, Stream, single

if TYPE_CHECKING:
    # httpx, asyncio and the thread pool are imported where first used, so that
    # ``import kaltura_mm`` and building a client stay fast (see benchmarks/bench_import.py).
    import asyncio
    from concurrent.futures import Future, ThreadPoolExecutor

    import httpx

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a stream


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


class _ClientBase:
    """What both clients share above the I/O: configuration, the KS, a machine per run."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        ks_provider: KsProvider | None = None,
        **settings: Any,
    ) -> None:
        self._config = config or Config(**settings)
        self._ks = ks_provider or provider_for(self._config)
        self._random = random.Random()  # backoff jitter and multipart boundaries, not security

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
        config = self._config
        settings = Settings(
            ks=self._ks,
            client_tag=config.client_tag,
            secrets=config.secrets,
            retry=config.retry,
            max_concurrency=config.max_concurrency,
        )
        return Machine(
            flow, settings, clock=time.monotonic, random=self._random, streaming=streaming
        )

    def __repr__(self) -> str:
        config = self._config
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

    def run(self, flow: Flow[T], *, progress: Progress | None = None) -> T:
        """Run a flow to completion and return its result."""
        driving = self._drive(self._machine(flow), progress)
        try:
            next(driving)  # the machine refuses items from a flow that is run
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        raise AssertionError("unreachable: the machine raises on an item from run()")

    def iterate(self, flow: Stream[I], *, progress: Progress | None = None) -> Iterator[I]:
        """Run a stream, yielding each item as soon as it is emitted."""
        return self._drive(self._machine(flow, streaming=True), progress)

    def call(self, call: Call[T], *, progress: Progress | None = None) -> T:
        """Send one call and return its decoded result, raising its typed error."""
        return self.run(single(call), progress=progress)

    def multi(self, batch: MultiRequest) -> MultiResponse:
        """Send a multiRequest and return per-item outcomes (failed items are error values)."""
        return self.run(single(batch))

    def _drive(self, machine: Machine, progress: Progress | None) -> Generator[Any, None, Any]:
        answers: queue.SimpleQueue[Answer | BaseException] = queue.SimpleQueue()
        flying: set[Future[None]] = set()
        waiting: list[Send] = []
        try:
            while True:
                action = machine.next_action()
                if isinstance(action, Send):
                    waiting.append(action)
                elif isinstance(action, Wait) and action.until is None and _alone(waiting, flying):
                    machine.answer(self._send(waiting.pop(), progress))
                elif isinstance(action, Wait):
                    flying |= {self._start(s, progress, answers) for s in waiting}
                    waiting.clear()
                    for answer in _arrived(answers, action.until):
                        machine.answer(answer)
                elif isinstance(action, Item):
                    yield action.value
                else:
                    return action.result
                flying = {f for f in flying if not f.done()}
        finally:
            machine.close()
            for future in flying:
                future.cancel()

    def _start(
        self, send: Send, progress: Progress | None, answers: queue.SimpleQueue[Any]
    ) -> Future[None]:
        def post() -> None:
            try:
                answers.put(self._send(send, progress))
            except BaseException as exc:  # a bug, not a failed request: raised by the driver
                answers.put(exc)

        return self._background().submit(post)

    def _send(self, send: Send, progress: Progress | None) -> Answer:
        from kaltura_mm import transport

        http = self._http
        try:
            with transport.mapped_errors(send.target.label):
                response = http.send(transport.build_sync(http, send.request, progress))
        except KalturaError as exc:
            return Failed(send.id, exc)
        return Reply(send.id, response.status_code, response.headers, response.content)

    @property
    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                from kaltura_mm import transport

                self._client = transport.sync_client(self._config, self._transport)
            return self._client

    def _background(self) -> ThreadPoolExecutor:
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._pool is None:
                workers = self._config.max_concurrency
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="kaltura-mm")
            return self._pool

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


def _alone(waiting: list[Send], flying: set[Any]) -> bool:
    """Return whether one request waits to be sent and nothing else is on the wire."""
    return len(waiting) == 1 and not flying


def _arrived(
    answers: queue.SimpleQueue[Answer | BaseException], until: float | None
) -> list[Answer]:
    """Return the answers that arrived by ``until`` (at least one unless it passed)."""
    timeout = None if until is None else max(0.0, until - time.monotonic())
    try:
        got = [answers.get(timeout=timeout)]
    except queue.Empty:
        return []
    while not answers.empty():
        got.append(answers.get_nowait())
    return _checked(got)


def _checked(got: list[Answer | BaseException]) -> list[Answer]:
    """Return the answers, raising the first exception a sender met (a bug, not a failure)."""
    for answer in got:
        if isinstance(answer, BaseException):
            raise answer
    return got  # type: ignore[return-value]


class AsyncClient(_ClientBase):
    """The asyncio twin of ``Client``, running the same flows on the same machine."""

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

    async def run(self, flow: Flow[T], *, progress: Progress | None = None) -> T:
        """Run a flow to completion and return its result."""
        async for action in self._drive(self._machine(flow), progress):
            if isinstance(action, Done):  # the machine refuses items from a flow that is run
                return action.result  # type: ignore[no-any-return]
        raise AssertionError("unreachable: a run ends with Done")

    async def iterate(
        self, flow: Stream[I], *, progress: Progress | None = None
    ) -> AsyncIterator[I]:
        """Run a stream, yielding each item as soon as it is emitted."""
        async for action in self._drive(self._machine(flow, streaming=True), progress):
            if isinstance(action, Item):
                yield action.value

    async def call(self, call: Call[T], *, progress: Progress | None = None) -> T:
        """Send one call and return its decoded result, raising its typed error."""
        return await self.run(single(call), progress=progress)

    async def multi(self, batch: MultiRequest) -> MultiResponse:
        """Send a multiRequest and return per-item outcomes (failed items are error values)."""
        return await self.run(single(batch))

    async def _drive(
        self, machine: Machine, progress: Progress | None
    ) -> AsyncIterator[Item | Done]:
        import asyncio

        answers: asyncio.Queue[Answer | BaseException] = asyncio.Queue()
        flying: set[asyncio.Task[None]] = set()
        waiting: list[Send] = []
        try:
            while True:
                action = machine.next_action()
                if isinstance(action, Send):
                    waiting.append(action)
                elif isinstance(action, Wait) and action.until is None and _alone(waiting, flying):
                    machine.answer(await self._send(waiting.pop(), progress))
                elif isinstance(action, Wait):
                    flying |= {
                        asyncio.create_task(self._post(s, progress, answers)) for s in waiting
                    }
                    waiting.clear()
                    for answer in await _async_arrived(answers, action.until):
                        machine.answer(answer)
                else:
                    yield action
                    if isinstance(action, Done):
                        return
                flying = {task for task in flying if not task.done()}
        finally:
            machine.close()
            for task in flying:
                task.cancel()

    async def _post(
        self, send: Send, progress: Progress | None, answers: asyncio.Queue[Any]
    ) -> None:
        try:
            answers.put_nowait(await self._send(send, progress))
        except Exception as exc:  # a bug, not a failed request: raised by the driver
            answers.put_nowait(exc)

    async def _send(self, send: Send, progress: Progress | None) -> Answer:
        import asyncio

        from kaltura_mm import transport

        if self._limit is None:
            self._limit = asyncio.Semaphore(self._config.max_concurrency)
        http = self._http
        try:
            async with self._limit:
                with transport.mapped_errors(send.target.label):
                    request = transport.build_async(http, send.request, progress)
                    response = await http.send(request)
        except KalturaError as exc:
            return Failed(send.id, exc)
        return Reply(send.id, response.status_code, response.headers, response.content)

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            from kaltura_mm import transport

            self._client = transport.async_client(self._config, self._transport)
        return self._client

    async def aclose(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            await self._client.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _async_arrived(
    answers: asyncio.Queue[Answer | BaseException], until: float | None
) -> list[Answer]:
    """Return the answers that arrived by ``until`` (at least one unless it passed)."""
    import asyncio

    got: list[Answer | BaseException] = []
    if answers.empty():
        timeout = None if until is None else max(0.0, until - time.monotonic())
        try:
            got.append(await asyncio.wait_for(answers.get(), timeout))
        except TimeoutError:
            return []
    while not answers.empty():
        got.append(answers.get_nowait())
    return _checked(got)
