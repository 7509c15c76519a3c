"""Ctrl-C during a batch: once to stop cleanly (state saved), twice to stop at once.

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

from kaltura_mm.commands.exit_codes import ExitCode


class Interrupts:
    """Install the two-step Ctrl-C handling for the duration of a ``with`` block."""

    def __init__(self, say: Callable[[str], None]) -> None:
        """Report what happens through ``say``."""
        self.event = threading.Event()
        self._say = say
        self._previous: dict[int, Any] = {}

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
        self._say(
            "\nstopping: no new files start, uploads in flight stop after their current chunk "
            "and stay resumable (Ctrl-C again to stop at once)"
        )

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
