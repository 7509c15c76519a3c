"""Test your Kaltura integration the way kaltura-mm tests its own.

- ``drive(flow, kaltura)`` runs any flow or stream on the runtime's machine with no sockets and a
  virtual clock (sleeps and backoffs take no time): a third adapter of ``kaltura_mm.runtime``
  beside ``Client`` and ``AsyncClient``. ``kaltura`` answers each request: a ``ScriptedKaltura``,
  ``answering(handler)`` for a fake that answers calls with values, or your own ``Responder``.
  Seeded, a run replays exactly: ``Driven.actions`` are the same from one run to the next.
- ``ScriptedKaltura(*steps)`` answers requests in order from a script and records them; the same
  script serves ``drive`` and, at the HTTP-transport level, a real ``Client``/``AsyncClient``
  (``Client(config, http_transport=script.transport())``).
- The sandbox: installing kaltura-mm registers the pytest fixtures ``kaltura_sandbox`` (a fresh
  local Kaltura-compatible server per test) and ``kaltura_sandbox_session``; ``config_for``
  points a client at one.

Example::

    from kaltura_mm.services import base_entry
    from kaltura_mm.testing import ScriptedKaltura, drive

    def test_name_of_an_entry() -> None:
        kaltura = ScriptedKaltura(("baseEntry.get", MediaEntry(id="0_a", name="talk")))
        assert drive(get_entry("0_a"), kaltura).result.name == "talk"
        assert kaltura.done
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Generator
from random import Random
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from kaltura_mm.config import Config
from kaltura_mm.errors import ApiError, KalturaError, TransportError
from kaltura_mm.ks import FixedKs, KsProvider
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call, FilePart, MultiRequest, MultiResponse
from kaltura_mm.runtime import (
    Action,
    Answer,
    Done,
    Failed,
    Item,
    Machine,
    Reply,
    RetryPolicy,
    Send,
    Settings,
    Wait,
)

if TYPE_CHECKING:
    import httpx

    from kaltura_mm.protocol.wire import HttpRequest

__all__ = [
    "Driven",
    "Responder",
    "ScriptedKaltura",
    "SentRequest",
    "answer_for",
    "answering",
    "api_error",
    "config_for",
    "drive",
]

TESTING_KS = "testing-ks"


class Responder(Protocol):
    """Anything that answers the machine's sends: a script, a fake Kaltura, a recorded session."""

    def respond(self, send: Send) -> Answer:
        """Return the answer to ``send``: a ``Reply`` (any status) or ``Failed``."""


@attrs.define
class Driven:
    """What a driven flow did: its result, the items it emitted, every action, the time slept."""

    result: Any
    items: list[Any]
    actions: list[Action]
    slept: list[float]

    @property
    def sends(self) -> list[Send]:
        """Return the requests the run made, in order."""
        return [a for a in self.actions if isinstance(a, Send)]


def drive(
    flow: Generator[Any, Any, Any],
    kaltura: Responder,
    *,
    seed: int = 0,
    ks: str | KsProvider | None = TESTING_KS,
    retry: RetryPolicy | None = None,
    max_concurrency: int = 24,
    start: float = 0.0,
) -> Driven:
    """Run ``flow`` (a flow or a stream) to its end against ``kaltura``; no sockets, no waiting.

    Requests are answered one at a time in the order they were made; when nothing is left to
    answer the virtual clock jumps to the next deadline (a sleep, a backoff).
    """
    provider = FixedKs(ks) if ks is None or isinstance(ks, str) else ks
    settings = Settings(ks=provider, retry=retry or RetryPolicy(), max_concurrency=max_concurrency)
    clock = [start]
    machine = Machine(flow, settings, clock=lambda: clock[0], random=Random(seed), streaming=None)
    driven = Driven(None, [], [], [])
    unanswered: deque[Send] = deque()
    try:
        while not isinstance(action := machine.next_action(), Done):
            driven.actions.append(action)
            if isinstance(action, Send):
                unanswered.append(action)
            elif isinstance(action, Item):
                driven.items.append(action.value)
            elif unanswered:
                machine.answer(kaltura.respond(unanswered.popleft()))
            else:
                assert isinstance(action, Wait) and action.until is not None
                driven.slept.append(max(0.0, action.until - clock[0]))
                clock[0] = max(clock[0], action.until)
    finally:
        machine.close()
    driven.actions.append(action)
    driven.result = action.result
    return driven


# ---- answers as the server writes them ---------------------------------------------------------


def api_error(code: str, message: str = "refused", args: Any = None) -> dict[str, Any]:
    """Return a ``KalturaAPIException`` body as the server writes it."""
    return {
        "code": code,
        "message": message,
        "objectType": "KalturaAPIException",
        "args": args or [],
    }


def _json_value(outcome: Any) -> Any:
    if isinstance(outcome, ApiError):
        return api_error(outcome.code, outcome.message, dict(outcome.kaltura_args))
    if isinstance(outcome, MultiResponse):
        outcome = outcome.outcomes
    if isinstance(outcome, list | tuple):
        return [_json_value(item) for item in outcome]
    return codec.encode_answer(outcome)


def answer_for(send: Send, outcome: Any) -> Answer:
    """Return the answer carrying ``outcome`` for ``send``, as the server would write it.

    ``outcome`` is a value (models are encoded with every field set), an ``ApiError`` (the
    server's refusal), for a ``MultiRequest`` a list of per-item outcomes, or a
    ``TransportError`` (no answer at all).
    """
    if isinstance(outcome, TransportError):
        return Failed(send.id, outcome)
    body = json.dumps(_json_value(outcome)).encode()
    return Reply(send.id, 200, {"Content-Type": "application/json"}, body)


@attrs.frozen
class _Answering:
    handler: Callable[[Call[Any]], Any]

    def respond(self, send: Send) -> Answer:
        if isinstance(send.target, MultiRequest):
            return answer_for(send, [self._outcome(call) for call in send.target.calls])
        try:
            return answer_for(send, self.handler(send.target))
        except (ApiError, TransportError) as exc:
            return answer_for(send, exc)

    def _outcome(self, call: Call[Any]) -> Any:
        try:
            return self.handler(call)
        except ApiError as exc:
            return exc


def answering(handler: Callable[[Call[Any]], Any]) -> Responder:
    """Return a responder answering each call with ``handler(call)``: a value, or it raises.

    Raise an ``ApiError`` for the server's refusal (``ApiError.create("ENTRY_ID_NOT_FOUND",
    ...)``), a ``TransportError`` for no answer; a multiRequest is answered item by item.
    """
    return _Answering(handler)


def config_for(sandbox: Any, **overrides: Any) -> Config:
    """Return a client ``Config`` for a running sandbox (the ``kaltura_sandbox`` fixture)."""
    values: dict[str, Any] = {
        "service_url": sandbox.service_url,
        "partner_id": sandbox.partner_id,
        "admin_secret": sandbox.admin_secret,
    }
    return Config(**(values | overrides))


# ---- a scripted Kaltura ------------------------------------------------------------------------


@attrs.frozen
class SentRequest:
    """A request as the scripted Kaltura received it (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def called(self) -> str:
        """Return ``service.action`` (lower case) or ``multirequest``."""
        parts = self.path.split("/")
        called = "multirequest" if parts[-1] == "multirequest" else f"{parts[-3]}.{parts[-1]}"
        return called.lower()  # camelCase actions too (startWidgetSession)


def _body_of(request: HttpRequest) -> bytes:
    chunks = []
    for segment in request.body:
        if isinstance(segment, FilePart):
            with open(segment.path, "rb") as handle:
                handle.seek(segment.offset)
                chunks.append(handle.read(-1 if segment.length is None else segment.length))
        else:
            chunks.append(segment)
    return b"".join(chunks)


class ScriptedKaltura:
    """Answer requests from a script of ``(expected call, answer)`` steps, in order; record them.

    The expected call is ``service.action`` or ``multirequest``. An answer is a JSON value, a
    model (encoded as the server writes it), an ``ApiError``, an ``httpx.Response`` (any status
    and body), or an exception to raise as the network would (``httpx.ReadError(...)``, or a
    ``TransportError``). A request out of script fails the test.
    """

    def __init__(self, *steps: tuple[str, Any]) -> None:
        """Serve ``steps`` in order."""
        self.steps = list(steps)
        self.requests: list[SentRequest] = []
        self._lock = threading.Lock()

    @property
    def done(self) -> bool:
        """Return whether every scripted step was used."""
        return not self.steps

    @property
    def bodies(self) -> list[bytes]:
        """Return the body of every request received, in order."""
        return [r.body for r in self.requests]

    def params(self, index: int = -1) -> dict[str, Any]:
        """Return the JSON parameters of a received request."""
        return json.loads(self.requests[index].body)  # type: ignore[no-any-return]

    def _next(self, request: SentRequest) -> Any:
        with self._lock:
            self.requests.append(request)
            assert self.steps, f"unexpected extra request to {request.path}"
            expected, answer = self.steps.pop(0)
        assert request.called == expected.lower(), f"expected {expected}, got {request.called}"
        return answer

    def respond(self, send: Send) -> Answer:
        """Answer ``send`` from the script (the ``Responder`` that ``drive`` uses)."""
        request = send.request
        headers = {k.lower(): v for k, v in request.headers}
        answer = self._next(SentRequest(request.method, request.path, headers, _body_of(request)))
        if isinstance(answer, BaseException):
            return Failed(send.id, _as_kaltura_error(answer, send.target.label))
        if hasattr(answer, "status_code"):  # an httpx.Response
            return Reply(send.id, answer.status_code, dict(answer.headers), answer.content)
        return answer_for(send, answer)

    def transport(self) -> httpx.MockTransport:
        """Return a sync httpx transport serving the script (``Client(http_transport=...)``)."""
        import httpx

        return httpx.MockTransport(self._handle)

    def async_transport(self) -> httpx.MockTransport:
        """Return an async httpx transport serving the script (``AsyncClient``)."""
        import httpx

        async def handle(request: httpx.Request) -> httpx.Response:
            await request.aread()
            return self._handle(request)

        return httpx.MockTransport(handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        import httpx

        body = request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        answer = self._next(SentRequest(request.method, request.url.path, headers, body))
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=_json_value(answer))


def _as_kaltura_error(error: BaseException, label: str) -> KalturaError:
    """Map an exception from a script the way the client's transport boundary would."""
    if isinstance(error, KalturaError):
        return error
    from kaltura_mm import transport

    try:
        with transport.mapped_errors(label):
            raise error
    except KalturaError as mapped:
        return mapped
    raise AssertionError(f"a script may raise network errors only, not {error!r}")
