"""Lists asked by id, many to a request, with no offsets: the one reader of pages by id. Pure.

A read of what the server holds for many entries (their links, ``kaltura_mm.flows.membership``;
their source flavor assets, ``kaltura_mm.flows.flavors``) is a queue of *asks*, each one list
call filtered by up to ``PAGE`` ids (the server's cap on a filter's list of values and on a page):

- up to ``CALLS_PER_REQUEST`` asks go in one multiRequest, sent patiently; reads of the caller
  (``also``) ride in the first request, so a read usually costs no request of its own;
- each answered page tells its ask what to ask next (``PagedAsk.after``): nothing, or the ask
  split in two when a full page may not be all (never the next page by offset, so a row made or
  removed meanwhile cannot shift another out of view), which goes to the back of the queue;
- an item the rate limiter blocked is asked again after a pause, as often and after as long as
  the runtime says (``--retries``); an error the caller names as an empty answer (``empty``) adds
  nothing; any other error is raised once its request is read, the first of ``also`` first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import attrs

from kaltura_mm.errors import KalturaError
from kaltura_mm.models import ListPage
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.patience import patiently
from kaltura_mm.runtime.throttle import again, is_blocked

PAGE = 500  # ids in a filter's list of values, rows in a page: the server's caps
# Calls in one multiRequest: 20 lists of 500 answer in well under the server's time limits, and
# a blocked or failed request costs no more than 20 calls sent again.
CALLS_PER_REQUEST = 20

T = TypeVar("T")


class PagedAsk(Protocol[T]):
    """One list call of a paged read, and what to ask once its page is in."""

    def call(self) -> Call[ListPage[T]]:
        """Return the call that asks it."""
        ...

    def after(self, page: ListPage[T]) -> Sequence[PagedAsk[T]]:
        """Return what to ask next once ``page`` answered this: nothing unless it may not be
        all (then the ask split in two, or its next page when it cannot be split)."""
        ...


@attrs.frozen
class PagedRead:
    """Every page a paged read got, in the order they came; ``also``: the values of the
    caller's reads, in order; ``requests``: the HTTP requests it took."""

    pages: list[ListPage[Any]]
    also: list[Any]
    requests: int


def read_pages(
    asks: Iterable[PagedAsk[Any]],
    also: Sequence[Call[Any]] = (),
    empty: tuple[type[KalturaError], ...] = (),
) -> Flow[PagedRead]:
    """Send ``asks`` (and what their pages ask next) with ``also`` in the first request; return
    what came back. ``empty``: errors that mean an ask matches nothing (module docstring)."""
    pending: deque[PagedAsk[Any]] = deque(asks)
    pages: list[ListPage[Any]] = []
    extras: dict[int, Any] = {}
    requests = blocked_rounds = 0
    while pending or len(extras) < len(also):
        request = MultiRequest()
        extra_refs = {n: request.add(c) for n, c in enumerate(also) if n not in extras}
        room = max(1, CALLS_PER_REQUEST - len(extra_refs))
        round_ = [pending.popleft() for _ in range(min(room, len(pending)))]
        refs = [request.add(ask.call()) for ask in round_]
        answer: MultiResponse = yield from patiently(request)
        requests += 1
        blocked = _extras(answer, extra_refs, extras)
        failure: KalturaError | None = None
        for ask, ref in zip(round_, refs, strict=True):
            got = answer.outcome(ref)
            if is_blocked(got):
                pending.append(ask)
                blocked = True
            elif isinstance(got, empty):
                continue
            elif isinstance(got, KalturaError):
                failure = failure or got
            else:
                pages.append(got)
                pending.extend(ask.after(got))
        if failure is not None:
            raise failure
        if blocked:  # again as often, and after as long, as the runtime says (--retries)
            blocked_rounds += answer.sends  # the runtime's own sends of it count
            if not (yield from again(blocked_rounds, base=1.0, cap=30.0)):
                raise next(e for e in answer.errors if is_blocked(e))
    return PagedRead(pages, [extras[n] for n in range(len(also))], requests)


def _extras(answer: MultiResponse, refs: Mapping[int, Ref[Any]], into: dict[int, Any]) -> bool:
    """Keep the values of the ``also`` reads answered; raise the first failed; say if blocked."""
    blocked = False
    for n, ref in refs.items():
        got = answer.outcome(ref)
        if is_blocked(got):
            blocked = True
        elif isinstance(got, KalturaError):
            raise got
        else:
            into[n] = got
    return blocked


def chunks(values: Sequence[Any], size: int = PAGE) -> list[tuple[Any, ...]]:
    """Return ``values`` in tuples of up to ``size``, in order."""
    return [tuple(values[i : i + size]) for i in range(0, len(values), size)]
