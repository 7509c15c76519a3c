"""The effect vocabulary: what a flow may ask of the runtime, and what it gets back.

A flow is a generator ``Flow[T] = Generator[Effect, Any, T]``: it yields effects, receives their
results, and its return value is what ``client.run(flow)`` returns. A *stream*, ``Stream[I]``,
also yields ``Emit(item)`` and returns nothing: ``client.iterate(stream)`` hands each item out as
soon as it is emitted. The types keep the two apart (mypy rejects ``run`` on a stream and
``iterate`` on a flow with a result), and the runtime refuses the same mistakes in untyped code.
The same flow runs under ``Client``, ``AsyncClient`` and ``kaltura_mm.testing.drive``, so
multi-step logic is written once and never twice as sync and async.

| yield                       | the flow receives                                                |
|-----------------------------|------------------------------------------------------------------|
| ``Call[T]``                 | the decoded ``T``; a ``KalturaError`` is *thrown* into the flow   |
| ``MultiRequest``            | a ``MultiResponse`` (per-item values or errors); a batch with no  |
|                             | usable answer is thrown                                          |
| ``Start(tag, call)``        | ``None`` at once; the call (or batch) runs in the background, at  |
|                             | most ``max_concurrency`` requests at a time                       |
| ``NextDone()``              | ``(tag, outcome)`` of the next background call to finish: the     |
|                             | value or the ``KalturaError``; ``LookupError`` if none runs       |
| ``Sleep(seconds)``          | ``None`` once the runtime's clock moved ``seconds`` on            |
| ``Backoff(attempt, ...)``   | the pause before sending again a request that failed ``attempt``  |
|                             | times, or ``None``: the retry policy allows no more sends         |
|                             | (``runtime.throttle``; the flow then raises its error)            |
| ``Now()``                   | the runtime's clock (monotonic seconds; virtual in a simulation)  |
| ``Draw()``                  | a float in ``[0, 1)`` from the runtime's random source (jitter)   |
| ``Reach()``                 | ``Reached``: whether a request of this run reached the server, and |
|                             | the retry policy's ``patience_rounds`` (``runtime.patience``)      |
| ``SharedLimit(svc, action)``| ``(calls, window seconds)`` the processes sharing the rate budget |
|                             | learned for that action, or ``None`` (``kaltura_mm.budget``)      |
| ``Interleave(flows, ...)``  | each sub-flow's result (or exception), in order                  |
| ``Emit(item)``              | ``None`` once the consumer took ``item`` (streams only)           |

Calls are sent under the client's retry policy and KS renewal (``kaltura_mm.runtime``). A flow
never reads the wall clock or the ``random`` module itself: it asks with ``Now()`` and ``Draw()``,
so a seeded run replays exactly. Background calls still running when a flow ends are dropped.

Example::

    def entry_names(ids: list[str]) -> Flow[list[str]]:
        names = []
        for entry_id in ids:
            try:
                entry = yield base_entry.get(entry_id)
            except EntryNotFoundError:
                continue
            names.append(entry.name)
        return names
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Hashable, Sequence
from typing import Any, Generic, TypeAlias, TypeVar, overload

import attrs

from kaltura_mm.errors import KalturaError
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a stream


@attrs.frozen
class Start:
    """Run ``call`` in the background under the client's concurrency limit, labelled ``tag``."""

    tag: Hashable
    call: Call[Any] | MultiRequest


@attrs.frozen
class NextDone:
    """Wait for the next background call to finish; receive ``(tag, outcome)``."""


@attrs.frozen
class Sleep:
    """Pause the flow for ``seconds`` of the runtime's clock."""

    seconds: float


@attrs.frozen
class Backoff:
    """Ask whether a request that failed ``attempt`` times (1-based) may go again, and when.

    The runtime answers the pause (its one backoff, jitter from its random source) or None when
    the run's retry policy allows no more sends: ``throttled_attempts`` for a request the rate
    limiter blocked (``blocked``), ``attempts`` for one that got no usable answer; ``limit``, when
    a caller set its own bound (``Pace.max_attempts``), in place of the policy's. ``base`` and
    ``cap`` shape the pause where a flow paces differently (None: the policy's backoff).
    ``paced``: the flow waits as it learned itself (the batch engine's limiter windows): the
    runtime only says whether, answering 0.0 or None and drawing no jitter.
    ``runtime.throttle.again`` asks and pauses in one step.
    """

    attempt: int
    blocked: bool = True
    limit: int | None = None
    base: float | None = None
    cap: float | None = None
    paced: bool = False


@attrs.frozen
class Now:
    """Receive the runtime's clock: monotonic seconds, virtual under a simulation."""


@attrs.frozen
class Draw:
    """Receive a float in ``[0, 1)`` from the runtime's random source (seeded: replayable)."""


@attrs.frozen
class Reach:
    """Receive ``Reached``: what this run knows of the server, for a patient flow."""


@attrs.frozen
class SharedLimit:
    """Receive ``(calls, window seconds)``: the server's limit for ``service.action`` as the
    processes sharing the rate budget learned it, or None (nothing known, or no shared budget);
    window 0: the calls only (the run learning the window takes them as its allowance).
    ``learned``: the ``(calls, window seconds)`` this run learned alone, offered to the budget."""

    service: str
    action: str
    learned: tuple[int, float] | None = None


@attrs.frozen
class Reached:
    """What this run knows of the server: whether any request reached it (an answer of any
    kind, or a connection that failed after it was made), whether it ever gave a Kaltura answer
    (a result or an API error), and how many rounds a patient flow may send a call (the retry
    policy's ``patience_rounds``), and the server's wall clock now (Unix seconds, estimated from
    the ``X-Kaltura-Session`` stamp or ``Date`` header of its last answer; None before one), and
    whether the session certainly has the partner administrator's role (an ADMIN KS the client
    signs with no user and no ``setrole``: ``SecretKs.full_rights``; False when not known)."""

    server: bool
    worked: bool
    patience_rounds: int
    server_time: float | None = None
    full_rights: bool = False
    throttled_attempts: int = 10  # the retry policy's: how often a blocked request may be sent


def _always(_: BaseException) -> bool:
    return True


@attrs.frozen
class Interleave:
    """Run ``flows`` concurrently, ``limit`` at a time; receive each one's result or exception.

    ``is_failure`` says which exceptions end only their own sub-flow (default: every
    ``Exception``); any other exception is thrown into the flow that yielded this.
    """

    flows: tuple[Generator[Any, Any, Any], ...]
    limit: int
    is_failure: Callable[[BaseException], bool] = _always


@attrs.frozen
class Emit(Generic[I]):
    """Hand ``item`` to the consumer of ``client.iterate(stream)``; the stream then goes on."""

    item: I


Effect: TypeAlias = (
    Call[Any]
    | MultiRequest
    | Start
    | NextDone
    | Sleep
    | Backoff
    | Now
    | Draw
    | Reach
    | SharedLimit
    | Interleave
)
Flow: TypeAlias = Generator[Effect, Any, T]
"""A flow with a result: ``client.run(flow) -> T``."""
Stream: TypeAlias = Generator[Effect | Emit[I], Any, None]
"""A flow of items: ``client.iterate(stream) -> Iterator[I]`` (``AsyncIterator`` under asyncio)."""
Outcome = Any | KalturaError
"""The result of a background call: its decoded value, or the ``KalturaError`` it ended with."""


def check_flow(flow: object, what: str = "run() and iterate()") -> None:
    """Refuse anything but a flow generator, naming the fix (a Call goes to ``client.call``)."""
    if isinstance(flow, Call | MultiRequest):
        raise TypeError(
            f"{what} take a flow (e.g. upload_file(...)); send a single Call with "
            "client.call(...) and a MultiRequest with client.multi(...)"
        )
    if not isinstance(flow, Generator):
        raise TypeError(f"{what} take a flow generator, not {type(flow).__name__}")


@overload
def single(call: Call[T]) -> Flow[T]: ...
@overload
def single(call: MultiRequest) -> Flow[MultiResponse]: ...
def single(call: Call[Any] | MultiRequest) -> Flow[Any]:
    """Return the flow that sends one call (or ``MultiRequest``) and returns its result."""
    result = yield call
    return result


def interleave(
    flows: Sequence[Flow[Any]], limit: int, is_failure: Callable[[BaseException], bool] = _always
) -> Flow[list[Any]]:
    """Run ``flows`` concurrently (``limit`` at a time); return each one's result or exception."""
    results: list[Any] = yield Interleave(tuple(flows), limit, is_failure)
    return results
