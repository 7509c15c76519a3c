"""Counters wrapped around a running in-process sandbox: faults it injected, chunk bytes it got.

The sandbox counts requests and calls itself (``sb.stats``); these add what the scenarios need
to prove their claims: how many faults of each kind were really served, and how many file bytes
``uploadToken.upload`` received (to measure bytes re-sent after crashes).
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from kaltura_mm.sandbox import Sandbox
from kaltura_mm.sandbox.actions import UploadedFile


class FaultCounter:
    """Count the faults the sandbox draws, by kind."""

    def __init__(self, sb: Sandbox) -> None:
        """Wrap ``sb.faults.pick`` (the server calls it once per API request)."""
        self.kinds: Counter[str] = Counter()
        self._lock = threading.Lock()
        pick = sb.faults.pick

        def counted(service: str, action: str) -> str | None:
            kind = pick(service, action)
            if kind is not None:
                with self._lock:
                    self.kinds[kind] += 1
            return kind

        sb.faults.pick = counted  # type: ignore[method-assign]

    @property
    def total(self) -> int:
        """Return the number of faults served."""
        return sum(self.kinds.values())


class UploadMeter:
    """Count the file bytes that reached ``uploadToken.upload`` (whole parts only)."""

    def __init__(self, sb: Sandbox) -> None:
        """Wrap the running sandbox's dispatcher."""
        server = getattr(sb, "_server", None)
        if server is None:
            raise RuntimeError("start the sandbox before metering it")
        self.bytes = 0
        self.parts = 0
        self._lock = threading.Lock()
        dispatcher = server.dispatcher
        call = dispatcher.call

        def metered(params: dict[str, Any]) -> Any:
            part = params.get("fileData")
            service = str(params.get("service", "")).lower()
            if service == "uploadtoken" and isinstance(part, UploadedFile):
                with self._lock:
                    self.bytes += part.size
                    self.parts += 1
            return call(params)

        dispatcher.call = metered


class CallMeter:
    """Count the outcome of every dispatched call: ``(service, action) -> {"ok"|CODE: n}``."""

    def __init__(self, sb: Sandbox) -> None:
        """Wrap the running sandbox's dispatcher (multiRequest sub-calls included)."""
        from kaltura_mm.sandbox.errors import KalturaApiException

        server = getattr(sb, "_server", None)
        if server is None:
            raise RuntimeError("start the sandbox before metering it")
        self.outcomes: dict[tuple[str, str], Counter[str]] = {}
        self._lock = threading.Lock()
        dispatcher = server.dispatcher
        call = dispatcher.call

        def metered(params: dict[str, Any]) -> Any:
            key = (str(params.get("service", "")).lower(), str(params.get("action", "")).lower())
            try:
                result = call(params)
            except KalturaApiException as exc:
                self._count(key, exc.code)
                raise
            self._count(key, "ok")
            return result

        dispatcher.call = metered

    def _count(self, key: tuple[str, str], outcome: str) -> None:
        with self._lock:
            self.outcomes.setdefault(key, Counter())[outcome] += 1

    def count(self, service: str, action: str, outcome: str) -> int:
        """Return how many calls of ``service.action`` ended in ``outcome`` ("ok" or a code)."""
        return self.outcomes.get((service, action), Counter())[outcome]
