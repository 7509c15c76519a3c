"""``kaltura-mm auth check`` and ``auth apptoken ...``: which session a run works with.

``auth check`` starts the session the configuration gives (an app token's, one made from the
admin secret, or a KS as is), has the server accept it with one read, and prints its type, user,
privileges, role and expiry, never the KS. It warns about an ADMIN session without ``setrole``:
such a session may do anything on the partner, which is what least privilege avoids.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import click

from kaltura_mm.commands.apptoken_commands import apptoken_group
from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.output import json_line
from kaltura_mm.commands.role_commands import role_group

if TYPE_CHECKING:
    from kaltura_mm.client import Client
    from kaltura_mm.config import Config
    from kaltura_mm.ks import KsProvider

CHECK_KEYS = (
    "credential",
    "partner_id",
    "session_type",
    "user_id",
    "role",
    "privileges",
    "valid_until",
    "expires_in",
    "app_token_id",
    "lists_entries",
    "warnings",
)
ADMIN_WITHOUT_ROLE = (
    "this is an ADMIN session without setrole: it may do anything on the partner; use an app "
    "token with a role (`kaltura-mm auth apptoken create --role ...`, docs/least-privilege.md)"
)


@click.group("auth")
def auth_group() -> None:
    """Check the session in use; make, list and revoke app tokens; make roles."""


auth_group.add_command(apptoken_group)
auth_group.add_command(role_group)


@auth_group.command("check")
@common_options
@click.pass_context
def check(ctx: click.Context) -> int:
    """Start the configured session, have the server accept it, and say what it may do."""
    from kaltura_mm.client import Client
    from kaltura_mm.client.base import provider_for

    state = app(ctx)
    config = state.config()
    provider = provider_for(config)
    client = Client(config, ks_provider=provider, shared_budget=state.budget())
    ctx.call_on_close(client.close)
    lists = _lists_entries(client)
    record = _session(state, config, provider) | {"lists_entries": lists}
    record["warnings"] = _warnings(record)
    for warning in record["warnings"]:
        state.notice("warning", warning)
    if state.json:
        state.stdout.write(json_line(record) + "\n")
    else:
        for key in CHECK_KEYS[:-1]:
            click.echo(f"{key:14} {_shown(key, record)}", file=state.stdout)
    return ExitCode.OK


def _shown(key: str, record: dict[str, Any]) -> Any:
    value = record[key]
    if value is not None:
        return value
    unread = record["session_type"] is None and key in ("role", "privileges", "user_id")
    if unread or key in ("session_type", "valid_until", "expires_in"):
        return "(unknown: needs the admin secret)"
    return "(none)"


def _lists_entries(client: Client) -> bool:
    """Have the server accept the session with one read; return whether its role may list."""
    from kaltura_mm.errors import ServiceForbiddenError
    from kaltura_mm.models import Pager
    from kaltura_mm.services import base_entry

    try:
        client.call(base_entry.list(pager=Pager(page_size=1)))
    except ServiceForbiddenError:
        return False  # the KS was accepted (it is checked first); its role may not list
    return True


def _session(state: AppContext, config: Config, provider: KsProvider) -> dict[str, Any]:
    from kaltura_mm import ks as ks_format
    from kaltura_mm.app_token_ks import AppTokenKs

    record: dict[str, Any] = {"partner_id": config.partner_id, "app_token_id": None}
    if isinstance(provider, AppTokenKs) and provider.session is not None:
        info = provider.session
        record |= {
            "credential": "app_token",
            "app_token_id": provider.token_id,
            "session_type": info.session_type.name if info.session_type is not None else None,
            "user_id": info.user_id or "",
            "privileges": info.privileges,
            "valid_until": info.expiry,
        }
    else:
        secret = config.admin_secret or state.settings().admin_secret
        current = provider.current() or ""
        seen = ks_format.inspect(current, secret)
        record |= {
            "credential": "ks" if config.ks else "admin_secret",
            "partner_id": seen.partner_id,
            "session_type": seen.session_type.name if seen.session_type is not None else None,
            "user_id": seen.user_id,
            "privileges": seen.privileges,
            "valid_until": seen.valid_until,
        }
    until = record["valid_until"]
    record["expires_in"] = None if until is None else int(until - time.time())
    record["role"] = _role(record["privileges"])
    return record


def _role(privileges: str | None) -> str | None:
    roles = [
        item.partition(":")[2]
        for item in (privileges or "").split(",")
        if item.strip().startswith("setrole:")
    ]
    return ",".join(roles) or None


def _warnings(record: dict[str, Any]) -> list[str]:
    found = []
    if record["session_type"] == "ADMIN" and not record["role"]:
        found.append(ADMIN_WITHOUT_ROLE)
    if record["session_type"] is None:
        found.append(
            "the KS's fields cannot be read here (a v2 KS is encrypted with the admin secret): "
            "its type and role are unknown"
        )
    if not record["lists_entries"]:
        found.append("this session's role may not list entries (baseEntry.list)")
    return found
