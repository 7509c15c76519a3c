"""``kaltura-mm sandbox``: the sandbox server's own commands plus the persistent one's controls.

``serve`` and its options live with the sandbox (``kaltura_mm.sandbox.cli``), which imports
nothing from the client side; ``stop``, ``status`` and ``env`` drive the background server that
``--sandbox`` starts, so they live with the command line and are attached here, when the group is
first used (``kaltura_mm.cli`` loads this module lazily).
"""

from __future__ import annotations

from kaltura_mm.commands.local_sandbox import env_command, status_command, stop_command
from kaltura_mm.sandbox.cli import sandbox

sandbox.add_command(stop_command)
sandbox.add_command(status_command)
sandbox.add_command(env_command)

__all__ = ["sandbox"]
