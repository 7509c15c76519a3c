"""``ScriptedKaltura``: a fake Kaltura server for unit tests, answering from a script in order.

Each step names the call it expects (``service.action`` or ``multirequest``) and what to do: a
JSON value to answer with, an ``httpx.Response``, or an exception to raise as if the network
failed. It records every request, and fails the test on a call out of script.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx


class ScriptedKaltura:
    """Answer requests from a script of (expected call, answer) steps; record what was sent."""

    def __init__(self, *steps: tuple[str, Any]) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()

    def _answer(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        with self._lock:
            self.requests.append(request)
            self.bodies.append(body)
            assert self.steps, f"unexpected extra request to {request.url.path}"
            expected, answer = self.steps.pop(0)
        parts = request.url.path.split("/")
        called = "multirequest" if parts[-1] == "multirequest" else f"{parts[-3]}.{parts[-1]}"
        assert called == expected.lower(), f"expected {expected}, got {called}"
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)

    def transport(self) -> httpx.MockTransport:
        """Return a sync httpx transport serving the script."""
        return httpx.MockTransport(self._answer)

    def async_transport(self) -> httpx.MockTransport:
        """Return an async httpx transport serving the script."""

        async def answer(request: httpx.Request) -> httpx.Response:
            await request.aread()
            return self._answer(request)

        return httpx.MockTransport(answer)

    def params(self, index: int = -1) -> dict[str, Any]:
        """Return the JSON parameters of a recorded request."""
        return json.loads(self.bodies[index])  # type: ignore[no-any-return]

    @property
    def done(self) -> bool:
        """Return whether every scripted step was used."""
        return not self.steps


def api_error(code: str, message: str = "refused", args: Any = None) -> dict[str, Any]:
    """Return a KalturaAPIException body as the server writes it."""
    return {
        "code": code,
        "message": message,
        "objectType": "KalturaAPIException",
        "args": args or [],
    }
