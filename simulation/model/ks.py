"""Make and read Kaltura Sessions for the model.

Reading uses the sandbox's KS codec (a server-side helper written from the same spec).
Making is the model's own, because a v2 KS carries 16 random bytes and a seeded run must make
the same KS every time: they come from the run's ``random.Random``.
v2 = ``base64url("v2|pid|" + AES-128-CBC(sha1(secret)[:16], iv=0, zero-padded(
sha1(R+fields) + R + fields)))`` with ``fields`` the urlencoded privileges, ``_e``, ``_t``, ``_u``.
"""

from __future__ import annotations

import base64
import hashlib
import random
import urllib.parse

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from kaltura_mm.sandbox.ks import KsFormatError, VerifiedKs, decode, parse_privileges, partner_of

__all__ = ["KsFormatError", "VerifiedKs", "make_ks", "read_ks"]


def make_ks(
    secret: str,
    partner_id: int,
    valid_until: int,
    session_type: int,
    user_id: str,
    privileges: str,
    rng: random.Random,
) -> str:
    """Return a v2 KS (``djJ8…``) signed with ``secret``; its random bytes come from ``rng``."""
    fields = dict(parse_privileges(privileges))
    fields.update({"_e": str(valid_until), "_t": str(session_type), "_u": user_id})
    encoded = urllib.parse.urlencode(fields).encode()
    salt = rng.randbytes(16)
    plain = hashlib.sha1(salt + encoded).digest() + salt + encoded  # noqa: S324 - KS format
    plain += b"\0" * (-len(plain) % 16)
    key = hashlib.sha1(secret.encode()).digest()[:16]  # noqa: S324 - KS format
    encryptor = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).encryptor()
    sealed = encryptor.update(plain) + encryptor.finalize()
    return base64.urlsafe_b64encode(b"v2|%d|" % partner_id + sealed).decode()


def read_ks(text: str, secrets_by_partner: dict[int, str]) -> VerifiedKs:
    """Verify ``text`` against its partner's admin secret; raise ``KsFormatError`` if bad."""
    secret = secrets_by_partner.get(partner_of(text))
    if secret is None:
        raise KsFormatError("unknown partner")
    return decode(text, [secret])
