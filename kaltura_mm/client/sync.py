"""``Client``: the runtime's machine adapted to httpx with threads.

Requests that overlap are sent from a thread pool (``max_concurrency`` workers) and their answers
come back through a queue; a request that runs alone is sent from the calling thread. httpx's
exceptions become ``TransportError`` at the one boundary, ``kaltura_mm.transport``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from kaltura_mm.client.base import ClientBase, checked
from kaltura_mm.client.sync_verbs import SyncVerbs
from kaltura_mm.config import Config
from kaltura_mm.errors import KalturaError
from kaltura_mm.ks import KsProvider

if TYPE_CHECKING:
    # httpx and the thread pool are imported where first used, so that ``import kaltura_mm``
    # and building a client stay fast (see benchmarks/bench_import.py).
    from concurrent.futures import Future, ThreadPoolExecutor
    from random import Random

    import httpx

    from kaltura_mm.budget import Budget
    from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse, Progress
    from kaltura_mm.runtime.actions import Answer, Send
    from kaltura_mm.runtime.clock import TimeSource
    from kaltura_mm.runtime.effects import Flow, Stream
    from kaltura_mm.runtime.machine import Machine

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a stream


class Client(ClientBase, SyncVerbs):
    """A thread-safe client for the Kaltura API over a keep-alive httpx connection pool."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        ks_provider: KsProvider | None = None,
        http_transport: httpx.BaseTransport | None = None,
        shared_budget: bool | Budget | None = None,
        clock: TimeSource | None = None,
        random: Random | None = None,
        **settings: Any,
    ) -> None:
        """Use ``config``, or build one from keyword settings (``service_url=``, ``ks=``...).

        ``shared_budget``: pace by the rate budget kaltura-mm processes share
        (``kaltura_mm.budget``): True on, False off (this client learns the server's limiter
        alone), a budget of your own; None (the default) as ``KALTURA_MM_SHARED_BUDGET`` says:
        on unless it is ``off``.

        ``clock``: the time every wait of a run (backoffs, the rate limiter's windows, the
        patience bound) passes on: ``kaltura_mm.runtime.clock.SystemTime`` by default,
        ``VirtualTime`` to simulate it. ``random``: the source of backoff jitter
        (a ``random.Random``; seed one to replay a run's pauses).
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
        from kaltura_mm.runtime.effects import single

        return self.run(single(call), progress=progress)

    def multi(self, batch: MultiRequest) -> MultiResponse:
        """Send a multiRequest and return per-item outcomes (failed items are error values)."""
        from kaltura_mm.runtime.effects import single

        return self.run(single(batch))

    def _drive(self, machine: Machine, progress: Progress | None) -> Generator[Any, None, Any]:
        from kaltura_mm.client.shared_budget import budget_answer  # with the first run
        from kaltura_mm.runtime.actions import AskBudget, Item, Send, Wait

        answers: queue.SimpleQueue[Answer | BaseException] = queue.SimpleQueue()
        flying: list[Future[None]] = []
        awaited = 0  # answers still to come (a future may finish after its answer was taken)
        try:
            while True:
                action = machine.next_action()
                if isinstance(action, Send) and action.alone:
                    machine.answer(self._send(action, progress))  # nothing else to do meanwhile
                elif isinstance(action, Send):
                    flying.append(self._start(action, progress, answers))
                    awaited += 1
                elif isinstance(action, Wait):
                    flying = [f for f in flying if not f.done()]
                    got = _arrived(answers, action.until, self._clock, awaited > 0)
                    awaited -= len(got)
                    for answer in got:
                        machine.answer(answer)
                elif isinstance(action, AskBudget):
                    assert self._gate is not None  # asked only when the client has one
                    machine.answer(budget_answer(self._gate, action))  # the store's I/O
                elif isinstance(action, Item):
                    yield action.value
                else:
                    return action.result
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
        from kaltura_mm.runtime.actions import Failed, Reply

        try:
            status, headers, body = transport.send(
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
        if self._gate is not None:
            self._gate.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _arrived(
    answers: queue.SimpleQueue[Answer | BaseException],
    until: float | None,
    clock: TimeSource,
    flying: bool,
) -> list[Answer]:
    """Return the answers that arrived by ``until`` on ``clock`` (at least one unless it
    passed). With nothing in flight the clock is slept on; on a virtual clock a request takes no
    time, so an answer in flight is waited for rather than the clock moved past it."""
    if not flying and answers.empty() and until is not None:
        clock.sleep(until - clock.now())
        return []
    timeout = None if until is None or not clock.real else max(0.0, until - clock.now())
    try:
        got = [answers.get(timeout=timeout)]
    except queue.Empty:
        return []
    while not answers.empty():
        got.append(answers.get_nowait())
    return checked(got)
