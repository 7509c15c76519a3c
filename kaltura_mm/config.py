"""Client configuration: where the server is, who we are, how long to wait, how to retry.

``Config(service_url=..., partner_id=..., ks=...)`` or ``Config.from_env()``. ``service_url`` is the
server root without ``/api_v3`` (given with or without it), or a region name (``"eu"``, ``"frp2"``
...). It must be https, except on the local machine. Reprs never show the KS or the secret.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from kaltura_mm import __version__
from kaltura_mm.enums import AppTokenHashType, SessionType
from kaltura_mm.errors import ConfigError
from kaltura_mm.runtime.retry import RetryPolicy as RetryPolicy  # the runtime's one policy

# Spec section 9: every documented region, by friendly name and by internal code.
REGIONS: Mapping[str, str] = {
    "us": "https://www.kaltura.com",
    "nvp1": "https://www.kaltura.com",
    "de": "https://api.de.kaltura.com",
    "frp2": "https://api.de.kaltura.com",
    "eu": "https://api.eu.kaltura.com",
    "irp2": "https://api.eu.kaltura.com",
    "sg": "https://api.sg.kaltura.com",
    "sgp2": "https://api.sg.kaltura.com",
    "ca": "https://api.ca.kaltura.com",
    "cap2": "https://api.ca.kaltura.com",
    "au": "https://api.ap.kaltura.com",
    "ap": "https://api.ap.kaltura.com",
    "syp2": "https://api.ap.kaltura.com",
}
ENV_VARS = (
    "KALTURA_SERVICE_URL",
    "KALTURA_REGION",
    "KALTURA_PARTNER_ID",
    "KALTURA_KS",
    "KALTURA_ADMIN_SECRET",
    "KALTURA_USER_ID",
    "KALTURA_APP_TOKEN_ID",
    "KALTURA_APP_TOKEN",
    "KALTURA_APP_TOKEN_HASH",
)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        import ipaddress  # on first use: 1.6 ms of every import otherwise

        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_service_url(value: str) -> str:
    """Return the server root for a URL or region name; refuse plain http to a remote host."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            "service_url is empty: pass e.g. 'https://www.kaltura.com' or a region: "
            + ", ".join(sorted(REGIONS))
        )
    text = value.strip()
    if "://" not in text:
        if text.lower() in REGIONS:
            return REGIONS[text.lower()]
        raise ConfigError(
            f"unknown region {text!r}: use one of {', '.join(sorted(REGIONS))}, "
            "or a full URL such as 'https://www.kaltura.com'"
        )
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"service_url {text!r} is not an http(s) URL with a host")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigError(
            f"service_url {text!r} uses plain http to a remote host, which would send the KS "
            "in clear text: use https:// (http is allowed only for 127.0.0.1/localhost)"
        )
    path = parts.path.rstrip("/")
    path = path.removesuffix("/api_v3").rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


def _secret_repr(value: str | None) -> str:
    return "None" if value is None else "'<redacted>'"


def _positive(_: Any, attribute: Any, value: float) -> None:
    if value <= 0:
        raise ConfigError(f"{attribute.name} must be > 0, got {value}")


@attrs.frozen(kw_only=True)
class Timeouts:
    """Seconds to wait: to connect, for each read and write, for a free pooled connection, and
    for the whole answer.

    ``answer`` bounds the answer from the moment the request's last byte is sent to the moment
    its last byte arrives, however it trickles in (``AnswerTimeoutError``); sending the request
    is not counted, so a healthy upload on a slow link is never cut (each of its writes has
    ``write`` seconds). ``read`` bounds each silence on the way.
    """

    connect: float = attrs.field(default=10.0, validator=_positive)
    read: float = attrs.field(default=120.0, validator=_positive)
    write: float = attrs.field(default=120.0, validator=_positive)
    pool: float = attrs.field(default=60.0, validator=_positive)
    answer: float = attrs.field(default=120.0, validator=_positive)


MAX_ANSWER_BYTES = 64 * 2**20


def _partner_id(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise ConfigError(
        f"partner_id must be an integer (your Kaltura account id, e.g. 1234567), got {value!r}"
    )


def _hash_type(value: Any) -> AppTokenHashType:
    return AppTokenHashType.parse(value)


def _check_app_token(config: Config) -> None:
    """Refuse half an app token, and an app token alongside another credential."""
    if bool(config.app_token_id) != bool(config.app_token):
        missing = "app_token (KALTURA_APP_TOKEN)" if config.app_token_id else "app_token_id"
        raise ConfigError(
            f"an app token needs both its id and its token: {missing} is not set "
            "(`kaltura-mm auth apptoken create` prints both)"
        )
    if not config.app_token_id:
        return
    if config.admin_secret or config.ks:
        other = "an admin secret" if config.admin_secret else "a KS"
        raise ConfigError(
            f"both an app token and {other} are set, and kaltura-mm will not guess which "
            "session you mean: unset KALTURA_ADMIN_SECRET/KALTURA_KS to work with the app "
            "token's limited rights, or unset KALTURA_APP_TOKEN_ID/KALTURA_APP_TOKEN for admin"
        )
    if config.partner_id is None:
        raise ConfigError(
            "an app token needs partner_id to start a session: set partner_id "
            "(or KALTURA_PARTNER_ID)"
        )


@attrs.frozen(kw_only=True)
class Config:
    """Everything a client needs to talk to one Kaltura server as one identity.

    Give ``ks`` (used as is), ``admin_secret`` (a KS is made locally and renewed before it
    expires, with ``session_type``, ``user_id``, ``privileges`` and ``ks_expiry``), or an app
    token: ``app_token_id`` and ``app_token`` (with ``app_token_hash``, SHA256 unless given),
    from which the server starts sessions (``AppTokenKs``; the token's type, user and privileges
    win; ``user_id``, ``privileges`` and ``ks_expiry`` are asked for, ``session_type`` is not).
    An app token with an admin secret or a KS is refused: say which one to use.
    ``max_concurrency`` caps the requests in flight at once (default 24, above what any flow asks
    for at its defaults); background calls beyond it wait for a free slot, and the client logs so.
    ``max_answer_bytes`` caps the size of one answer (default 64 MiB, some thirty times a page of
    500 entries): past it the client stops reading and raises ``AnswerTooLargeError``.
    """

    service_url: str = attrs.field(
        default="https://www.kaltura.com", converter=normalize_service_url
    )
    partner_id: int | None = attrs.field(default=None, converter=_partner_id)
    ks: str | None = attrs.field(default=None, repr=_secret_repr)
    admin_secret: str | None = attrs.field(default=None, repr=_secret_repr)
    app_token_id: str | None = None
    app_token: str | None = attrs.field(default=None, repr=_secret_repr)
    app_token_hash: AppTokenHashType = attrs.field(
        default=AppTokenHashType.SHA256, converter=_hash_type
    )
    user_id: str = ""
    session_type: SessionType = SessionType.ADMIN
    privileges: str | None = None
    ks_expiry: int = attrs.field(default=86400, validator=_positive)
    timeouts: Timeouts = attrs.field(factory=Timeouts)
    retry: RetryPolicy = attrs.field(factory=RetryPolicy)
    client_tag: str = f"kaltura-mm:{__version__}"
    # The most requests one client has on the wire at once, across every flow it runs. Sized so
    # that default settings never queue behind it: upload_many's 4 files x 6 chunks in flight.
    # A flow asking for more gets this many, and the client logs that it is queueing.
    max_concurrency: int = attrs.field(default=24, validator=_positive)
    max_answer_bytes: int = attrs.field(default=MAX_ANSWER_BYTES, validator=_positive)

    def __attrs_post_init__(self) -> None:
        _check_app_token(self)
        if self.admin_secret and self.partner_id is None and not self.ks:
            raise ConfigError(
                "admin_secret needs partner_id to make a KS: set partner_id (or KALTURA_PARTNER_ID)"
            )

    @property
    def api_url(self) -> str:
        """Return the API root, ``service_url + "/api_v3"``."""
        return self.service_url + "/api_v3"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the values that must never be shown (KS, admin secret, app token)."""
        return tuple(s for s in (self.ks, self.admin_secret, self.app_token) if s)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """Build a Config from ``KALTURA_*`` environment variables; keyword arguments win."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        url = env.get("KALTURA_SERVICE_URL") or env.get("KALTURA_REGION")
        if url:
            values["service_url"] = url
        for name, key in (
            ("partner_id", "KALTURA_PARTNER_ID"),
            ("ks", "KALTURA_KS"),
            ("admin_secret", "KALTURA_ADMIN_SECRET"),
            ("user_id", "KALTURA_USER_ID"),
            ("app_token_id", "KALTURA_APP_TOKEN_ID"),
            ("app_token", "KALTURA_APP_TOKEN"),
            ("app_token_hash", "KALTURA_APP_TOKEN_HASH"),
        ):
            if env.get(key):
                values[name] = env[key]
        values.update(overrides)
        try:
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{exc} (read from the KALTURA_* environment variables)") from None
