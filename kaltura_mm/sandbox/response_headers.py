"""Headers an action adds to its HTTP response, as PHP's ``header()`` does mid-request.

The server (one request per thread) opens a collection with ``collect()`` before it dispatches
and sends what was added; a multirequest's sub-requests add to the same one. A name set twice
keeps its last value (``header()`` replaces by default). Outside a collection ``add`` does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_CURRENT: ContextVar[dict[str, str] | None] = ContextVar("sandbox_response_headers", default=None)


@contextmanager
def collect() -> Iterator[dict[str, str]]:
    """Collect the headers added while the block runs (in this thread) into the yielded dict."""
    headers: dict[str, str] = {}
    token = _CURRENT.set(headers)
    try:
        yield headers
    finally:
        _CURRENT.reset(token)


def add(name: str, value: str) -> None:
    """Add (or replace) a response header of the request being handled."""
    headers = _CURRENT.get()
    if headers is not None:
        headers[name] = value
