"""Simulated time for a client and the sandbox it talks to: waits cost no real seconds.

``SandboxTime`` is the client's ``VirtualTime`` moving the sandbox's clock along: a backoff, a
rate limiter's window, a patience bound or an index's lag the client waits out moves both
clocks at once, so a test of a throttled or lagging server runs in the time its requests take.
"""

from __future__ import annotations

from kaltura_mm.runtime.clock import VirtualTime
from kaltura_mm.sandbox import Sandbox


class SandboxTime(VirtualTime):
    """A client clock for tests: each wait moves the sandbox's clock (``advance``) as far."""

    def __init__(self, sandbox: Sandbox) -> None:
        """Move ``sandbox``'s clock with this one."""
        super().__init__()
        self._sandbox = sandbox

    def sleep(self, seconds: float) -> None:
        """Move both clocks ``seconds`` on."""
        super().sleep(seconds)
        self._sandbox.clock.advance(max(0.0, seconds))
