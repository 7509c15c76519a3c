"""``kaltura-mm config show`` and ``config path``: where settings come from (secrets hidden)."""

from __future__ import annotations

import click

from kaltura_mm.commands import profiles
from kaltura_mm.commands.context import app, common_options
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.output import json_line

SHOW_KEYS = (
    "service_url",
    "region",
    "partner_id",
    "user_id",
    "admin_secret",
    "ks",
    "app_token_id",
    "app_token",
    "app_token_hash",
)


@click.group("config")
def config_group() -> None:
    """Show the settings in effect and the config file's location."""


@config_group.command("show")
@common_options
@click.pass_context
def show(ctx: click.Context) -> int:
    """Show each setting in effect and where it came from (secrets show as set / not set)."""
    state = app(ctx)
    settings = state.settings()
    record: dict[str, object] = {"profile": settings.profile}
    for key in SHOW_KEYS:
        value = getattr(settings, key)
        if key in profiles.SECRET_KEYS:
            value = "<set>" if value else None
        record[key] = value
        record[f"{key}_from"] = settings.sources.get(key)
    if state.json:
        state.stdout.write(json_line(record) + "\n")
        return ExitCode.OK
    click.echo(f"{'profile':13} {settings.profile or '(none)'}", file=state.stdout)
    for key in SHOW_KEYS:
        value, source = record[key], record[f"{key}_from"]
        where = f"  (from {source})" if source else ""
        click.echo(f"{key:13} {'(not set)' if value is None else value}{where}", file=state.stdout)
    return ExitCode.OK


@config_group.command("path")
@common_options
@click.pass_context
def path(ctx: click.Context) -> int:
    """Print the config file's path (``$KALTURA_MM_CONFIG`` or the platform's config dir)."""
    state = app(ctx)
    click.echo(str(profiles.config_path(state.env)), file=state.stdout)
    return ExitCode.OK
