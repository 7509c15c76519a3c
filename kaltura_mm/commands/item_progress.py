"""Progress of a run counted in items (``sync``, ``apply``): a bar on a terminal, lines elsewhere.

On a TTY (rich): one bar, items ended of the items to apply, with the failed ones named in its
label and the time left. Not on a TTY (a log, CI, cron's mail): a plain line every ``interval``
seconds, and one at the end. ``--quiet`` and ``--json`` show nothing (the results say it all).
"""

from __future__ import annotations

import threading
import time
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

PLAIN_INTERVAL = 5.0


class ItemProgress:
    """Shows how many of ``total`` items ended; feed it ``ended`` as each one does."""

    def __init__(
        self,
        stream: IO[str],
        label: str,
        total: int,
        *,
        quiet: bool = False,
        tty: bool | None = None,
        interval: float = PLAIN_INTERVAL,
    ) -> None:
        """Prepare to show ``total`` items of a ``label`` run on ``stream``."""
        self.label = label
        self.total = total
        self.quiet = quiet
        self.tty = stream.isatty() if tty is None else tty
        self.interval = interval
        self.ended = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._started = self._last = time.monotonic()
        self._console = Console(file=stream, force_terminal=self.tty or None, highlight=False)
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ItemProgress:
        if self.tty and not self.quiet and self.total:
            self._bar = Progress(
                TextColumn("{task.description}", style="bold"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self._console,
                refresh_per_second=4,
            )
            self._bar.start()
            self._task = self._bar.add_task(self._text(), total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif not self.quiet and self.total:
            self._line()

    def _text(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.label}{failed}"

    def item_ended(self, ok: bool) -> None:
        """Count one item that ended (``ok`` False: it failed or was stopped)."""
        with self._lock:
            self.ended += 1
            self.failed += 0 if ok else 1
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, completed=self.ended, description=self._text())
                return
            now = time.monotonic()
            if not self.quiet and now - self._last >= self.interval:
                self._last = now
                self._line()

    def _line(self) -> None:
        elapsed = time.monotonic() - self._started
        left = self.total - self.ended
        rate = self.ended / elapsed if elapsed > 0 else 0.0
        eta = f", ETA {left / rate:.0f}s" if rate > 0 and left > 0 else ""
        failed = f" ({self.failed} failed or stopped)" if self.failed else ""
        self._console.print(
            f"{self.label}: {self.ended}/{self.total} items{failed}, {elapsed:.0f}s{eta}",
            markup=False,
        )
