"""Run a confirmed ``detach``/``delete``/``move``: each outcome printed and recorded as it lands.

The batch flow streams (``stream=True``): before each batch goes, ``Sending`` names its ids, and
each entry's outcome comes as soon as its batch is answered. For ``delete`` both are written to
the deletion log at once, so a run stopped half way (Ctrl-C, SIGTERM, a kill) leaves a record a
re-run reads: an entry that was deleted, or whose batch went without its answer being read,
counts as ``already_done`` when the re-run finds it gone. Ctrl-C or SIGTERM ends the run with
exit 130 after printing what landed; running the same command again finishes the job.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.remove_plan import RemovalPlan
from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.flows.batch import BatchProgress, EntryOutcome, Sending
from kaltura_mm.flows.entries import (
    add_to_category,
    delete_entries,
    detach_entries,
    move_entries,
)
from kaltura_mm.runtime.effects import Stream
from kaltura_mm.store.deletions import DeletionLog

Write = Callable[[EntryOutcome], None]


@contextmanager
def stop_signals_as_interrupt() -> Iterator[None]:
    """Treat Ctrl-C (SIGINT) and SIGTERM as ``KeyboardInterrupt`` in the main thread while the
    block runs.

    SIGINT is set here too, not left to Python's default: a process started with SIGINT ignored
    (a shell's background job ``kaltura-mm delete ... &``, a test runner run that way) never gets
    Python's handler, and a ``kill -INT`` then let the run finish with exit 0. ``upload`` and
    ``sync`` (``Interrupts``) set both signals the same way.
    """

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, _raise)
    except ValueError:  # not the main thread (an embedding program): leave the signals alone
        yield
        return
    try:
        yield
    finally:
        for stopped, handler in previous.items():
            signal.signal(stopped, handler)


def _flow(plan: RemovalPlan, ids: list[str]) -> Stream[BatchProgress]:
    if plan.action == "move":
        return move_entries(ids, plan.category_id or 0, plan.destination_id or 0, stream=True)
    if plan.action == "detach":
        return detach_entries(ids, plan.category_id or 0, stream=True)
    if plan.action == "add":
        return add_to_category(ids, plan.category_id or 0, stream=True)
    # Every id sent was read from the server a moment ago: "not found" now means deleted since.
    return delete_entries(ids, known_to_exist=True, stream=True)


def apply(
    state: AppContext, plan: RemovalPlan, ids: list[str], write: Write, log: DeletionLog | None
) -> None:
    """Change ``ids`` as ``plan`` says, handing each outcome to ``write`` as it lands.

    Raises ``KeyboardInterrupt`` when stopped; what landed was written and recorded.
    """
    client = state.client()
    items = client.iterate(_flow(plan, ids))
    try:
        for item in items:
            if isinstance(item, Sending):
                if log is not None:
                    log.sent(item.entry_ids)
            elif isinstance(item, EntryOutcome):
                write(_settled(plan, item, log))
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _settled(plan: RemovalPlan, outcome: EntryOutcome, log: DeletionLog | None) -> EntryOutcome:
    if plan.action != "delete" or log is None:
        return outcome
    entry_id = outcome.entry_id
    if isinstance(outcome.error, EntryNotFoundError) and (
        plan.missing_ok or entry_id in plan.deleted_before
    ):
        outcome = EntryOutcome(entry_id, "already_done")
    if outcome.ok:
        log.deleted([entry_id])
    else:
        log.answered([entry_id])
    return outcome
