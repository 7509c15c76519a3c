"""The ``permission`` service: what the session's own role holds."""

from __future__ import annotations

from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call

SERVICE = "permission"


def get_current_permissions() -> Call[str]:
    """Build the call returning the session's permission names, comma-separated.

    The server allows it to every session (``ALWAYS_ALLOWED_ACTIONS``); it expands a role's
    ``*`` into the partner's permissions, but a client should still read ``*`` as "unknown".
    """
    return Call(service=SERVICE, action="getCurrentPermissions", decoder=codec.decode_str)
