"""``kaltura-mm auth role create NAME --preset reader|uploader|manager``: the least-privilege
role an app token's sessions take (``setrole``), made once with the admin secret."""

from __future__ import annotations

import click

from kaltura_mm.commands.context import app, common_options
from kaltura_mm.commands.credentials import admin_client
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.output import json_line
from kaltura_mm.services.user_role import ROLE_PRESETS


@click.group("role")
def role_group() -> None:
    """Make the roles app tokens give their sessions (uses the admin secret)."""


@role_group.command("create")
@click.argument("name")
@click.option("--preset", type=click.Choice(sorted(ROLE_PRESETS)), help="kaltura-mm's sets.")
@click.option("--permissions", help="Comma-separated permission names (instead of --preset).")
@click.option("--description", help="What the role is for.")
@common_options
@click.pass_context
def create(
    ctx: click.Context,
    name: str,
    preset: str | None,
    permissions: str | None,
    description: str | None,
) -> int:
    """Make a role with a preset's permissions (docs/least-privilege.md) or your own."""
    from kaltura_mm.enums import UserRoleStatus
    from kaltura_mm.models import UserRoleParams
    from kaltura_mm.services import user_role

    if bool(preset) == bool(permissions):
        raise CliError("give either --preset or --permissions", "e.g. --preset uploader")
    names = ROLE_PRESETS[preset] if preset else tuple((permissions or "").split(","))
    state = app(ctx)
    role = UserRoleParams(
        name=name,
        system_name=name,
        description=description or f"kaltura-mm {preset or 'custom'} role",
        status=UserRoleStatus.ACTIVE,
        permission_names=",".join(n.strip() for n in names if n.strip()),
    )
    made = admin_client(state).call(user_role.add(role))
    record = {"id": made.id, "name": made.name, "permission_names": made.permission_names}
    if state.json:
        state.stdout.write(json_line(record) + "\n")
    else:
        click.echo(f"role {made.id} {made.name}: {made.permission_names}", file=state.stdout)
        state.say(f"Give it to a token: kaltura-mm auth apptoken create --role {made.id}")
    return ExitCode.OK
