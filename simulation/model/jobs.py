"""Requests in progress: each is a generator that pauses where other requests may run.

An action runs in one go unless it yields :class:`Pause`: ``uploadToken.upload`` pauses between
loading its token and writing it back (so concurrent chunk requests interleave there), and a
final chunk pauses a virtual second between its attempts to find the file complete.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pause:
    """A point where other requests may run; ``until`` (virtual time) delays the next step."""

    until: float | None = None


Steps = Generator[Pause, None, T]
"""A computation that may pause: ``result = yield from steps``."""


class NotModelled(Exception):
    """The request uses something real Kaltura has and the model does not (say what)."""


def finish(steps: Steps[Any]) -> Any:
    """Run ``steps`` to the end without pausing (world setup, tests)."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
