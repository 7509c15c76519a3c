"""The rest of a multiRequest as a batch of its own, for finishing one the server stopped short.

The server runs a multiRequest's items in order and checks the KS of each as it comes to it
(``kPermissionManager::errorIfKsNotValid`` in kaltura/server), so a KS that expires in the middle
leaves the items before it run and the rest refused. ``rest_of`` turns the refused items into a
batch to send again: each reference to an item that ran becomes the value the server would have
put there (``KalturaFrontController::replaceMultiRequestResults``: the result's value at the
path, "" for a missing value, an object or a failed item; ``_all`` joins a list's values with
commas), and references between the remaining items are renumbered; a reference inside a longer
value (``Ref.within``) keeps the text around it either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref

_EXCEPTION = "KalturaAPIException"


def rest_of(batch: MultiRequest, start: int, values: Sequence[Any]) -> MultiRequest:
    """Return items ``start``.. (1-based) of ``batch`` as a new batch; ``values`` are the JSON
    results of the items before ``start``."""
    rest = MultiRequest(paced=batch.paced)

    def rewrite(ref: Ref[Any]) -> str:
        before, after = ref.around  # a reference inside a longer value keeps its text around it
        if ref.index < start:
            return before + substituted(values[ref.index - 1], ref.path) + after
        moved: Ref[Any] = Ref(rest._batch, ref.index - start + 1, ref.path)  # its own batch
        return moved.within(before, after) if before or after else moved

    for call in batch.calls[start - 1 :]:
        rest.add(attrs.evolve(call, params=_rewritten(call.params, rewrite)))
    return rest


class Pieces:
    """The outcomes of a batch sent in pieces: the items that ran, and what is left to send."""

    def __init__(self, batch: MultiRequest) -> None:
        self.batch = batch
        self.ran: list[Any] = []  # server outcomes of the items that ran
        self.values: list[Any] = []  # their results as the server wrote them
        self.split = False  # whether a rest was sent (the last answer is then a piece's)

    def rest(self, response: MultiResponse, start: int) -> MultiRequest:
        """Keep the items of ``response`` before ``start``; return the batch of the rest."""
        self.split = True
        self.ran += response.server_outcomes[: start - 1]
        self.values += response.values[: start - 1]
        return rest_of(self.batch, len(self.ran) + 1, self.values)

    def whole(self, last: MultiResponse) -> MultiResponse:
        """Return the one answer of the whole batch, ``last`` being its last piece's."""
        if not self.split:
            return last
        values = (*self.values, *last.values) if last.values else ()
        return self.batch.resolve([*self.ran, *last.server_outcomes], values)


def substituted(result: Any, path: Sequence[str]) -> str:
    """Return what the server puts for a reference to ``path`` in ``result`` (its JSON)."""
    if isinstance(result, dict) and result.get("objectType") == _EXCEPTION:
        return ""
    return _text(_walk(result, list(path)))


def _walk(value: Any, path: list[str]) -> Any:
    for position, segment in enumerate(path):
        if isinstance(value, list) and segment == "_all":
            rest = path[position + 1 : position + 2]
            found = (_walk(item, rest) for item in value)
            return "".join(f"{_text(v)}," for v in found if v is not None)
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
    return "1" if value is True else str(value)


def _rewritten(value: Any, rewrite: Callable[[Ref[Any]], str]) -> Any:
    """Return ``value`` with every ``Ref`` in it rewritten (the same object if none was)."""
    if isinstance(value, Ref):
        return rewrite(value)
    if isinstance(value, Mapping):
        items = {key: _rewritten(item, rewrite) for key, item in value.items()}
        return value if all(items[k] is value[k] for k in value) else items
    if isinstance(value, list | tuple):
        new = [_rewritten(item, rewrite) for item in value]
        return value if all(a is b for a, b in zip(new, value, strict=True)) else type(value)(new)
    if attrs.has(type(value)):
        changes = {}
        for field in attrs.fields(type(value)):
            old = getattr(value, field.name)
            if field.init and (new_value := _rewritten(old, rewrite)) is not old:
                changes[field.alias] = new_value
        return attrs.evolve(value, **changes) if changes else value
    return value
