"""The sandbox's own KS codec: make and verify v1 and v2 Kaltura Sessions.

v1: ``base64(sha1hex(secret + info) + "|" + info)``,
    info = ``pid;pid;validUntil;type;rand;user;privileges``.
v2: ``base64url("v2|pid|" + AES-128-CBC(key, iv=0, zero-padded(sha1(R+fields) + R + fields)))``,
    key = ``sha1(secret)[:16]``, R = 16 random bytes,
    fields = urlencoded ``_e`` / ``_t`` / ``_u`` and the privileges.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import urllib.parse
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

USER = 0
ADMIN = 2


class KsFormatError(ValueError):
    """The string is not a KS this partner signed."""


@dataclass(frozen=True)
class VerifiedKs:
    """A verified KS: who it is for and what it may do."""

    partner_id: int
    valid_until: int
    type: int
    user_id: str
    privileges: dict[str, str] = field(default_factory=dict)
    # the privileges as the server holds them: a v1 KS's own text, a v2 KS's fields re-joined
    raw_privileges: str = ""

    @property
    def is_admin(self) -> bool:
        """Return True for an ADMIN session (the server's ``type >= 1``)."""
        return self.type >= 1

    def has_privilege(self, name: str, value: str = "*") -> bool:
        """Return True when the KS grants ``name`` for ``value`` (``ks::verifyPrivileges``):
        ``*`` (or ``all:*``), ``name:*`` or ``name:value`` anywhere in the privileges text (a
        substring test, as the server's ``strpos``), or ``value`` among ``name``'s ``/`` list."""
        raw = self.raw_privileges or _joined(self.privileges)
        if raw == "*" or f"{name}:*" in raw or f"{name}:{value}" in raw:
            return True
        granted = self.privileges.get(name)
        return granted is not None and value in granted.split("/")

    def privilege(self, name: str) -> str | None:
        """Return the first value of privilege ``name`` ("" for a bare name), or None."""
        for item in (self.raw_privileges or _joined(self.privileges)).split(","):
            key, sep, value = item.strip().partition(":")
            if key == name:
                return value if sep else ""
        return None

    @property
    def role(self) -> str | None:
        """Return ``setrole:``'s role id or system name, if the KS sets one."""
        return self.privilege("setrole") or None

    @property
    def actions_limit(self) -> str | None:
        """Return ``actionslimit:``'s value as written, if the KS has one."""
        return self.privilege("actionslimit")

    @property
    def privacy_context(self) -> str | None:
        """Return ``privacycontext:``'s value (``kSessionBase::getPrivacyContext``), or None."""
        return self.privilege("privacycontext") or None

    @property
    def enable_entitlement(self) -> bool:
        """Return True when the KS has the bare ``enableentitlement`` privilege."""
        return self.privilege("enableentitlement") == ""

    @property
    def disable_entitlement(self) -> bool:
        """Return True when the KS has the bare ``disableentitlement`` privilege."""
        return self.privilege("disableentitlement") == ""

    def may_edit(self, entry_id: str) -> bool:
        """Return True when ``edit:<entry_id>`` or ``edit:*`` is granted."""
        return self.has_privilege("edit", entry_id)

    def may_view(self, entry_id: str) -> bool:
        """Return True when ``sview:<entry_id>`` or ``sview:*`` is granted."""
        return self.has_privilege("sview", entry_id)

    @property
    def may_list_all(self) -> bool:
        """Return True when ``list:*`` lifts a USER KS's own-entries-only listing."""
        return self.has_privilege("list", "*")

    def __repr__(self) -> str:
        return (
            f"VerifiedKs(partner_id={self.partner_id}, type={self.type}, user_id={self.user_id!r})"
        )


def _joined(privileges: dict[str, str]) -> str:
    """Re-join parsed privileges as ``kSessionBase::parseKsV2`` does (``all:*`` is ``*``)."""
    text = ",".join(f"{k}:{v}" if v else k for k, v in privileges.items())
    return "*" if text == "all:*" else text


def parse_privileges(text: str) -> dict[str, str]:
    """Split ``"list:*,edit:0_abc,disableentitlement"`` into a name -> value map."""
    result: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if item == "*":
            result["all"] = "*"
            continue
        name, _, value = item.partition(":")
        result[name] = value
    return result


def _aes_key(secret: str) -> bytes:
    return hashlib.sha1(secret.encode()).digest()[:16]  # noqa: S324 - the KS format mandates sha1


def _cipher(secret: str) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(_aes_key(secret)), modes.CBC(b"\0" * 16))


def encode_v2(
    secret: str,
    partner_id: int,
    valid_until: int,
    type_: int,
    user_id: str,
    privileges: str = "",
) -> str:
    """Make a v2 KS (``djJ8…``) signed with the partner's admin secret."""
    fields: dict[str, str] = {}
    for name, value in parse_privileges(privileges).items():
        fields[name] = value
    fields.update({"_e": str(valid_until), "_t": str(type_), "_u": user_id})
    fields_str = urllib.parse.urlencode(fields).encode()
    rand = os.urandom(16)
    plain = hashlib.sha1(rand + fields_str).digest() + rand + fields_str  # noqa: S324
    plain += b"\0" * (-len(plain) % 16)
    encryptor = _cipher(secret).encryptor()
    cipher_text = encryptor.update(plain) + encryptor.finalize()
    raw = b"v2|" + str(partner_id).encode() + b"|" + cipher_text
    return base64.urlsafe_b64encode(raw).decode()


def encode_v1(
    secret: str,
    partner_id: int,
    valid_until: int,
    type_: int,
    user_id: str,
    privileges: str = "",
) -> str:
    """Make a v1 KS as the Python client's ``generateSession`` does (7 fields)."""
    rand = int.from_bytes(os.urandom(2), "big")
    info = f"{partner_id};{partner_id};{valid_until};{type_};{rand};{user_id};{privileges}"
    digest = hashlib.sha1((secret + info).encode()).hexdigest()  # noqa: S324
    return base64.b64encode(f"{digest}|{info}".encode()).decode()


def _b64decode(text: str) -> bytes:
    text = text.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise KsFormatError("not base64") from error


def partner_of(ks: str) -> int:
    """Return the partner id a KS claims, before any signature check."""
    raw = _b64decode(ks)
    if raw.startswith(b"v2|"):
        parts = raw.split(b"|", 2)
        if len(parts) < 3:
            raise KsFormatError("v2 KS has fewer than 3 parts")
        return _int(parts[1])
    _, sep, info = raw.partition(b"|")
    if not sep:
        raise KsFormatError("no '|' in KS")
    return _int(info.split(b";", 1)[0])


def _int(raw: bytes) -> int:
    try:
        return int(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as error:
        raise KsFormatError("partner id is not a number") from error


def decode(ks: str, admin_secrets: list[str]) -> VerifiedKs:
    """Verify ``ks`` against the partner's admin secrets and return its session."""
    raw = _b64decode(ks)
    if raw.startswith(b"v2|"):
        return _decode_v2(raw, admin_secrets)
    return _decode_v1(raw, admin_secrets)


def _decode_v1(raw: bytes, admin_secrets: list[str]) -> VerifiedKs:
    digest, sep, info_raw = raw.partition(b"|")
    if not sep:
        raise KsFormatError("no '|' in KS")
    try:
        info = info_raw.decode()
    except UnicodeDecodeError as error:
        raise KsFormatError("KS info is not text") from error
    fields = info.split(";")
    if len(fields) < 3:
        raise KsFormatError("KS has fewer than 3 fields")
    expected = {hashlib.sha1((s + info).encode()).hexdigest() for s in admin_secrets}  # noqa: S324
    if digest.decode(errors="replace") not in expected:
        raise KsFormatError("bad signature")
    fields += [""] * (9 - len(fields))
    try:
        partner_id, valid_until = int(fields[0]), int(fields[2])
        type_ = int(fields[3] or 0)
    except ValueError as error:
        raise KsFormatError("numeric KS field is not a number") from error
    privileges = fields[6]
    return VerifiedKs(
        partner_id, valid_until, type_, fields[5], parse_privileges(privileges), privileges
    )


def _decode_v2(raw: bytes, admin_secrets: list[str]) -> VerifiedKs:
    parts = raw.split(b"|", 2)
    if len(parts) < 3 or len(parts[2]) % 16 or not parts[2]:
        raise KsFormatError("v2 KS is malformed")
    partner_id = _int(parts[1])
    for secret in admin_secrets:
        decryptor = _cipher(secret).decryptor()
        plain = (decryptor.update(parts[2]) + decryptor.finalize()).rstrip(b"\0")
        if len(plain) > 36 and hashlib.sha1(plain[20:]).digest() == plain[:20]:  # noqa: S324
            return _session_from_fields(partner_id, plain[36:])
    raise KsFormatError("bad signature")


def _session_from_fields(partner_id: int, fields_raw: bytes) -> VerifiedKs:
    try:
        pairs = urllib.parse.parse_qsl(fields_raw.decode(), keep_blank_values=True)
    except UnicodeDecodeError as error:
        raise KsFormatError("KS fields are not text") from error
    fields = dict(pairs)
    try:
        valid_until = int(fields.pop("_e", "0") or 0)
        type_ = int(fields.pop("_t", "0") or 0)
    except ValueError as error:
        raise KsFormatError("numeric KS field is not a number") from error
    user_id = fields.pop("_u", "")
    fields.pop("_m", None)
    fields.pop("_d", None)
    return VerifiedKs(partner_id, valid_until, type_, user_id, fields, _joined(fields))


__all__ = [
    "ADMIN",
    "USER",
    "KsFormatError",
    "VerifiedKs",
    "decode",
    "encode_v1",
    "encode_v2",
    "parse_privileges",
    "partner_of",
]
