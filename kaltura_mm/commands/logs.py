"""``--verbose``: debug logs on stderr with every KS and secret redacted."""

from __future__ import annotations

import logging
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


def teardown_logging(handler: logging.Handler) -> None:
    """Remove a handler added by ``setup_logging``."""
    logging.getLogger().removeHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)
