"""What a worker process says on stderr, passed on by the run that started it (``--workers``).

A worker runs with the maker's options (``--json`` too), so its own error is already a JSON
line; but a worker can also end in ways its CLI does not report (killed, out of memory, a
crash before its error handler): those leave plain text, or nothing. Under ``--json`` every
line the user sees must be JSON, so the relay passes a worker's JSON lines on with the worker's
process id added (``"worker": PID``), keeps its other lines, and when the worker ends without
having said why in JSON, writes one error in the CLI's own shape (``error``, ``message``,
``fix``, ``exit_code``) naming the worker, its exit code or signal and its last words. Without
``--json`` the lines are passed on as they are, and a worker that ends early says so in one line.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from typing import IO

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode

_QUIET_ENDS = (ExitCode.OK, ExitCode.INTERRUPTED)
_KEEP = 5  # plain lines kept to name a worker's end


class Relay:
    """A thread passing one worker's stderr on to this run's stderr."""

    def __init__(self, state: AppContext, proc: subprocess.Popen[str]) -> None:
        self.state, self.proc = state, proc
        self.said_error = False  # the worker wrote its own JSON error
        self.plain: list[str] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="kaltura-mm-relay", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        stream: IO[str] | None = self.proc.stderr
        if stream is None:
            return
        for line in stream:
            self._pass(line.rstrip("\n"))

    def _pass(self, line: str) -> None:
        if not line:
            return
        record = _json_object(line) if self.state.json else None
        if record is not None:
            self.said_error = self.said_error or "error" in record
            self._write(json.dumps({**record, "worker": self.proc.pid}, ensure_ascii=False))
            return
        self.plain = [*self.plain[-(_KEEP - 1) :], line]
        if not self.state.json:
            self._write(line)

    def _write(self, line: str) -> None:
        with self._lock:
            self.state.stderr.write(line + "\n")
            self.state.stderr.flush()

    def close(self) -> None:
        """Wait for the worker's last words; say how it ended if it did not (once it ended)."""
        self._thread.join()
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        code = self.proc.returncode
        if code is None or code in _QUIET_ENDS or self.said_error:
            return
        how = f"was killed by {_signal_name(-code)}" if code < 0 else f"ended with exit code {code}"
        last = f": {self.plain[-1]}" if self.plain else ""
        message = f"worker process {self.proc.pid} {how}{last}"
        fix = (
            "its items are taken again when its lease ends (the other workers and this run go "
            "on); if every worker fails so, run the command without --workers to see why"
        )
        if self.state.json:
            record = {
                "error": "worker_failed",
                "message": message,
                "fix": fix,
                "exit_code": code if code > 0 else int(ExitCode.FAILED),
                "worker": self.proc.pid,
            }
            self._write(json.dumps(record, ensure_ascii=False))
        elif not self.state.quiet:
            self._write(f"kaltura-mm: {message}; {fix}")


def _json_object(line: str) -> dict[str, object] | None:
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
