"""Calls as values: ``Call[T]``, file parts, and the multiRequest builder with result references.

A ``Call`` describes one Kaltura action (service, action, params, how to decode the answer,
whether it is safe to send twice). A ``MultiRequest`` batches calls into one HTTP request; adding
a call returns a ``Ref`` standing for its result, usable as a parameter of later calls, which the
server substitutes (``{N:result:path}``, N 1-based).

The server's traps, and how this module guards against them:

1. Only one reference per string value works (the server's regex is greedy), so a ``Ref`` must
   be a whole value: any other string that contains ``{N:result`` is refused at ``add``. One
   reference may sit inside a longer value (``ref.within(before, after)``), when no brace is
   around it: the server's match runs to the value's last ``}``.
2. A reference to a failed item silently becomes ``""``, so an item that references a failed
   item is reported as failed (``DependencyError``) whatever the server answered for it.
3. References only point backwards within the same multiRequest: a ``Ref`` from another batch,
   or used in a single call, is refused.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import attrs

from kaltura_mm.errors import DependencyError, KalturaError

T = TypeVar("T")

_REF_PATTERN = re.compile(r"\{\d+:result")
_batch_ids = itertools.count(1)


def _check_non_negative(_: Any, attribute: Any, value: int | None) -> None:
    if value is not None and value < 0:
        raise ValueError(f"FilePart.{attribute.name} must be >= 0, got {value}")


@attrs.frozen(kw_only=True)
class FilePart:
    """Bytes ``[offset, offset+length)`` of a file on disk, streamed on every send attempt.

    ``length=None`` means "to the end of the file". ``field`` is the form field (``fileData``).
    """

    path: Path = attrs.field(converter=Path)
    offset: int = attrs.field(default=0, validator=_check_non_negative)
    length: int | None = attrs.field(default=None, validator=_check_non_negative)
    filename: str | None = None
    field: str = "fileData"

    @property
    def name(self) -> str:
        """Return the filename sent to the server (the file's own name unless set)."""
        return self.filename if self.filename is not None else self.path.name


Progress = Callable[[FilePart, int], None]
"""Called as ``progress(part, sent)``: ``sent`` bytes of ``part`` handed to the network so far in
this attempt (it restarts from 0 when the request is re-sent)."""


def _never_decoded(value: Any) -> Any:
    return value


@attrs.frozen(kw_only=True)
class Call(Generic[T]):
    """One Kaltura action: what to send and how to read the answer.

    ``idempotent`` says whether sending it twice is harmless (reads, deletes of a known id,
    resumable chunks): a non-idempotent call (``add``) is re-sent only when it provably never
    left the machine. ``retry_codes`` lists API error codes after which a re-send is right.
    """

    service: str
    action: str
    params: Mapping[str, Any] = attrs.field(factory=dict)
    decoder: Callable[[Any], T] = attrs.field(default=_never_decoded)
    idempotent: bool = True
    file: FilePart | None = None
    retry_codes: frozenset[str] = frozenset()
    needs_ks: bool = True

    @property
    def label(self) -> str:
        """Return ``service.action``, as errors and logs name the call (never its params)."""
        return f"{self.service}.{self.action}"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Ref(str, Generic[T]):
    """The result of an earlier multiRequest item, substituted by the server.

    Build paths with attribute and index access: ``ref.objects[0].id`` is
    ``{N:result:objects:0:id}``; Python names are sent camelCase (``ref.total_count``). Use
    ``ref.at("rawName")`` for a name that clashes with a ``str`` method.
    """

    _batch: int
    _index: int
    _path: tuple[str, ...]

    def __new__(cls, batch: int, index: int, path: tuple[str, ...] = ()) -> Ref[T]:
        """Make the reference ``{index:result:path}`` belonging to batch ``batch``."""
        text = "{" + ":".join((str(index), "result", *path)) + "}"
        self = super().__new__(cls, text)
        self.__dict__.update(_batch=batch, _index=index, _path=path)
        return self

    def at(self, *path: str | int) -> Ref[Any]:
        """Return the reference to a nested value, path segments taken as given."""
        return Ref(self._batch, self._index, (*self._path, *(str(p) for p in path)))

    def within(self, before: str, after: str) -> Ref[str]:
        """Return a string value holding this reference between ``before`` and ``after``.

        The server substitutes it where it stands (``str_replace``). Neither part may hold a
        brace: the server matches a reference up to the value's last ``}``.
        """
        if any(brace in before + after for brace in "{}") or str(self) != self._text():
            raise ValueError("a reference sits in a longer value once, with no brace around it")
        embedded: Ref[str] = str.__new__(Ref, before + str(self) + after)
        embedded.__dict__.update(_batch=self._batch, _index=self._index, _path=self._path)
        return embedded

    def _text(self) -> str:
        return "{" + ":".join((str(self._index), "result", *self._path)) + "}"

    @property
    def around(self) -> tuple[str, str]:
        """Return the text before and after the reference in its value (``within``; else "")."""
        before, _, after = str.__str__(self).partition(self._text())
        return before, after

    def __getattr__(self, name: str) -> Ref[Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.at(_camel(name))

    def __getitem__(self, key: int | str) -> Ref[Any]:  # type: ignore[override]
        if isinstance(key, slice):
            raise TypeError("a Ref cannot be sliced; it must stay a whole value")
        return self.at(key)

    def __add__(self, other: str) -> str:
        raise TypeError("a Ref must be a whole parameter value, not part of a longer string")

    def __radd__(self, other: str) -> str:
        raise TypeError("a Ref must be a whole parameter value, not part of a longer string")

    def __format__(self, spec: str) -> str:
        raise TypeError("a Ref must be a whole parameter value, not formatted into a string")

    @property
    def index(self) -> int:  # type: ignore[override]
        """Return the 1-based position of the referenced item in its multiRequest."""
        return self._index

    @property
    def path(self) -> tuple[str, ...]:
        """Return the path inside the referenced result."""
        return self._path


def walk_strings(value: Any) -> Iterator[str]:
    """Yield every string inside a parameter value (mappings, sequences, attrs objects)."""
    if isinstance(value, str):
        yield value
    elif value is None or isinstance(value, int | float):  # most values: no attrs look-up
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk_strings(key)
            yield from walk_strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from walk_strings(item)
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from walk_strings(getattr(value, field.name))


def refs_in(params: Mapping[str, Any]) -> list[Ref[Any]]:
    """Return the Refs used in ``params``; refuse strings that embed a reference pattern."""
    refs: list[Ref[Any]] = []
    for text in walk_strings(params):
        if isinstance(text, Ref):
            refs.append(text)
        elif _REF_PATTERN.search(text):
            raise ValueError(
                f"the value {text[:60]!r} contains a result reference inside a longer string; "
                "the server substitutes only one reference per value: pass the Ref itself"
            )
    return refs


class MultiRequest:
    """A batch of calls sent as one ``multirequest``; ``add`` returns a ``Ref`` to the result."""

    def __init__(self, *, paced: bool = False) -> None:
        """Start an empty batch; ``paced``: its flow paces itself against the rate limiter and
        takes its blocked items back (the runtime does not send them again on its own)."""
        self.paced = paced
        self._batch = next(_batch_ids)
        self._calls: list[Call[Any]] = []
        self._depends: list[frozenset[int]] = []

    def add(self, call: Call[T]) -> Ref[T]:
        """Queue ``call`` and return the reference to its result (1-based position)."""
        deps: set[int] = set()
        for ref in refs_in(call.params):
            if ref._batch != self._batch:
                raise ValueError(
                    f"{call.label}: a Ref can only be used in the MultiRequest that returned it"
                )
            deps.add(ref._index)
        self._calls.append(call)
        self._depends.append(frozenset(deps))
        return Ref(self._batch, len(self._calls))

    @property
    def calls(self) -> tuple[Call[Any], ...]:
        """Return the queued calls in order."""
        return tuple(self._calls)

    def dependencies(self, index: int) -> frozenset[int]:
        """Return the 1-based items whose results item ``index`` (1-based) references."""
        return self._depends[index - 1]

    @property
    def idempotent(self) -> bool:
        """Return whether every call in the batch is safe to send twice."""
        return all(call.idempotent for call in self._calls)

    @property
    def retry_codes(self) -> frozenset[str]:
        """Return no codes: a batch is never re-sent because of one item's API error."""
        return frozenset()

    @property
    def label(self) -> str:
        """Return a name for logs and errors: ``multirequest(a.b, 100 x c.d)`` (a run of the
        same call is counted, so a batch's retry warning stays one short line)."""
        runs = [
            (label, len(list(same)))
            for label, same in itertools.groupby(c.label for c in self._calls)
        ]
        named = (label if count == 1 else f"{count} x {label}" for label, count in runs)
        return "multirequest(" + ", ".join(named) + ")"

    def __len__(self) -> int:
        return len(self._calls)

    def resolve(self, raw: Sequence[Any], values: Sequence[Any] = ()) -> MultiResponse:
        """Attach dependency failures to the per-item outcomes the server returned.

        ``values`` are the items' results as the server wrote them (JSON), kept for references.
        """
        outcomes: list[Any] = []
        for position, outcome in enumerate(raw, start=1):
            for dep in sorted(self.dependencies(position)):
                cause = outcomes[dep - 1]
                if isinstance(cause, KalturaError):
                    outcome = DependencyError(position, dep, cause, outcome)
                    break
            outcomes.append(outcome)
        return MultiResponse(outcomes=tuple(outcomes), batch=self._batch, values=tuple(values))


@attrs.frozen(kw_only=True)
class MultiResponse:
    """Per-item outcomes of a multiRequest: each a decoded value or a ``KalturaError``.

    ``values`` holds each item's result as the server wrote it (JSON), when decoded from an
    answer: what the server substitutes for a reference to it. ``sends``: how many times the
    runtime sent (the blocked rest of) the batch for this answer; a flow sending its blocked items
    again counts from there, so that the retry policy bounds both layers together. ``sent_at``:
    when (the runtime's clock) the request answered went out, after any hold by the shared rate
    budget (None when no runtime sent it): the batch engine learns the server's window from it.
    """

    outcomes: tuple[Any, ...]
    batch: int = 0
    values: tuple[Any, ...] = attrs.field(default=(), eq=False, repr=False)
    sends: int = attrs.field(default=1, eq=False, repr=False)
    sent_at: float | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def server_outcomes(self) -> tuple[Any, ...]:
        """Return each item's outcome as the server gave it (a ``DependencyError`` unwrapped)."""
        return tuple(
            o.server_outcome if isinstance(o, DependencyError) else o for o in self.outcomes
        )

    def __getitem__(self, ref: Ref[T]) -> T:
        """Return the result of the item ``ref`` points to, raising its error if it failed."""
        outcome = self.outcome(ref)
        if isinstance(outcome, KalturaError):
            raise outcome
        return outcome

    def outcome(self, ref: Ref[T]) -> T | KalturaError:
        """Return the result or the error of the item ``ref`` points to."""
        if ref.path or (self.batch and ref._batch != self.batch):
            raise ValueError("look results up with the Ref returned by MultiRequest.add")
        return self.outcomes[ref.index - 1]  # type: ignore[no-any-return]

    @property
    def errors(self) -> tuple[KalturaError, ...]:
        """Return the errors of the failed items, in order."""
        return tuple(o for o in self.outcomes if isinstance(o, KalturaError))

    @property
    def ok(self) -> bool:
        """Return whether every item succeeded."""
        return not self.errors

    def __len__(self) -> int:
        return len(self.outcomes)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.outcomes)
