"""Ctrl-C during a batch: once to stop cleanly (state saved), twice to stop at once.

``--max-duration`` (``sync``, ``apply``, ``upload``, ``replace``) stops the same way as one Ctrl-C
once its time is up; the run then ends with exit 8 (``TIME_LIMIT``) instead of 130.

The first SIGINT (or SIGTERM) sets ``event``, which the upload engine checks between chunks:
nothing new starts, uploads in flight stop at a chunk boundary and keep their entry and token for
resume. A second SIGINT ends the process immediately with exit code 130; every state file is
written atomically, so what is on disk is still consistent and a re-run resumes from it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import click

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.params import Duration

max_duration_option = click.option(
    "--max-duration",
    type=Duration(),
    metavar="DURATION",
    help="Stop cleanly after this long (3600, 30m, 2h), resumable; exit 8.",
)


class Interrupts:
    """Install the two-step Ctrl-C handling for the duration of a ``with`` block."""

    def __init__(self, say: Callable[[str], None], max_duration: float | None = None) -> None:
        """Report what happens through ``say``; stop as Ctrl-C does after ``max_duration``
        seconds (``--max-duration``), and say so in ``timed_out``."""
        self.event = threading.Event()
        self._say = say
        self._previous: dict[int, Any] = {}
        self.max_duration = max_duration
        self.timed_out = False
        self._timer: threading.Timer | None = None
        self._signalled = False  # a stop asked by a signal (not by --max-duration)

    def _time_up(self) -> None:
        if self.event.is_set():
            return
        self.timed_out = True
        self.event.set()
        self._say(
            f"--max-duration {self.max_duration:g}s reached: stopping; no new item starts, those "
            "in flight stop after their current chunk and stay resumable"
        )

    @property
    def stopping(self) -> bool:
        """Return whether a stop was asked for."""
        return self.event.is_set()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set() and signum == signal.SIGINT:
            sys.stderr.write("\nkaltura-mm: stopping now; saved state stays valid\n")
            sys.stderr.flush()
            os._exit(ExitCode.INTERRUPTED)
        self.event.set()
        self._signalled = True
        self._say(
            "\nstopping: no new files start, uploads in flight stop after their current chunk "
            "and stay resumable (Ctrl-C again to stop at once)"
        )

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        if self.max_duration is not None:
            self._timer = threading.Timer(self.max_duration, self._time_up)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._signalled:
            # Stopped by a signal, the run is ending (writing its report): a second Ctrl-C
            # from now on must still end it with 130 and "stopping now", never with a
            # KeyboardInterrupt out of the report's code (exit -2). So the handler stays.
            return
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
