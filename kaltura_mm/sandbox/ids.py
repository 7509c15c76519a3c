"""Object ids in the real formats: entries ``0_xxxxxxxx``, upload tokens ``0_<32 hex>``."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.digits + string.ascii_lowercase
_SYSTEM = secrets.SystemRandom()  # one call per id: seeding draws 100,000s of them


def entry_id() -> str:
    """Return a new entry (or asset) id: data-centre 0, 8 chars of ``[0-9a-z]``."""
    return "0_" + "".join(_SYSTEM.choices(_ALPHABET, k=8))


def token_id() -> str:
    """Return a new upload token id: data-centre 0, 32 hex chars."""
    return "0_" + secrets.token_hex(16)
