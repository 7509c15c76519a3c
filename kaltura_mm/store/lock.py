"""One upload run per state directory at a time: ``<state dir>/run.lock``.

Two runs of the same upload (cron starting the next before the last ended) would each take the
other's half-made entries for their own leftovers; so a run holds an exclusive ``flock`` on the
lock file for as long as it uploads, and writes who it is into it (pid, host, start, command). A
second run waits up to ``wait`` seconds, then stops, naming the holder (exit 7, nothing done).
The kernel drops the lock of a process that dies however it dies, so a lock left by a dead
process is simply taken; the run says whose it was.

A job's runs (``--workers``, its worker processes, ``--job ID`` joiners) hold the lock
*shared*: leases divide a job's items among them, so any number of them use one state
directory at once, and a plain run (which holds it exclusively) waits for them all, as they
wait for it. The first to take a shared lock writes who it is; the last to leave wipes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shlex
import socket
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from kaltura_mm.store.errors import StoreBusyError, StoreError

LOCK_FILE = "run.lock"
POLL = 0.2


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def _holder_text(info: dict[str, Any], show: Callable[[list[str]], str]) -> str:
    started = dt.datetime.fromtimestamp(int(info.get("started_at", 0)), dt.UTC)
    return (
        f"process {info.get('pid')} on {info.get('host')}, started "
        f"{started:%Y-%m-%d %H:%M:%S} UTC: {show(info.get('command') or [])}"
    )


class RunLock:
    """Hold the state directory's run lock for a ``with`` block."""

    def __init__(
        self,
        root: Path,
        command: list[str],
        wait: float = 0.0,
        show: Callable[[list[str]], str] = shlex.join,
        *,
        shared: bool = False,
    ) -> None:
        """Lock ``root`` for ``command``, waiting up to ``wait`` seconds for another run.

        ``show`` writes a holder's command line in the messages (the CLI quotes it to paste);
        ``shared``: a job's run, beside the job's other runs (not beside a plain one).
        """
        self.shared = shared
        self.show = show
        self.root = root
        self.command = command
        self.wait = wait
        self.note: str | None = None
        self._handle: IO[str] | None = None

    def __enter__(self) -> RunLock:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = (self.root / LOCK_FILE).open("a+", encoding="utf-8")
        except OSError as exc:
            raise StoreError(
                f"cannot use {self.root} as the state directory: {exc.strerror}",
                "make it writable, or choose another with --state-dir",
            ) from exc
        self._acquire(handle)
        self._handle = handle
        return self

    def _acquire(self, handle: IO[str]) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(
                    handle, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
                )
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise self._busy(_read(handle.name)) from None
                time.sleep(POLL)
        previous = _read(handle.name)
        alive = bool(previous.get("pid")) and _alive(int(previous["pid"]))
        if previous.get("pid") and not alive:
            holder = _holder_text(previous, self.show)
            self.note = f"took over the lock left by {holder} (no longer running)"
        if not (self.shared and alive):  # another of the job's runs already said who holds it
            _write(handle, self.command)

    def _busy(self, holder: dict[str, Any]) -> StoreBusyError:
        who = _holder_text(holder, self.show) if holder else "another process"
        waited = f" (waited {self.wait:g} s)" if self.wait else ""
        return StoreBusyError(
            f"another kaltura-mm run is using the state directory {self.root}{waited}: {who}",
            "let it finish and run again, pass --lock-wait SECONDS to wait for it, or use "
            "another --state-dir; nothing was done",
        )

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        # A full disk must not hide the run's own outcome; the flock goes anyway. A shared
        # holder wipes who holds it only when it is the last (the others' lock would refuse).
        with contextlib.suppress(OSError):
            if not self.shared or _last(handle):
                handle.truncate(0)
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _last(handle: IO[str]) -> bool:
    """Return whether no other process holds the lock (this one's shared lock is let go)."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read(path: str) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(handle: IO[str], command: list[str]) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started_at": int(time.time()),
        "command": command,
    }
    try:
        handle.seek(0)
        handle.truncate(0)
        handle.write(json.dumps(info) + "\n")
        handle.flush()
    except OSError:
        pass  # who holds it is a courtesy to the next run; the flock is the lock
