"""Kaltura Sessions (KS) made locally from the admin secret, and read back.

v2 (what the server makes today): fields = privileges, then ``_e`` (valid until), ``_t`` (type),
``_u`` (user), urlencoded; plain = ``sha1(R + fields) + R + fields`` with 16 random bytes R;
AES-128-CBC with key ``sha1(secret)[:16]``, a zero IV and zero-byte padding; the KS is
``base64url("v2|" + partner_id + "|" + ciphertext)`` with ``=`` kept (always starts ``djJ8``).

v1 (legacy): ``base64(sha1hex(secret + info) + "|" + info)``, info =
``partner;partner;valid_until;type;rand;user;privileges``.

``inspect`` reads any KS: v1 fields directly; a v2 KS's partner id always, and its fields when
the admin secret is given. ``cryptography`` is imported only when a v2 KS is made or opened.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import attrs

from kaltura_mm.enums import AppTokenHashType, SessionType
from kaltura_mm.errors import ConfigError

if TYPE_CHECKING:
    from hashlib import _Hash


def _digest(name: str, data: bytes) -> _Hash:
    """Return the ``name`` hash of ``data`` (sha1: Kaltura's KS format, not our choice); hashlib is
    imported on first use, since it loads
    OpenSSL (about 3 ms) that only a KS signed or checked here needs (``import kaltura_mm`` plus
    ``Client()`` stays fast)."""
    import hashlib

    return hashlib.new(name, data)


BLOCK = 16


@attrs.frozen(kw_only=True)
class KsInfo:
    """What a KS says: version, partner, and (when readable) expiry, type, user, privileges.

    ``verified`` is True when the signature was checked against the secret, False when it
    did not match, None when no secret was given.
    """

    version: int
    partner_id: int
    valid_until: int | None = None
    session_type: SessionType | None = None
    user_id: str | None = None
    privileges: str | None = None
    verified: bool | None = None

    def expires_in(self, now: float | None = None) -> float | None:
        """Return the seconds left before expiry (negative when expired), or None if unknown."""
        if self.valid_until is None:
            return None
        return self.valid_until - (time.time() if now is None else now)


def check_secret(secret: str) -> bytes:
    if not isinstance(secret, str) or not secret.strip():
        raise ConfigError(
            "admin secret is empty: pass the partner's admin secret (KMC > Integration)"
        )
    return secret.encode()


def _privilege_fields(privileges: str | None) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in (privileges or "").split(","):
        item = item.strip()
        if not item:
            continue
        if item == "*":
            fields["all"] = "*"
            continue
        name, _, value = item.partition(":")
        fields[name] = value
    return fields


def _aes(key: bytes, data: bytes, *, encrypt: bool) -> bytes:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    cipher = Cipher(algorithms.AES(key), modes.CBC(b"\0" * BLOCK))
    worker = cipher.encryptor() if encrypt else cipher.decryptor()
    return worker.update(data) + worker.finalize()


def _key(secret: bytes) -> bytes:
    return _digest("sha1", secret).digest()[:BLOCK]


def generate_v2(
    partner_id: int,
    admin_secret: str,
    *,
    session_type: SessionType = SessionType.USER,
    user_id: str = "",
    expiry: int = 86400,
    privileges: str | None = None,
    now: float | None = None,
    salt: bytes | None = None,
) -> str:
    """Return a v2 KS signed with ``admin_secret``, valid ``expiry`` seconds from ``now``.

    ``salt`` is the KS's 16 random bytes (fresh ones when None); a replayable run (a simulation)
    passes its own so that the same run makes the same KS.
    """
    secret = check_secret(admin_secret)
    check_common(partner_id, expiry)
    valid_until = int(time.time() if now is None else now) + expiry
    fields = _privilege_fields(privileges)
    fields |= {"_e": str(valid_until), "_t": str(int(session_type)), "_u": user_id}
    encoded = urlencode(fields).encode()
    rand = os.urandom(BLOCK) if salt is None else salt
    if len(rand) != BLOCK:
        raise ConfigError(f"a KS salt is {BLOCK} bytes, got {len(rand)}")
    plain = _digest("sha1", rand + encoded).digest() + rand + encoded
    plain += b"\0" * (-len(plain) % BLOCK)
    cipher = _aes(_key(secret), plain, encrypt=True)
    return base64.urlsafe_b64encode(f"v2|{partner_id}|".encode() + cipher).decode()


def generate_v1(
    partner_id: int,
    admin_secret: str,
    *,
    session_type: SessionType = SessionType.USER,
    user_id: str = "",
    expiry: int = 86400,
    privileges: str | None = None,
    now: float | None = None,
) -> str:
    """Return a legacy v1 KS signed with ``admin_secret``."""
    secret = check_secret(admin_secret)
    check_common(partner_id, expiry)
    valid_until = int(time.time() if now is None else now) + expiry
    import secrets  # on first use, as hashlib (_digest)

    rand = secrets.randbelow(65536)
    info = (
        f"{partner_id};{partner_id};{valid_until};{int(session_type)};{rand};{user_id};"
        f"{privileges or ''}"
    )
    digest = _digest("sha1", secret + info.encode()).hexdigest()
    return base64.b64encode(f"{digest}|{info}".encode()).decode()


def token_hash(widget_ks: str, token: str, kind: AppTokenHashType | str) -> str:
    """Return ``hex(HASH(widget_ks + token))``: the proof of an app token that
    ``appToken.startSession`` takes (spec 13.1; HASH is the token's hash type)."""
    if not isinstance(token, str) or not token.strip():
        raise ConfigError(
            "the app token is empty: set KALTURA_APP_TOKEN to the token "
            "`kaltura-mm auth apptoken create` printed"
        )
    if not isinstance(widget_ks, str) or not widget_ks:
        raise ConfigError("the widget KS is empty: start one with session.startWidgetSession")
    name = AppTokenHashType.parse(kind).value.lower()  # hashlib's names
    return _digest(name, (widget_ks + token).encode()).hexdigest()


def check_common(partner_id: int, expiry: int) -> None:
    if isinstance(partner_id, bool) or not isinstance(partner_id, int):
        raise ConfigError(f"partner_id must be an integer, got {type(partner_id).__name__}")
    if isinstance(expiry, bool) or not isinstance(expiry, int) or expiry <= 0:
        raise ConfigError(f"expiry must be a positive number of seconds, got {expiry!r}")


def _b64decode(ks: str) -> bytes:
    text = ks.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except ValueError as exc:
        raise ConfigError("not a KS: it is not base64 (check for a truncated copy)") from exc


def inspect(ks: str, admin_secret: str | None = None) -> KsInfo:
    """Read a KS; pass ``admin_secret`` to verify it and to open a v2 KS's fields."""
    if not isinstance(ks, str) or not ks.strip():
        raise ConfigError("KS is empty: pass the KS string (it starts with djJ8 for v2)")
    raw = _b64decode(ks)
    if raw.startswith(b"v2|"):
        return _inspect_v2(raw, admin_secret)
    return _inspect_v1(raw, admin_secret)


def _inspect_v1(raw: bytes, admin_secret: str | None) -> KsInfo:
    digest, sep, info = raw.partition(b"|")
    fields = info.decode("utf-8", "replace").split(";")
    if not sep or len(fields) < 3:
        raise ConfigError("not a KS: expected 'hash|partner;partner;validUntil;...' inside")
    verified = None
    if admin_secret:
        expected = _digest("sha1", admin_secret.encode() + info).hexdigest()
        import hmac  # on first use, as hashlib (_digest)

        verified = hmac.compare_digest(expected.encode(), digest)
    get: Any = lambda i: fields[i] if len(fields) > i else None  # noqa: E731
    try:
        return KsInfo(
            version=1,
            partner_id=int(fields[0]),
            valid_until=int(fields[2]),
            session_type=SessionType(int(get(3))) if get(3) else None,
            user_id=get(5),
            privileges=get(6),
            verified=verified,
        )
    except ValueError as exc:
        raise ConfigError(f"not a KS: unreadable v1 fields ({exc})") from exc


def _inspect_v2(raw: bytes, admin_secret: str | None) -> KsInfo:
    parts = raw.split(b"|", 2)
    if len(parts) != 3 or not parts[1].lstrip(b"-").isdigit():
        raise ConfigError("not a KS: expected 'v2|partner|data' inside")
    partner_id = int(parts[1])
    if not admin_secret:
        return KsInfo(version=2, partner_id=partner_id)
    fields = _open_v2(parts[2], admin_secret.encode())
    if fields is None:
        return KsInfo(version=2, partner_id=partner_id, verified=False)
    privileges = ",".join(
        f"{k}:{v}" if v else k for k, v in fields.items() if not k.startswith("_")
    )
    return KsInfo(
        version=2,
        partner_id=partner_id,
        valid_until=int(fields["_e"]) if fields.get("_e") else None,
        session_type=SessionType(int(fields["_t"])) if fields.get("_t") else None,
        user_id=fields.get("_u", ""),
        privileges=privileges.replace("all:*", "*"),
        verified=True,
    )


def _open_v2(cipher: bytes, secret: bytes) -> Mapping[str, str] | None:
    if not cipher or len(cipher) % BLOCK:
        return None
    plain = _aes(_key(secret), cipher, encrypt=False).rstrip(b"\0")
    digest, rest = plain[:20], plain[20:]
    if _digest("sha1", rest).digest() != digest:
        return None
    return dict(parse_qsl(rest[16:].decode("utf-8", "replace"), keep_blank_values=True))
