"""The answer clock: every read of a connection bounded by the time left to its answer's deadline.

httpx's timeouts bound each socket operation, so a server that trickles a byte a second keeps an
answer alive for ever. Here the deadline is set at the answer's first read, that is once the
request's last byte is sent (httpcore writes a whole request before it reads). A request carrying
file bytes sets it at the answer's first byte instead: "sent" only means handed to the kernel,
whose buffers may hold megabytes of an upload that a slow link has yet to carry, and the server
cannot answer before it has them all; until that first byte each silence is bounded by
``Timeouts.read``, each write by ``Timeouts.write``.

The clock lives in a network backend wrapped around httpcore's own and reaches it through a
context variable set around each request (a thread's or a task's own): pooled connections read
on the clock of the request using them at the moment.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import attrs
import httpcore
import httpx

from kaltura_mm.errors import AnswerTimeoutError

_SocketOptions = Iterable[Any] | None


@attrs.define
class AnswerClock:
    """The deadline of one answer, set at its first read (``at_first_byte``: its first byte)."""

    seconds: float
    at_first_byte: bool = False
    deadline: float | None = None
    cut: bool = False  # the last read was shortened to the deadline

    def start(self) -> None:
        """Set the deadline now, unless it is set already."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds

    def bound(self, timeout: float | None) -> float | None:
        """Return how long the next read may wait: ``timeout`` or less, to meet the deadline."""
        if self.at_first_byte and self.deadline is None:
            self.cut = False
            return timeout
        self.start()
        assert self.deadline is not None
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.cut = True
            raise httpcore.ReadTimeout("the answer's time is up")
        self.cut = timeout is None or left < timeout
        return left if timeout is None else min(left, timeout)

    @property
    def ran_out(self) -> bool:
        """Return whether a read that timed out was waiting on the deadline."""
        return self.cut

    def check(self, label: str) -> None:
        """Raise ``AnswerTimeoutError`` if the deadline has passed."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise AnswerTimeoutError(self.seconds, call=label)


_CLOCK: ContextVar[AnswerClock | None] = ContextVar("kaltura_mm_answer_clock", default=None)


@contextmanager
def clocked(seconds: float, *, at_first_byte: bool = False) -> Iterator[AnswerClock]:
    """Read the connections used inside the block on one answer's clock."""
    clock = AnswerClock(seconds, at_first_byte)
    token = _CLOCK.set(clock)
    try:
        yield clock
    finally:
        _CLOCK.reset(token)


# ---- the clocked network backends --------------------------------------------------------------


class _Tls:
    """A transport's TLS context, its certificates read at the first https connection.

    Reading the CA bundle took 20-30 ms of every ``kaltura-mm`` start, for plain http:// too
    (issue 20). The pool is handed ``unloaded``, which verifies and trusts nothing: the streams
    below swap the loaded context in at ``start_tls``, and were one ever missed, the connection
    would fail its verification, never go unverified.
    """

    def __init__(self) -> None:
        self.unloaded = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self._loaded: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def context(self, given: ssl.SSLContext) -> ssl.SSLContext:
        """Return the context to connect with: the loaded one in place of ``unloaded``."""
        if given is not self.unloaded:
            return given
        with self._lock:
            if self._loaded is None:
                self._loaded = httpx.create_ssl_context()
            return self._loaded


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, tls: _Tls) -> None:
        self._stream = stream
        self._tls = tls

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        clock = _CLOCK.get()
        if clock is None:
            return self._stream.read(max_bytes, timeout)
        data = self._stream.read(max_bytes, clock.bound(timeout))
        clock.start()  # an upload's answer: its clock starts with its first byte
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, timeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        context = self._tls.context(ssl_context)
        return _Stream(self._stream.start_tls(context, server_hostname, timeout), self._tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, tls: _Tls) -> None:
        self._backend = httpcore.SyncBackend()
        self._tls = tls

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: _SocketOptions = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _Stream(stream, self._tls)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: _SocketOptions = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._backend.connect_unix_socket(path, timeout, socket_options), self._tls)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _AsyncStream(httpcore.AsyncNetworkStream):
    def __init__(self, stream: httpcore.AsyncNetworkStream, tls: _Tls) -> None:
        self._stream = stream
        self._tls = tls

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        clock = _CLOCK.get()
        if clock is None:
            return await self._stream.read(max_bytes, timeout)
        data = await self._stream.read(max_bytes, clock.bound(timeout))
        clock.start()  # an upload's answer: its clock starts with its first byte
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        context = self._tls.context(ssl_context)
        started = await self._stream.start_tls(context, server_hostname, timeout)
        return _AsyncStream(started, self._tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _AsyncBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, tls: _Tls) -> None:
        self._backend = httpcore.AnyIOBackend()
        self._tls = tls

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: _SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        return _AsyncStream(stream, self._tls)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: _SocketOptions = None
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        return _AsyncStream(stream, self._tls)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def _pool_options(limits: httpx.Limits, context: ssl.SSLContext) -> dict[str, Any]:
    return {
        "ssl_context": context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
    }


# httpx cannot be handed a network backend, so each transport's pool is rebuilt with ours
# (httpcore's public pool classes, as httpx builds them). If a new httpx stopped using ``_pool``,
# the trickling-server tests of tests/cli/test_network_options.py would fail.


class ClockedTransport(httpx.HTTPTransport):
    """httpx's transport, its connections reading on the answer clock."""

    def __init__(self, limits: httpx.Limits) -> None:
        """Pool up to ``limits`` connections, verified against the system's certificates
        (read at the first https connection)."""
        tls = _Tls()
        super().__init__(verify=tls.unloaded, limits=limits)
        self._pool = httpcore.ConnectionPool(
            **_pool_options(limits, tls.unloaded), network_backend=_Backend(tls)
        )


class AsyncClockedTransport(httpx.AsyncHTTPTransport):
    """httpx's async transport, its connections reading on the answer clock."""

    def __init__(self, limits: httpx.Limits) -> None:
        """Pool up to ``limits`` connections, verified against the system's certificates
        (read at the first https connection)."""
        tls = _Tls()
        super().__init__(verify=tls.unloaded, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            **_pool_options(limits, tls.unloaded), network_backend=_AsyncBackend(tls)
        )
