"""``AsyncClient``: the runtime's machine adapted to httpx with asyncio.

Requests that overlap are sent as tasks (under a semaphore of ``max_concurrency``) and their
answers come back through a queue; a request that runs alone is awaited in place. File parts are
read in a worker thread (``kaltura_mm.transport``), so a slow disk never stalls the loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, TypeVar

from kaltura_mm.client.async_verbs import AsyncVerbs
from kaltura_mm.client.base import ClientBase, checked
from kaltura_mm.client.shared_budget import budget_answer
from kaltura_mm.config import Config
from kaltura_mm.errors import KalturaError
from kaltura_mm.ks import KsProvider
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse, Progress
from kaltura_mm.runtime.actions import (
    Answer,
    AskBudget,
    Done,
    Failed,
    Item,
    Reply,
    Send,
    Wait,
)
from kaltura_mm.runtime.effects import single

if TYPE_CHECKING:
    # asyncio and httpx are imported where first used (see benchmarks/bench_import.py).
    import asyncio
    from random import Random

    import httpx

    from kaltura_mm.budget import Budget
    from kaltura_mm.runtime.clock import TimeSource
    from kaltura_mm.runtime.effects import Flow, Stream
    from kaltura_mm.runtime.machine import Machine

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a stream


class AsyncClient(ClientBase, AsyncVerbs):
    """The asyncio twin of ``Client``, running the same flows on the same machine."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        ks_provider: KsProvider | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
        shared_budget: bool | Budget | None = None,
        clock: TimeSource | None = None,
        random: Random | None = None,
        **settings: Any,
    ) -> None:
        """Use ``config``, or build one from keyword settings (``service_url=``, ``ks=``...).

        ``shared_budget``, ``clock`` and ``random`` as ``Client``'s: the shared rate budget
        (None: as ``KALTURA_MM_SHARED_BUDGET`` says), the time every wait of a run passes on
        (``kaltura_mm.runtime.clock.SystemTime`` by default, ``VirtualTime`` to simulate it),
        the source of backoff jitter (a ``random.Random``).
        """
        super().__init__(
            config,
            ks_provider=ks_provider,
            shared_budget=shared_budget,
            clock=clock,
            random=random,
            **settings,
        )
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
        flying: list[asyncio.Task[None]] = []
        awaited = 0  # answers still to come (a task may finish after its answer was taken)
        try:
            while True:
                action = machine.next_action()
                if isinstance(action, Send) and action.alone:
                    machine.answer(await self._send(action, progress))  # nothing else to do
                elif isinstance(action, Send):
                    flying.append(asyncio.create_task(self._post(action, progress, answers)))
                    awaited += 1
                elif isinstance(action, AskBudget):
                    assert self._gate is not None  # asked only when the client has one
                    machine.answer(budget_answer(self._gate, action))  # the store's I/O
                elif isinstance(action, Wait):
                    flying = [t for t in flying if not t.done()]
                    got = await _arrived(answers, action.until, self._clock, awaited > 0)
                    awaited -= len(got)
                    for answer in got:
                        machine.answer(answer)
                else:
                    yield action
                    if isinstance(action, Done):
                        return
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
        try:
            async with self._limit:
                status, headers, body = await transport.asend(
                    self._http,
                    send.request,
                    progress,
                    transport.limits_of(self._config, send.deadline, self._clock.now()),
                    send.target.label,
                )
        except KalturaError as exc:
            return Failed(send.id, exc)
        if self._gate and send.ticket:  # the shared rate budget learns (kaltura_mm.budget)
            self._gate.after(send.target, send.ticket, body)
        return Reply(send.id, status, headers, body)

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
        if self._gate is not None:
            self._gate.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _arrived(
    answers: asyncio.Queue[Answer | BaseException],
    until: float | None,
    clock: TimeSource,
    flying: bool,
) -> list[Answer]:
    """Return the answers that arrived by ``until`` on ``clock`` (at least one unless it
    passed); as the thread client's ``_arrived``."""
    import asyncio

    if not flying and answers.empty() and until is not None:
        await clock.asleep(until - clock.now())
        return []
    got: list[Answer | BaseException] = []
    if answers.empty():
        timeout = None if until is None or not clock.real else max(0.0, until - clock.now())
        try:
            got.append(await asyncio.wait_for(answers.get(), timeout))
        except TimeoutError:
            return []
    while not answers.empty():
        got.append(answers.get_nowait())
    return checked(got)
