"""Logs on stderr: ``--verbose`` debug logs, else the library's warnings as one-line messages.

Every line is redacted (each KS and secret of the run). Without ``--verbose`` a warning (such as
the client's "retrying ...") is shown as ``kaltura-mm: warning: ...``, and not at all under
``--json`` or ``--quiet``, so stderr keeps their promises (JSON lines only; nothing but results).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from kaltura_mm.errors import redact

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Format records, then redact the run's secrets and anything shaped like a KS."""

    def __init__(self, secrets: Callable[[], tuple[str, ...]]) -> None:
        """Redact the values ``secrets()`` returns at format time (they may be known later)."""
        super().__init__(_FORMAT)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        """Return the formatted record with secrets replaced."""
        return redact(super().format(record), self._secrets())


def setup_logging(secrets: Callable[[], tuple[str, ...]]) -> logging.Handler:
    """Send debug logs to stderr through a redacting formatter; return the handler."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return handler


class WarningLines(logging.Handler):
    """Show the library's warnings as ``kaltura-mm: warning: ...`` lines unless told not to."""

    def __init__(self, secrets: Callable[[], tuple[str, ...]], silent: Callable[[], bool]) -> None:
        """Redact ``secrets()``; say nothing while ``silent()`` (--json, --quiet, --verbose)."""
        super().__init__(logging.WARNING)
        self._secrets = secrets
        self._silent = silent

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record as one redacted line on stderr."""
        if self._silent():
            return
        try:
            line = redact(record.getMessage(), self._secrets())
            sys.stderr.write(f"kaltura-mm: warning: {line}\n")
        except Exception:  # a log line must never end the run
            self.handleError(record)


def show_warnings(
    secrets: Callable[[], tuple[str, ...]], silent: Callable[[], bool]
) -> logging.Handler:
    """Route the package's warnings through ``WarningLines``; return the handler to remove."""
    handler = WarningLines(secrets, silent)
    logging.getLogger("kaltura_mm").addHandler(handler)
    return handler


def hide_warnings(handler: logging.Handler) -> None:
    """Remove a handler added by ``show_warnings``."""
    logging.getLogger("kaltura_mm").removeHandler(handler)


def teardown_logging(handler: logging.Handler) -> None:
    """Remove a handler added by ``setup_logging``."""
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)
