"""``kaltura-mm ks generate`` and ``ks inspect``: make a KS locally, and read one back.

``ks generate`` is the only command that ever prints a KS. ``ks inspect`` prints what a KS says
(partner, type, user, privileges, expiry) and never the KS itself.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from kaltura_mm import ks as ks_format
from kaltura_mm.commands.context import app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.output import json_line
from kaltura_mm.models import SessionType

INSPECT_KEYS = (
    "version",
    "partner_id",
    "type",
    "user_id",
    "privileges",
    "valid_until",
    "expires_in",
    "verified",
)
_TYPES = {"admin": SessionType.ADMIN, "user": SessionType.USER}


@click.group("ks")
def ks_group() -> None:
    """Make and read Kaltura Sessions (KS)."""


@ks_group.command("generate")
@click.option(
    "--type", "session_type", type=click.Choice(sorted(_TYPES)), default="user", show_default=True
)
@click.option("--user", "user_id", default=None, help="User id (default: the configured one).")
@click.option("--privileges", default=None, help="e.g. 'list:*,edit:0_abc12345' or '*'.")
@click.option(
    "--expiry",
    type=click.IntRange(min=1),
    default=86400,
    show_default=True,
    help="Seconds until the KS expires.",
)
@click.option("--v1", "legacy", is_flag=True, help="Make a legacy v1 KS instead of v2.")
@common_options
@click.pass_context
def generate(
    ctx: click.Context,
    session_type: str,
    user_id: str | None,
    privileges: str | None,
    expiry: int,
    legacy: bool,
) -> None:
    """Make a KS from the admin secret, locally, and print it (the only command that does)."""
    state = app(ctx)
    settings = state.settings()
    if settings.partner_id is None:
        raise CliError("no partner id is configured", "set KALTURA_PARTNER_ID or pass --partner-id")
    make = ks_format.generate_v1 if legacy else ks_format.generate_v2
    user = user_id if user_id is not None else settings.user_id or ""
    now = time.time()
    value = make(
        settings.partner_id,
        state.admin_secret(),
        session_type=_TYPES[session_type],
        user_id=user,
        expiry=expiry,
        privileges=privileges,
        now=now,
    )
    if not state.json:
        click.echo(value, file=state.stdout)
        return
    record = {
        "ks": value,
        "partner_id": settings.partner_id,
        "type": session_type.upper(),
        "user_id": user,
        "privileges": privileges,
        "valid_until": int(now) + expiry,
    }
    state.stdout.write(json_line(record) + "\n")


@ks_group.command("inspect")
@click.argument("ks_value", metavar="[KS|-]", required=False)
@common_options
@click.pass_context
def inspect(ctx: click.Context, ks_value: str | None) -> None:
    """Show what a KS says (partner, type, user, privileges, expiry); never the KS itself.

    KS is the argument, ``-`` to read it from stdin, or else the configured KS. With the admin
    secret configured, the signature is checked and a v2 KS's fields are opened.
    """
    state = app(ctx)
    settings = state.settings()
    if ks_value == "-":
        ks_value = sys.stdin.readline().strip()
    ks_value = ks_value or settings.ks
    if not ks_value:
        raise CliError("no KS to inspect", "pass it, or `-` to read stdin, or set KALTURA_KS")
    info = ks_format.inspect(ks_value, settings.admin_secret)
    record = _inspect_record(info)
    if state.json:
        state.stdout.write(json_line(record) + "\n")
    else:
        for key in INSPECT_KEYS:
            click.echo(f"{key:12} {_shown(record[key])}", file=state.stdout)
    if info.verified is False:
        raise CliError(
            "the KS signature does not match the configured admin secret",
            "check that the KS belongs to this partner",
            ExitCode.AUTH,
        )


def _inspect_record(info: ks_format.KsInfo) -> dict[str, Any]:
    left = info.expires_in()
    return {
        "version": info.version,
        "partner_id": info.partner_id,
        "type": info.session_type.name if info.session_type is not None else None,
        "user_id": info.user_id,
        "privileges": info.privileges,
        "valid_until": info.valid_until,
        "expires_in": int(left) if left is not None else None,
        "verified": info.verified,
    }


def _shown(value: Any) -> str:
    if value is None:
        return "(unknown: needs the admin secret)"
    return str(value)
