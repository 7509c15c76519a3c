"""Upload progress: per-file and total bars with rate and ETA on a terminal, plain lines elsewhere.

On a TTY (rich): one bar for the total and one per file in flight, each with bytes, rate and
time left; a line per finished file stays above the bars. Not on a TTY (a log, CI): one plain
line every ``interval`` seconds with the totals, and one line per finished file. ``--quiet``
shows nothing. Figures come from bytes the server acknowledged, so a retry never inflates them.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from kaltura_mm.commands.shell import visible
from kaltura_mm.upload.result import UploadProgress

if TYPE_CHECKING:  # rich loads only when something is shown: -q and --json runs never pay it
    from rich.console import Console
    from rich.progress import Progress, TaskID

PLAIN_INTERVAL = 5.0


def human_bytes(count: float) -> str:
    """Return ``count`` bytes as a short human figure (``12.5 MB``)."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


class UploadDisplay:
    """Shows a batch upload's progress; feed it ``start``, ``progress`` and ``finish`` calls."""

    def __init__(
        self,
        stream: IO[str],
        total_bytes: int,
        total_files: int,
        *,
        quiet: bool = False,
        tty: bool | None = None,
        interval: float = PLAIN_INTERVAL,
    ) -> None:
        """Prepare to show ``total_files`` files of ``total_bytes`` bytes on ``stream``."""
        self.stream = stream
        self.quiet = quiet
        self.tty = stream.isatty() if tty is None else tty
        self.interval = interval
        self.total_bytes = total_bytes
        self.total_files = total_files
        self.files_done = 0  # files that ended, whatever the outcome
        self.files_failed = 0
        self._done: dict[Path, int] = {}
        self._bytes = 0  # sum(self._done.values()), kept as it changes (O(1) per report)
        self._tasks: dict[Path, TaskID] = {}
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._last_line = self._started
        self._shown: Console | None = None
        self._bars: Progress | None = None
        self._total_task: TaskID | None = None

    @property
    def _console(self) -> Console:
        if self._shown is None:
            from rich.console import Console

            self._shown = Console(
                file=self.stream, force_terminal=self.tty or None, highlight=False
            )
        return self._shown

    def __enter__(self) -> UploadDisplay:
        if self.tty and not self.quiet:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._bars = Progress(
                TextColumn("{task.description}", style="bold"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=self._console,
                refresh_per_second=8,
            )
            self._bars.start()
            self._total_task = self._bars.add_task(self._total_label(), total=self.total_bytes)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bars is not None:
            self._bars.stop()
        elif not self.quiet:
            self._plain_totals()

    def _total_label(self) -> str:
        good = self.files_done - self.files_failed
        failed = f", {self.files_failed} failed" if self.files_failed else ""
        return f"total {good}/{self.total_files} files{failed}"

    def _set(self, path: Path, done: int) -> None:
        self._bytes += done - self._done.get(path, 0)
        self._done[path] = done

    def start(self, path: Path, size: int, already: int = 0) -> None:
        """Show that ``path`` (``size`` bytes, ``already`` held by the server) is uploading."""
        with self._lock:
            self._set(path, already)
            if self._bars is not None:
                self._tasks[path] = self._bars.add_task(
                    visible(path.name)[:40], total=size, completed=already
                )
            self._refresh()

    def progress(self, report: UploadProgress) -> None:
        """Take an engine progress report for one file (reports without a path are ignored)."""
        if report.path is None:
            return
        with self._lock:
            self._set(report.path, report.bytes_done)
            task = self._tasks.get(report.path)
            if self._bars is not None and task is not None:
                self._bars.update(task, completed=report.bytes_done)
            self._refresh()

    def finish(self, path: Path, done: int, line: str, ok: bool = True) -> None:
        """Mark ``path`` ended with ``done`` bytes on the server; print its one-line result.

        A file that failed or was stopped counts only the bytes the server holds, so the total
        never shows more than was sent.
        """
        with self._lock:
            self.files_done += 1
            self.files_failed += 0 if ok else 1
            self._set(path, done)
            task = self._tasks.pop(path, None)
            if self._bars is not None and task is not None:
                self._bars.remove_task(task)
            if not self.quiet:
                self._console.print(visible(line), markup=False, soft_wrap=True)
            self._refresh(force_plain=False)

    def _refresh(self, force_plain: bool = False) -> None:
        done = self._bytes
        if self._bars is not None and self._total_task is not None:
            self._bars.update(self._total_task, completed=done, description=self._total_label())
            return
        now = time.monotonic()
        if not self.quiet and (force_plain or now - self._last_line >= self.interval):
            self._last_line = now
            self._plain_totals()

    def _plain_totals(self) -> None:
        done = self._bytes
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = done / elapsed
        left = (self.total_bytes - done) / rate if rate > 0 else None
        eta = f", ETA {left:.0f}s" if left is not None and done < self.total_bytes else ""
        good, failed = self.files_done - self.files_failed, self.files_failed
        self._console.print(
            f"upload: {good}/{self.total_files} files"
            + (f" ({failed} failed or stopped)" if failed else "")
            + ", "
            f"{human_bytes(done)}/{human_bytes(self.total_bytes)}, "
            f"{human_bytes(rate)}/s{eta}",
            markup=False,
        )
