"""Where a client gets its KS: a fixed one, or one made locally from the admin secret and renewed.

The providers are what the runtime asks before every request (``current``) and tells when the
server said ``EXPIRED`` (``renew``); making and reading the KS itself is ``kaltura_mm.ks.tokens``.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Generator
from typing import Any, Protocol, TypeGuard, runtime_checkable

from kaltura_mm.enums import SessionType
from kaltura_mm.ks.tokens import BLOCK, check_common, check_secret, generate_v2


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
        check_secret(admin_secret)
        check_common(partner_id, expiry)
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
            salt=self._random_bytes(BLOCK),
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
