"""``kaltura-mm auth apptoken create|list|revoke``: app tokens, made and revoked with the admin
secret, so that everything else can run without it (docs/least-privilege.md).

``create`` is the only command that prints a token, once (or writes it to a 0600 profile with
``--write-profile`` and prints only its id); ``list`` never shows tokens.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import click

from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.credentials import admin_client
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError
from kaltura_mm.commands.output import Format, json_line
from kaltura_mm.commands.params import Duration, Timestamp

if TYPE_CHECKING:
    from kaltura_mm.client import Client
    from kaltura_mm.models import AppToken

LIST_KEYS = (
    "id",
    "status",
    "description",
    "session_type",
    "session_user_id",
    "role",
    "session_privileges",
    "hash_type",
    "expiry",
    "session_duration",
    "created_at",
)
LIST_TABLE = ("id", "status", "session_type", "role", "description", "expiry")
_HASHES = ("md5", "sha1", "sha256", "sha512")
_TYPES = ("user", "admin")


@click.group("apptoken")
def apptoken_group() -> None:
    """Make, list and revoke app tokens (these commands use the admin secret)."""


def _role_id(client: Client, role: str) -> int:
    """Return the id of the role named (by id, name or system name), or refuse it."""
    from kaltura_mm.errors import ApiError
    from kaltura_mm.models import UserRoleFilter
    from kaltura_mm.services import user_role

    if role.strip().isdigit():
        try:
            found = client.call(user_role.get(int(role)))
        except ApiError as exc:
            if exc.code != "INVALID_OBJECT_ID":
                raise
        else:
            if found.id is not None:
                return found.id
    else:
        name = role.strip()
        for chosen in (UserRoleFilter(name_equal=name), UserRoleFilter(system_name_equal=name)):
            page = client.call(user_role.list(chosen))
            if page.objects and page.objects[0].id is not None:
                return page.objects[0].id
    raise CliError(
        f"no role {role!r} on this partner",
        "create it first (docs/least-privilege.md has the `userRole.add` step), "
        "or name an existing role by id or name",
        ExitCode.NOT_FOUND,
    )


@apptoken_group.command("create")
@click.option(
    "--hash",
    "hash_name",
    type=click.Choice(_HASHES),
    default="sha256",
    show_default=True,
    help="How sessions prove they hold the token.",
)
@click.option("--role", metavar="ID|NAME", help="Sessions take this role (setrole:<id>).")
@click.option("--privileges", help="More session privileges, e.g. 'privacycontext:MediaSpace'.")
@click.option(
    "--type",
    "session_type",
    type=click.Choice(_TYPES),
    help="Session type [default: admin with --role (the role limits it), else user].",
)
@click.option("--user-id", "user_id", help="Sessions act as this user.")
@click.option(
    "--expiry", metavar="DURATION|TIME", help="The token stops working: 90d, 3600 (s), or a date."
)
@click.option(
    "--session-duration", type=Duration(), metavar="DURATION", help="Longest session: 12h."
)
@click.option("--description", help="What the token is for (shown by `list`).")
@click.option(
    "--write-profile",
    metavar="NAME",
    help="Write the token to this profile of the config file (0600) instead of printing it.",
)
@common_options
@click.pass_context
def create(
    ctx: click.Context,
    hash_name: str,
    role: str | None,
    privileges: str | None,
    session_type: str | None,
    user_id: str | None,
    expiry: str | None,
    session_duration: int | None,
    description: str | None,
    write_profile: str | None,
) -> int:
    """Make an app token and print its id and token, once (the admin secret is used here only)."""
    from kaltura_mm.enums import SessionType
    from kaltura_mm.models import AppTokenParams
    from kaltura_mm.services import app_token

    state = app(ctx)
    if write_profile:
        from kaltura_mm.commands import profiles
        from kaltura_mm.commands.profile_file import check_target

        check_target(profiles.config_path(state.env), write_profile)
    client = admin_client(state)
    wanted = [f"setrole:{_role_id(client, role)}"] if role else []
    wanted += [p.strip() for p in (privileges or "").split(",") if p.strip()]
    kind = session_type or ("admin" if role else "user")
    token = AppTokenParams(
        hash_type=hash_name.upper(),
        session_type=SessionType.ADMIN if kind == "admin" else SessionType.USER,
        session_user_id=user_id or None,
        session_privileges=",".join(wanted) or None,
        expiry=_expiry(expiry, ctx),
        session_duration=session_duration,
        description=description,
    )
    made = client.call(app_token.add(token))
    if kind == "admin" and not role:
        state.notice("warning", _ADMIN_WITHOUT_ROLE)
    if write_profile:
        return _write(state, write_profile, made)
    return _print(state, made)


_ADMIN_WITHOUT_ROLE = (
    "this token makes ADMIN sessions without setrole: they may do anything the admin secret can; "
    "give it --role (docs/least-privilege.md)"
)


def _expiry(value: str | None, ctx: click.Context) -> int | None:
    """Return the token's end in Unix seconds: ``90d`` (or a number of seconds below 10^9) from
    now, or a date, date-time or Unix time."""
    if value is None:
        return None
    text = value.strip()
    spans = text[:1].isdigit() and text[-1:].lower() in "smhdw"
    if spans or (text.isdigit() and int(text) < 10**9):
        return int(time.time()) + Duration().convert(text, None, ctx)
    return Timestamp().convert(text, None, ctx)


def token_record(token: AppToken) -> dict[str, Any]:
    """Return what ``list`` shows of a token (never the token itself)."""
    privileges = token.session_privileges or ""
    roles = [p.partition(":")[2] for p in privileges.split(",") if p.startswith("setrole:")]
    return {
        "id": token.id,
        "status": token.status.name if token.status is not None else None,
        "description": token.description,
        "session_type": token.session_type.name if token.session_type is not None else None,
        "session_user_id": token.session_user_id,
        "role": ",".join(roles) or None,
        "session_privileges": token.session_privileges,
        "hash_type": token.hash_type,
        "expiry": token.expiry,
        "session_duration": token.session_duration,
        "created_at": token.created_at,
    }


def _print(state: AppContext, made: AppToken) -> int:
    record = token_record(made) | {"token": made.token}
    if state.json:
        state.stdout.write(json_line(record) + "\n")
    else:
        click.echo(f"id     {made.id}", file=state.stdout)
        click.echo(f"token  {made.token}", file=state.stdout)
        click.echo(f"hash   {(made.hash_type or '').lower()}", file=state.stdout)
        state.say(
            "Shown once: keep the token as a secret (KALTURA_APP_TOKEN_ID, KALTURA_APP_TOKEN, "
            "KALTURA_APP_TOKEN_HASH), or create the next one with --write-profile NAME."
        )
    return ExitCode.OK


def _write(state: AppContext, name: str, made: AppToken) -> int:
    from kaltura_mm.commands import profiles
    from kaltura_mm.commands.profile_file import add_profile

    settings = state.settings()
    path = profiles.config_path(state.env)
    values: dict[str, str | int | None] = {
        "service_url": settings.service_url,
        "region": None if settings.service_url else settings.region,
        "partner_id": settings.partner_id,
        "app_token_id": made.id,
        "app_token": made.token,
        "app_token_hash": (made.hash_type or "SHA256").lower(),
    }
    add_profile(path, name, values)
    record = token_record(made) | {"profile": name, "config_file": str(path)}
    if state.json:
        state.stdout.write(json_line(record) + "\n")
    else:
        click.echo(f"id     {made.id}", file=state.stdout)
        state.say(f"The token is in profile {name} of {path} (mode 0600): use --profile {name}.")
    return ExitCode.OK


@apptoken_group.command("list")
@click.option(
    "--all", "every", is_flag=True, help="Also disabled tokens (revoked ones are never listed)."
)
@click.option("--format", "fmt", type=click.Choice([f.value for f in Format]), default="table")
@common_options
@click.pass_context
def list_command(ctx: click.Context, every: bool, fmt: str) -> int:
    """List the partner's app tokens (active ones unless --all); never the tokens themselves.

    A revoked token is never listed: the server leaves deleted tokens out of every list.
    """
    from kaltura_mm.enums import AppTokenStatus
    from kaltura_mm.models import AppTokenFilter, Pager
    from kaltura_mm.services import app_token

    state = app(ctx)
    client = admin_client(state)
    chosen = None if every else AppTokenFilter(status_equal=AppTokenStatus.ACTIVE)
    writer = state.writer(LIST_KEYS, Format(fmt), table_keys=LIST_TABLE)
    index = 1
    while True:
        page = client.call(app_token.list(chosen, Pager(page_size=500, page_index=index)))
        for token in page.objects:
            writer.write(token_record(token))
        if len(page.objects) < 500:
            break
        index += 1
    writer.close()
    return ExitCode.OK


@apptoken_group.command("revoke")
@click.argument("token_id", metavar="ID")
@common_options
@click.pass_context
def revoke(ctx: click.Context, token_id: str) -> int:
    """Revoke an app token: it starts no more sessions, and those it started stop working."""
    from kaltura_mm.errors import AppTokenError
    from kaltura_mm.services import app_token

    state = app(ctx)
    client = admin_client(state)
    try:
        client.call(app_token.delete(token_id))
    except AppTokenError as exc:
        raise CliError(
            f"no active app token {token_id!r} on partner {state.settings().partner_id} "
            "(revoked already, or a wrong id)",
            "`kaltura-mm auth apptoken list --all` shows every token not revoked",
            ExitCode.AUTH,
        ) from exc
    record = {"id": token_id, "status": "revoked"}
    if state.json:
        state.stdout.write(json_line(record) + "\n")
    else:
        click.echo(f"revoked {token_id}", file=state.stdout)
    return ExitCode.OK
