"""One driver process's connection: JSON and multipart calls, retries, KS renewal.

A call that provably did not run (``ACTION_BLOCKED``, an expired KS) is retried; one that may
have run (a reset, a lost answer, a 5xx page) is retried only when the caller says it is safe,
else raised as ``Uncertain`` for the caller to find out what the server holds.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from simulation.http import HttpRequest, json_request, multipart_request
from simulation.network import Answer, Network

SERVICE_URL = "https://simulation.invalid"
MAX_ATTEMPTS = 12


class ApiFailure(Exception):
    """The server answered with a ``KalturaAPIException``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code, message)
        self.code = code
        self.expired = code == "INVALID_KS" and "EXPIRED" in message  # else: refused for good


class Uncertain(Exception):
    """No usable answer: the call may or may not have run."""


class NotSent(Uncertain):
    """No answer, and provably none could come: the connection never opened."""


@dataclass(frozen=True, slots=True)
class Account:
    """What a driver process knows: the partner, its admin secret, and the session to start
    (``user``: a USER session of that user, with ``privileges``; "": an ADMIN session)."""

    partner_id: int
    admin_secret: str
    user: str = ""
    privileges: str = ""


class Conn:
    """Make calls over the network for one driver process."""

    def __init__(self, net: Network, account: Account, rng: random.Random) -> None:
        self.net, self.account, self.rng = net, account, rng
        self._ks = ""

    def now(self) -> float:
        """Return the virtual time."""
        return self.net.clock.now()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of virtual time."""
        self.net.wait_for(self.net.sleep_until(self.now() + seconds))

    def _backoff(self, attempt: int, floor: float = 0.0) -> None:
        self.sleep(max(floor, min(60.0, 0.5 * 2**attempt) * self.rng.uniform(0.5, 1.0)))

    def request(
        self, service: str, action: str, params: dict[str, Any], files: dict[str, Any] | None
    ) -> HttpRequest:
        """Build a request (``format=1``, the KS) for one call or a multirequest."""
        full = {"format": 1, "ks": self.ks(), **params}
        if files:
            return multipart_request(SERVICE_URL, service, action, full, files)
        return json_request(SERVICE_URL, service, action, full)

    def renew(self) -> None:
        """Forget the KS: the next call starts a new session."""
        self._ks = ""

    def ks(self) -> str:
        """Return a KS, starting a session when there is none."""
        if not self._ks:
            params = {"secret": self.account.admin_secret, "partnerId": self.account.partner_id}
            params.update({"type": 2, "expiry": 86_400, "format": 1})
            if self.account.user:  # a USER session of that user
                params.update({"type": 0, "userId": self.account.user})
                params["privileges"] = self.account.privileges
            request = json_request(SERVICE_URL, "session", "start", params)
            self._ks = self._until_answered(request)
        return self._ks

    def _until_answered(self, request: HttpRequest) -> Any:
        for attempt in range(MAX_ATTEMPTS):
            try:
                return decode(self.net.wait_for(self.net.send(request)))
            except (Uncertain, ApiFailure):
                self._backoff(attempt)
        raise Uncertain("no answer after many attempts")

    def call(
        self,
        service: str,
        action: str,
        params: dict[str, Any],
        files: dict[str, Any] | None = None,
        safe: bool = True,
    ) -> Any:
        """Run one call; retry what is safe to retry; raise ``ApiFailure`` or ``Uncertain``."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self.receive(self.send(service, action, params, files))
            except ApiFailure as failure:
                if failure.code != "ACTION_BLOCKED":
                    raise
                self._backoff(attempt, floor=10.0)
            except NotSent:
                self._backoff(attempt)  # even an add: it never left
            except Uncertain:
                if not safe:
                    raise
                self._backoff(attempt)
        raise Uncertain(f"{service}.{action}: no answer after {MAX_ATTEMPTS} attempts")

    def send(
        self, service: str, action: str, params: dict[str, Any], files: dict[str, Any] | None
    ) -> tuple[int, tuple[str, str, dict[str, Any], dict[str, Any] | None]]:
        """Send one call; return a handle for ``receive``."""
        request = self.request(service, action, params, files)
        return self.net.send(request), (service, action, params, files)

    def receive(self, handle: tuple[int, Any]) -> Any:
        """Return a sent call's result; renew an expired KS and resend once if needed."""
        ticket, (service, action, params, files) = handle
        try:
            return decode(self.net.wait_for(ticket))
        except ApiFailure as failure:
            if not failure.expired:  # INVALID_KS -4,INVALID_TYPE: not the owner, for good
                raise
            self.renew()
            return decode(self.net.wait_for(self.send(service, action, params, files)[0]))


def decode(event: Any) -> Any:
    """Return an answer's result, or raise ``ApiFailure`` / ``Uncertain``."""
    if not isinstance(event, Answer) or event.response is None:
        failure = getattr(event, "failure", "no answer")
        raise NotSent(failure) if failure == "refused" else Uncertain(failure)
    if event.response.status != 200:
        raise Uncertain(f"HTTP {event.response.status}")
    try:
        value = json.loads(event.response.body)
    except ValueError as error:
        raise Uncertain("unreadable answer") from error
    if isinstance(value, dict) and value.get("objectType") == "KalturaAPIException":
        raise ApiFailure(value["code"], value["message"])
    return value


def failure_of(value: Any) -> str | None:
    """Return the error code of a multirequest item, or None for a result (an expired
    session's ``INVALID_KS`` reads ``EXPIRED``: the item did not run)."""
    if isinstance(value, dict) and value.get("objectType") == "KalturaAPIException":
        if value["code"] == "INVALID_KS" and "EXPIRED" in str(value.get("message", "")):
            return "EXPIRED"
        return str(value["code"])
    return None
