"""The batch engine's vocabulary (``kaltura_mm.flows.batch``): one entry's outcome, what a
streaming batch emits, and an operation (the call per entry and how to read its answer)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, Literal, TypeAlias, TypeVar

import attrs

from kaltura_mm.errors import KalturaError
from kaltura_mm.protocol.calls import Call
from kaltura_mm.runtime.effects import Effect, Emit

T = TypeVar("T")
Status = Literal["done", "already_done", "failed", "would_change"]
RETRY = "retry"  # what ``classify`` returns for an item to send again


@attrs.frozen
class EntryOutcome:
    """What happened to one entry: ``done``, ``already_done``, ``failed`` (and why), or
    ``would_change`` in a dry run."""

    entry_id: str
    status: Status
    error: KalturaError | None = None

    @property
    def ok(self) -> bool:
        """Return whether the entry ended in the wanted state (or would, in a dry run)."""
        return self.status != "failed"


Classify = Callable[[str, Any, bool], "Status | str"]
OutcomeFilter = Callable[[EntryOutcome], bool]
"""Which outcomes a streaming batch ``Emit``s the moment they are final."""


@attrs.frozen
class Sending:
    """Emitted by a streaming batch just before ``entry_ids`` go to the server.

    Between this and their outcomes the entries may have been changed without the caller
    hearing of it (the process may be stopped): a caller that records ``Sending`` can tell a
    later run so.
    """

    entry_ids: tuple[str, ...]


BatchProgress: TypeAlias = EntryOutcome | Sending
"""What a streaming batch emits: each batch before it goes, each outcome once final."""
Emitting: TypeAlias = Generator[Effect | Emit[BatchProgress], Any, T]
"""A batch flow that may emit ``BatchProgress`` (when asked to stream) and returns ``T``."""


@attrs.frozen
class Operation:
    """One per-entry action: the call to send and how to read each answer."""

    build: Callable[[str], Call[Any]]
    classify: Classify
