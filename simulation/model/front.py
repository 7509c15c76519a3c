"""The front controller: one HTTP request in, one HTTP response out (``KalturaFrontController``).

API errors are HTTP 200 with a ``KalturaAPIException`` body (``args`` ``[]`` when empty).
``format`` is 2 (XML) when absent: a client that forgets ``format=1`` gets XML, as from the real
server. ``service=multirequest`` (exact, lower case) runs numbered sub-requests in order, each
through the dispatcher (each counted by the rate limiter), failures inline; after item N runs,
later string values holding ``{N:result[:path]}`` are substituted ("" for a failed item).
Other requests may run between two items: a multirequest is not a transaction.
"""

from __future__ import annotations

import re
from typing import Any

from kaltura_mm.sandbox import coerce
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.multirequest import resolve, sub_requests
from kaltura_mm.sandbox.wire import FORMATS, content_type
from simulation.http import HttpRequest, HttpResponse
from simulation.model import dispatch
from simulation.model.jobs import Pause, Steps
from simulation.model.request import read_params
from simulation.model.state import State
from simulation.model.wire import body as render_body

_REFERENCE = re.compile(r"\{([0-9]+):result:?(.*)?\}")
_EXPOSED = "Server, Content-Length, Content-Range, Date, X-Kaltura, X-Kaltura-Session, X-Me"


def serve(state: State, request: HttpRequest, blocked: bool = False) -> Steps[HttpResponse]:
    """Answer one HTTP request (it may pause: see ``jobs``)."""
    if request.method.upper() == "OPTIONS":
        return HttpResponse(200, {"Access-Control-Allow-Origin": "*"}, b"")
    params = read_params(request)
    fmt = coerce.to_int(params.get("format", 2))
    multi = params.get("service") == "multirequest"
    said: dict[str, str] = {}  # PHP header() calls of the actions: one value per name
    result: Any
    if fmt not in FORMATS:
        result, fmt, multi = (
            KalturaApiException("UNKNOWN_RESPONSE_FORMAT", params.get("format")),
            2,
            False,
        )
    elif multi:
        result = yield from _multirequest(state, params, blocked, said)
    else:
        try:
            result = yield from dispatch.call(state, params, blocked, said)
        except KalturaApiException as error:
            result = error
    body = render_body(result, fmt, multi, str(params.get("callback", "")))
    return HttpResponse(200, {**_headers(state, fmt), **said}, body)


def _headers(state: State, fmt: int) -> dict[str, str]:
    return {
        "Content-Type": content_type(fmt),
        "X-Kaltura-Session": f"{state.rng.getrandbits(31)}, {int(state.now())}",
        "X-Me": "simulation",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": _EXPOSED,
    }


def _multirequest(
    state: State, params: dict[str, Any], blocked: bool, said: dict[str, str]
) -> Steps[list[Any]]:
    calls = sub_requests(params)
    results: list[Any] = []
    for ordinal, sub in enumerate(calls, start=1):
        if ordinal > 1:
            yield Pause()
        try:
            result = yield from dispatch.call(state, sub, blocked, said)
        except KalturaApiException as error:
            result = error
        results.append(result)
        for later in calls[ordinal:]:
            _substitute(later, ordinal, result)
    return results


def _substitute(node: dict[str, Any], ordinal: int, result: Any) -> None:
    for key, value in node.items():
        if isinstance(value, dict):
            _substitute(value, ordinal, result)
        elif isinstance(value, str):
            match = _REFERENCE.search(value)
            if match and int(match.group(1)) == ordinal:
                node[key] = value.replace(match.group(0), resolve(result, match.group(2) or ""))
