"""The exit codes of ``kaltura-mm``, one per kind of outcome (documented in docs/cli.md)."""

from __future__ import annotations

import enum
from collections.abc import Iterable


class ExitCode(enum.IntEnum):
    """What a ``kaltura-mm`` run ended with; scripts branch on these numbers."""

    OK = 0
    """Everything asked for was done (a dry run counts as done)."""
    FAILED = 1
    """The operation failed as a whole: the server refused it, or an unexpected error."""
    BAD_INPUT = 2
    """A usage, flag, file or configuration mistake; nothing was changed."""
    PARTIAL = 3
    """Some items succeeded and some failed; the per-item results say which."""
    AUTH = 4
    """Authentication or permission: bad secret, invalid or expired KS, forbidden service."""
    NOT_FOUND = 5
    """An entry, category or file named on the command line does not exist."""
    UNAVAILABLE = 6
    """The server could not be reached, or did not answer like a Kaltura server."""
    BUSY = 7
    """Another kaltura-mm run holds the state directory; nothing was done (run again later)."""
    TIME_LIMIT = 8
    """``--max-duration`` ran out: the run stopped cleanly between items (what was in flight
    stays resumable); the same command again goes on from there."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C (SIGINT) or SIGTERM; state was saved and the command can be re-run."""


def for_items(done: int, failures: Iterable[ExitCode]) -> ExitCode:
    """Return the exit code of a batch: OK, PARTIAL, or the failures' shared kind if all failed.

    When nothing succeeded and every failure has the same kind (all not found, all forbidden),
    that kind is the answer; mixed kinds give FAILED.
    """
    kinds = list(failures)
    if not kinds:
        return ExitCode.OK
    if done:
        return ExitCode.PARTIAL
    return kinds[0] if len(set(kinds)) == 1 else ExitCode.FAILED
