"""``AppTokenKs``: sessions started from an app token by the server, renewed before they end.

Unlike ``SecretKs`` this provider cannot make a KS by itself: it takes two calls
(``kaltura_mm.flows.app_session``). So it is a *minting* provider (``MintingKsProvider``): before a
call that needs a KS, the runtime asks ``due()``; if a session is due, one call of the run
``claim()``s the minting and runs ``minting()`` (pure calls, sent by the client like any other),
then hands the answer to ``accept()``; other calls wait meanwhile and share the one session, or
the one failure (``release(error)``). A session is due when there is none, when less than a
tenth of its lifetime (at most 5 minutes) is left, and after the server said it ``EXPIRED``
(``renew()``). The token is a secret: it is never in a repr, a log or an error.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from kaltura_mm.enums import AppTokenHashType, SessionType
from kaltura_mm.errors import ConfigError

if TYPE_CHECKING:
    from kaltura_mm.models import SessionInfo
    from kaltura_mm.runtime.effects import Flow

log = logging.getLogger("kaltura_mm.client")
MAX_MARGIN = 300.0


class AppTokenKs:
    """KS started from an app token (``appToken.startSession``); thread-safe, shared by runs."""

    def __init__(
        self,
        partner_id: int,
        token_id: str,
        token: str,
        hash_type: AppTokenHashType | str = AppTokenHashType.SHA256,
        *,
        user_id: str | None = None,
        session_type: SessionType | None = None,
        expiry: int | None = None,
        privileges: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Remember how to start a session; the first one is started by the first call.

        ``user_id``, ``session_type``, ``expiry`` and ``privileges`` are asked of the server; the
        token's own session type, user and privileges win over them (spec 13.1). ``clock`` is
        the wall clock (the server dates a session's end in Unix seconds).
        """
        if isinstance(partner_id, bool) or not isinstance(partner_id, int) or partner_id <= 0:
            raise ConfigError(f"partner_id must be a positive integer, got {partner_id!r}")
        if not isinstance(token_id, str) or not token_id.strip():
            raise ConfigError("the app token id is empty: set KALTURA_APP_TOKEN_ID")
        if not isinstance(token, str) or not token.strip():
            raise ConfigError("the app token is empty: set KALTURA_APP_TOKEN")
        self._partner_id = partner_id
        self._token_id = token_id.strip()
        self._token = token.strip()
        self._hash = AppTokenHashType.parse(hash_type)
        self._user_id = user_id or None
        self._session_type = session_type
        self._expiry = expiry
        self._privileges = privileges or None
        self._clock = clock
        self._lock = threading.Lock()
        self._ks: str | None = None
        self._info: SessionInfo | None = None
        self._valid_until = 0.0
        self._margin = 0.0
        self._minting = False
        self._round = 0  # how many mintings have ended
        self._failure: BaseException | None = None  # how the last one ended, if it failed

    @property
    def token_id(self) -> str:
        """Return the app token's id (not a secret)."""
        return self._token_id

    @property
    def hash_type(self) -> AppTokenHashType:
        """Return the hash type the token's proof is made with."""
        return self._hash

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return what must never be shown: the token and the KS in use."""
        return tuple(s for s in (self._token, self._ks) if s)

    @property
    def session(self) -> SessionInfo | None:
        """Return what the server said of the session in use (type, user, privileges, expiry)."""
        return self._info

    # ---- KsProvider ----------------------------------------------------------------------------

    def current(self) -> str | None:
        """Return the KS of the session in use (None before the first one is started)."""
        return self._ks

    def renew(self) -> bool:
        """Mark the session used up (the server said it expired): the next call starts one."""
        with self._lock:
            self._valid_until = 0.0
        return True

    # ---- MintingKsProvider ---------------------------------------------------------------------

    def due(self) -> bool:
        """Return whether a fresh session must be started before the next call."""
        return self._ks is None or self._clock() >= self._valid_until - self._margin

    def claim(self) -> tuple[bool, int]:
        """Take the minting if nobody has it: return (taken, the minting round seen)."""
        with self._lock:
            if self._minting:
                return False, self._round
            self._minting = True
            return True, self._round

    def failure_since(self, seen: int) -> BaseException | None:
        """Return how a minting that ended after round ``seen`` failed (None: it worked, or
        none ended yet)."""
        with self._lock:
            return self._failure if self._round > seen and not self._minting else None

    def minting(self) -> Flow[SessionInfo]:
        """Return the flow that starts a session (pure calls)."""
        from kaltura_mm.flows.app_session import app_token_session

        return app_token_session(
            self._partner_id,
            self._token_id,
            self._token,
            self._hash,
            user_id=self._user_id,
            session_type=self._session_type,
            expiry=self._expiry,
            privileges=self._privileges,
        )

    def accept(self, info: SessionInfo) -> None:
        """Use the session the minting started, until shortly before it ends."""
        now = self._clock()
        asked = self._expiry
        left = float(info.expiry) - now if info.expiry is not None else float(asked or 0)
        if left <= 0:
            # The server's clock is ahead of this one by more than the session's life: count
            # from now, and let an EXPIRED answer start the next session.
            log.warning("the app token session ends before this computer's clock says it began")
            left = float(asked or 3600)
        with self._lock:
            self._ks, self._info = info.ks, info
            self._valid_until = now + left
            self._margin = min(MAX_MARGIN, left / 10)
            self._end_round(None)

    def release(self, error: BaseException | None) -> None:
        """End a minting that failed (``error``, shared with the calls waiting) or was stopped."""
        with self._lock:
            self._end_round(error)

    def _end_round(self, error: BaseException | None) -> None:
        self._minting = False
        self._round += 1
        self._failure = error

    def __repr__(self) -> str:
        return (
            f"AppTokenKs(partner_id={self._partner_id}, token_id={self._token_id!r}, "
            f"token=<redacted>, hash_type={self._hash.value})"
        )
