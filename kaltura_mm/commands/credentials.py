"""Which credential a run uses: an app token (least privilege), an admin secret or a KS.

One credential at a time: an app token beside an admin secret or a KS is refused, naming where
each came from, rather than guessing whether the user meant the token's limited rights or full
admin (guessing admin would silently undo the point of the token).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.profiles import ENV_VARS, ConnectionSettings

if TYPE_CHECKING:
    from kaltura_mm.client import Client
    from kaltura_mm.commands.context import AppContext


def origin(settings: ConnectionSettings, key: str) -> str:
    """Return where a setting came from, in the words the user set it with."""
    source = settings.sources.get(key, "")
    if source == "env":
        return ENV_VARS[key]
    if source.startswith("profile"):
        return f"{key} in {source}"
    return source or "nowhere"


def app_token_values(settings: ConnectionSettings) -> dict[str, Any]:
    """Return the Config fields of the app token in ``settings``, or refuse a muddle."""
    if not settings.app_token_id or not settings.app_token:
        have, missing = (
            ("app_token_id", "app_token")
            if settings.app_token_id
            else ("app_token", "app_token_id")
        )
        raise CliError(
            f"half an app token: {origin(settings, have)} is set but not {ENV_VARS[missing]}",
            "set both KALTURA_APP_TOKEN_ID and KALTURA_APP_TOKEN (or app_token_id and app_token "
            "in a 0600 profile), as `kaltura-mm auth apptoken create` printed them",
            ExitCode.AUTH,
        )
    for other in ("admin_secret", "ks"):
        if getattr(settings, other):
            raise CliError(
                f"both an app token ({origin(settings, 'app_token')}) and "
                f"{'an admin secret' if other == 'admin_secret' else 'a KS'} "
                f"({origin(settings, other)}) are set; kaltura-mm will not guess which you mean",
                f"unset one: remove {origin(settings, other)} to work with the app token's rights, "
                f"or {origin(settings, 'app_token')} for full admin",
                ExitCode.AUTH,
            )
    return {
        "partner_id": settings.partner_id,
        "app_token_id": settings.app_token_id,
        "app_token": settings.app_token,
        "app_token_hash": _hash(settings),
        "user_id": settings.user_id or "",
    }


def _hash(settings: ConnectionSettings) -> str:
    from kaltura_mm.enums import AppTokenHashType
    from kaltura_mm.errors import ConfigError

    try:
        return AppTokenHashType.parse(settings.app_token_hash or "sha256").value
    except ConfigError as exc:
        where = origin(settings, "app_token_hash")
        raise CliError(
            f"{exc} (from {where})", "set it to the hash the token was made with"
        ) from None


def admin_client(state: AppContext) -> Client:
    """Return a client on the admin secret alone (an app token configured beside it is unused)."""
    from kaltura_mm.client import Client
    from kaltura_mm.config import Config

    settings = state.settings()
    secret = state.admin_secret()
    if settings.partner_id is None:
        raise CliError(
            "no partner id is configured",
            "set KALTURA_PARTNER_ID, pass --partner-id, or add partner_id to your profile",
        )
    server = settings.service_url or settings.region
    values: dict[str, Any] = {"partner_id": settings.partner_id, "admin_secret": secret}
    if server:
        values["service_url"] = server
    client = Client(Config(**values, **state.network()), shared_budget=state.budget())
    click.get_current_context().call_on_close(client.close)
    return client
