"""The effect vocabulary of flows: what a flow may ask the client to do, and what it gets back.

A flow is a generator ``Flow[T] = Generator[Effect, Any, T]``. It yields effects and receives
their results; its return value is the result of ``client.run(flow)``. The same flow runs under
``Client.run`` (threads) and ``AsyncClient.run`` (asyncio tasks), so multi-step logic is written
once and never twice as sync and async.

| yield                  | the flow receives                                                   |
|------------------------|---------------------------------------------------------------------|
| ``Call[T]``            | the decoded ``T``; a ``KalturaError`` is *thrown* into the flow      |
| ``MultiRequest``       | a ``MultiResponse`` (per-item values or errors; never thrown)        |
| ``Start(tag, call)``   | ``None`` at once; the call (or batch) runs in the background, at     |
|                        | most ``max_concurrency`` at a time                                   |
| ``NextDone()``         | ``(tag, outcome)`` of the next background call to finish: outcome is |
|                        | the value or the ``KalturaError``; raises ``LookupError`` if none run |
| ``Sleep(seconds)``     | ``None`` after the pause                                             |
| ``Emit(item)``         | ``None`` at once; ``client.iterate(flow)`` hands ``item`` to its     |
|                        | consumer (streaming results); ``client.run`` drops it                |

Errors of a ``Call`` (after the client's retries) are thrown into the generator at the ``yield``,
so a flow handles them with ``try``/``except``. Background calls still running when the flow
returns are awaited (sync) or cancelled (async) and their results dropped.

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

from collections.abc import Generator, Hashable
from typing import Any, TypeVar

import attrs

from kaltura_mm.errors import KalturaError
from kaltura_mm.protocol.calls import Call, MultiRequest

T = TypeVar("T")


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
    """Pause the flow for ``seconds``."""

    seconds: float


@attrs.frozen
class Emit:
    """Hand ``item`` to the consumer of ``client.iterate(flow)`` while the flow keeps running."""

    item: Any


Effect = Call[Any] | MultiRequest | Start | NextDone | Sleep | Emit
Flow = Generator[Effect, Any, T]
Outcome = Any | KalturaError
"""The result of a background call: its decoded value, or the ``KalturaError`` it ended with."""


def single(call: Call[T]) -> Flow[T]:
    """Return the flow that runs one call and returns its result."""
    result: T = yield call
    return result
