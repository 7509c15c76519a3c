"""The last look of a job's report: what the server holds now, for what the outcomes say.

A job's outcomes were recorded by its workers, perhaps hours and machines apart; the report
states what the server holds (issue 18: "what we report is what the server holds"). So before
it is printed, the entries it names are read once more, by id, in one multiRequest of
``getByIds`` calls of up to 500 ids (``flows.entries.get_entries``): an upload's entry that is
gone, or a deleted entry that is still there, is reported failed, naming what the server says.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from kaltura_mm.commands.context import AppContext
from kaltura_mm.flows.entries import get_entries

Lines = Sequence[Mapping[str, Any]]

Check = Callable[[Lines], dict[int, tuple[str, str]]]
GONE = "entry_gone"
STILL_THERE = "entry_still_there"


def entries_exist(state: AppContext, statuses: Collection[str]) -> Check:
    """Return a check that the entry of each line in ``statuses`` is on the server."""
    return _check(state, statuses, present=True)


def entries_gone(state: AppContext, statuses: Collection[str]) -> Check:
    """Return a check that the entry of each line in ``statuses`` is no longer on the server."""
    return _check(state, statuses, present=False)


def _check(state: AppContext, statuses: Collection[str], *, present: bool) -> Check:
    kind, said = (GONE, "is not") if present else (STILL_THERE, "is still")

    def confirm(lines: Lines) -> dict[int, tuple[str, str]]:
        named = _named(lines, statuses)
        found = _read(state, named.values())
        wrong = {at: entry for at, entry in named.items() if (entry in found) is not present}
        return {
            at: (kind, f"entry {entry} {said} on the server now") for at, entry in wrong.items()
        }

    return confirm


def _named(lines: Lines, statuses: Collection[str]) -> dict[int, str]:
    return {
        at: str(line["entry_id"])
        for at, line in enumerate(lines)
        if line.get("status") in statuses and line.get("entry_id")
    }


def _read(state: AppContext, ids: Collection[str]) -> set[str]:
    if not ids:
        return set()
    return set(state.client().run(get_entries(ids)))
