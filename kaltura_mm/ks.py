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
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard, runtime_checkable
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


_BLOCK = 16


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


def _check_secret(secret: str) -> bytes:
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

    cipher = Cipher(algorithms.AES(key), modes.CBC(b"\0" * _BLOCK))
    worker = cipher.encryptor() if encrypt else cipher.decryptor()
    return worker.update(data) + worker.finalize()


def _key(secret: bytes) -> bytes:
    return _digest("sha1", secret).digest()[:_BLOCK]


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
    secret = _check_secret(admin_secret)
    _check_common(partner_id, expiry)
    valid_until = int(time.time() if now is None else now) + expiry
    fields = _privilege_fields(privileges)
    fields |= {"_e": str(valid_until), "_t": str(int(session_type)), "_u": user_id}
    encoded = urlencode(fields).encode()
    rand = os.urandom(_BLOCK) if salt is None else salt
    if len(rand) != _BLOCK:
        raise ConfigError(f"a KS salt is {_BLOCK} bytes, got {len(rand)}")
    plain = _digest("sha1", rand + encoded).digest() + rand + encoded
    plain += b"\0" * (-len(plain) % _BLOCK)
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
    secret = _check_secret(admin_secret)
    _check_common(partner_id, expiry)
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


def _check_common(partner_id: int, expiry: int) -> None:
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
    if not cipher or len(cipher) % _BLOCK:
        return None
    plain = _aes(_key(secret), cipher, encrypt=False).rstrip(b"\0")
    digest, rest = plain[:20], plain[20:]
    if _digest("sha1", rest).digest() != digest:
        return None
    return dict(parse_qsl(rest[16:].decode("utf-8", "replace"), keep_blank_values=True))


class KsProvider(Protocol):
    """Where a client gets its KS: asked before every request, told when the KS expired."""

    def current(self) -> str | None:
        """Return the KS to send now (renewing it first if it is about to expire)."""

    def renew(self) -> bool:
        """Make a fresh KS after the server said ``EXPIRED``; return False if impossible."""


@runtime_checkable
class MintingKsProvider(KsProvider, Protocol):
    """A provider whose sessions are started by calls the runtime sends (``AppTokenKs``).

    Before a call carrying the KS, the runtime asks ``due()``; one call ``claim()``s the
    minting, runs ``minting()`` (a flow of plain calls) and hands its result to ``accept()``, or
    its error to ``release()``; calls that found it claimed wait and read ``failure_since()``.
    """

    def due(self) -> bool:
        """Return whether a session must be started before the next call."""

    def claim(self) -> tuple[bool, int]:
        """Take the minting if free: return (taken, the minting round seen)."""

    def failure_since(self, seen: int) -> BaseException | None:
        """Return the error a minting that ended after round ``seen`` failed with."""

    def minting(self) -> Generator[Any, Any, Any]:
        """Return the flow of calls that starts a session."""

    def accept(self, info: Any) -> None:
        """Use the session the minting flow returned."""

    def release(self, error: BaseException | None) -> None:
        """End a minting that failed (or was stopped, ``None``)."""


def is_minting(provider: KsProvider) -> TypeGuard[MintingKsProvider]:
    """Return whether ``provider`` starts its sessions through calls (the runtime runs them)."""
    return isinstance(provider, MintingKsProvider)


class FixedKs:
    """A KS given once and used as is (it cannot be renewed)."""

    def __init__(self, ks: str | None) -> None:
        """Hold ``ks`` (None: send calls without a KS)."""
        self._ks = ks

    def current(self) -> str | None:
        """Return the fixed KS."""
        return self._ks

    def renew(self) -> bool:
        """Return False: a fixed KS cannot be renewed."""
        return False

    def __repr__(self) -> str:
        return "FixedKs(<redacted>)" if self._ks else "FixedKs(None)"


class SecretKs:
    """KS made locally from the admin secret (v2), renewed before expiry; thread-safe."""

    def __init__(
        self,
        partner_id: int,
        admin_secret: str,
        *,
        session_type: SessionType = SessionType.ADMIN,
        user_id: str = "",
        privileges: str | None = None,
        expiry: int = 86400,
        clock: Callable[[], float] = time.time,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        """Remember how to make the KS; the first one is made on first use.

        ``clock`` and ``random_bytes`` (each KS's salt) are the wall clock and the system's
        randomness; a replayable run (a simulation on a virtual clock) passes its own.
        """
        _check_secret(admin_secret)
        _check_common(partner_id, expiry)
        self._partner_id = partner_id
        self._secret = admin_secret
        self._type = session_type
        self._user_id = user_id
        self._privileges = privileges
        self._expiry = expiry
        self._clock = clock
        self._random_bytes = random_bytes
        # Renew when less than a tenth of the lifetime (at most 5 minutes) is left.
        self._margin = min(300.0, expiry / 10)
        self._lock = threading.Lock()
        self._ks: str | None = None
        self._valid_until = 0.0

    def _make(self) -> str:
        now = self._clock()
        self._ks = generate_v2(
            self._partner_id,
            self._secret,
            session_type=self._type,
            user_id=self._user_id,
            privileges=self._privileges,
            expiry=self._expiry,
            now=now,
            salt=self._random_bytes(_BLOCK),
        )
        self._valid_until = int(now) + self._expiry  # what the KS says (_e is whole seconds)
        return self._ks

    @property
    def full_rights(self) -> bool:
        """Return whether the KS it makes has the partner administrator's role for certain.

        An ADMIN KS with no user and no ``setrole`` takes the partner's admin role, which may
        write every field; a USER KS, a user (whose own KMC role applies: spec 4.5) or a
        ``setrole`` may lack a permission, such as ``CONTENT_INGEST_REFERENCE_MODIFY``.
        """
        privileges = self._privileges or ""
        return self._type is SessionType.ADMIN and not self._user_id and "setrole" not in privileges

    def current(self) -> str:
        """Return a KS with more than the safety margin left, making a new one if needed."""
        with self._lock:
            if self._ks is None or self._clock() >= self._valid_until - self._margin:
                return self._make()
            return self._ks

    def renew(self) -> bool:
        """Make a new KS now."""
        with self._lock:
            self._make()
        return True

    def __repr__(self) -> str:
        return f"SecretKs(partner_id={self._partner_id}, admin_secret=<redacted>)"
