"""``service=multirequest``: numbered sub-requests run in order, failures inline, references.

Keys may start at 0 or 1; processing stops at the first index without ``service``/``action``.
``ks``, ``clientTag`` and ``partnerId`` are copied into sub-requests lacking them; ``format`` is
global. After sub-request number N (1-based ordinal) runs, every later string value holding
``{N:result[:path]}`` is substituted (one reference per value; the match is greedy, as in PHP).
"""

from __future__ import annotations

import re
from typing import Any

from kaltura_mm.sandbox import actions_limit
from kaltura_mm.sandbox.dispatcher import Dispatcher
from kaltura_mm.sandbox.errors import KalturaApiException

_REFERENCE = re.compile(r"\{([0-9]+):result:?(.*)?\}")
_COPIED = ("ks", "clientTag", "partnerId")


def sub_requests(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the sub-requests to run, in order, up to the first gap."""
    numbered = {int(k): v for k, v in params.items() if k.isdigit() and isinstance(v, dict)}
    if not numbered:
        return []
    calls = []
    for index in range(min(min(numbered), 1), max(numbered) + 1):
        sub = numbered.get(index)
        if sub is None or "service" not in sub or "action" not in sub:
            break
        sub = dict(sub)
        for key in _COPIED:
            if key not in sub and key in params:
                sub[key] = params[key]
        sub.pop("format", None)
        calls.append(sub)
    return calls


def run(dispatcher: Dispatcher, params: dict[str, Any]) -> list[Any]:
    """Run a multirequest; return one result (or ``KalturaApiException``) per sub-request run."""
    calls = sub_requests(params)
    results: list[Any] = []
    with actions_limit.one_request():
        for ordinal, sub in enumerate(calls, start=1):
            results.append(_one(dispatcher, sub))
            for later in calls[ordinal:]:
                _substitute(later, ordinal, results[-1])
    return results


def _one(dispatcher: Dispatcher, sub: dict[str, Any]) -> Any:
    try:
        return dispatcher.call(sub)
    except KalturaApiException as error:
        return error


def _substitute(node: dict[str, Any], ordinal: int, result: Any) -> None:
    for key, value in node.items():
        if isinstance(value, dict):
            _substitute(value, ordinal, result)
        elif isinstance(value, str):
            match = _REFERENCE.search(value)
            if match and int(match.group(1)) == ordinal:
                node[key] = value.replace(match.group(0), resolve(result, match.group(2) or ""))


def resolve(result: Any, path: str) -> str:
    """Return the string a reference path yields ("" for missing, objects and failures)."""
    if isinstance(result, KalturaApiException):
        return ""
    return _text(_walk(result, path.split(":") if path else []))


def _walk(value: Any, segments: list[str]) -> Any:
    for position, segment in enumerate(segments):
        if isinstance(value, list) and segment == "_all":
            rest = segments[position + 1 :]
            return "".join(_text(_walk(item, rest)) + "," for item in value)
        if isinstance(value, dict):
            value = value.get(segment)
        elif isinstance(value, list) and segment.isdigit() and int(segment) < len(value):
            value = value[int(segment)]
        else:
            return None
    return value


def _text(value: Any) -> str:
    if value is None or value is False or isinstance(value, dict | list):
        return ""
    if value is True:
        return "1"
    return str(value)
