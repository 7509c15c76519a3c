"""The state one ``kaltura-mm`` run shares between its commands: options, settings, output.

The click group stores an ``AppContext`` in ``ctx.obj``; commands ask it for the resolved
``Settings``, a ``Config``, a result writer in the chosen format, and the console for messages.
Settings are resolved lazily, so ``--help`` and ``ks inspect`` work without any configuration.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

import attrs
import click

from kaltura_mm.commands.exit_codes import ExitCode

# Imported where they are used: every run builds an AppContext, and `kaltura-mm --version` or a
# usage error should not pay for the client, the models, rich or the error chain (~65 ms).
if TYPE_CHECKING:
    from rich.console import Console

    from kaltura_mm.budget.protocol import Budget
    from kaltura_mm.client import Client
    from kaltura_mm.commands import profiles
    from kaltura_mm.commands.output import Format, ResultWriter
    from kaltura_mm.config import Config
    from kaltura_mm.store.store import Target


def _environment() -> dict[str, str]:
    return dict(os.environ)


@attrs.define
class AppContext:
    """Global options of the run and what is derived from them."""

    flags: Mapping[str, Any] = attrs.field(factory=dict)
    profile: str | None = None
    json: bool = False
    quiet: bool = False
    verbose: bool = False
    sandbox: bool = False
    timeout: float | None = None
    retries: int | None = None
    patience: float | None = None
    shared_budget: bool | None = None  # --shared-budget/--no-shared-budget (kaltura_mm.budget)
    max_answer: int | None = None
    env: Mapping[str, str] = attrs.field(factory=_environment)
    stdout: IO[str] = attrs.field(factory=lambda: sys.stdout)
    stderr: IO[str] = attrs.field(factory=lambda: sys.stderr)
    config_overrides: dict[str, Any] = attrs.field(factory=dict)
    argv: list[str] = attrs.field(factory=lambda: sys.argv[1:])
    _settings: profiles.ConnectionSettings | None = None
    _client: Client | None = None

    @property
    def console(self) -> Console:
        """Return the console for human messages (stderr, so stdout stays results only)."""
        from rich.console import Console

        return Console(file=self.stderr, quiet=self.quiet or self.json, highlight=False)

    def enable_verbose(self, ctx: click.Context) -> None:
        """Turn on redacted debug logs for the rest of the run."""
        if not self.verbose:
            from kaltura_mm.commands.logs import setup_logging, teardown_logging

            self.verbose = True
            handler = setup_logging(lambda: self.secrets)
            ctx.call_on_close(lambda: teardown_logging(handler))

    def say(self, message: str) -> None:
        """Tell the user something (stderr; silent under --quiet and --json).

        Never wrapped (a command in it must stay pasteable), never read as markup (a file name
        with brackets stays as it is), control characters escaped.
        """
        from kaltura_mm.commands.shell import visible

        lines = (visible(line) for line in message.split("\n"))
        self.console.print("\n".join(lines), markup=False, soft_wrap=True)

    def notice(self, kind: str, message: str, **fields: Any) -> None:
        """Tell the user something they should not miss: a JSON line under --json, else a line.

        Silent only under --quiet. ``kind`` names the notice for scripts (``more``, ``note``).
        """
        if self.quiet:
            return
        from kaltura_mm.commands.shell import visible

        if self.json:
            from kaltura_mm.commands.output import json_line

            record = {"notice": kind, "message": message, **fields}
            self.stderr.write(json_line(record) + "\n")
        else:
            self.stderr.write(f"kaltura-mm: {kind}: {visible(message)}\n")
        self.stderr.flush()

    def command(self) -> list[str]:
        """Return the command line of this run, as the user typed it (to print it back)."""
        return ["kaltura-mm", *self.argv]

    def settings(self) -> profiles.ConnectionSettings:
        """Return the settings of this run: flags > env > profile (or the local sandbox)."""
        if self._settings is None:
            from kaltura_mm.commands import profiles

            if self.sandbox:
                from kaltura_mm.commands.local_sandbox import sandbox_settings

                self._settings = sandbox_settings(self.env)
            else:
                self._settings = profiles.resolve(self.flags, self.env, self.profile)
        return self._settings

    def target(self) -> Target:
        """Return the server and partner this run talks to (the key of its saved state)."""
        from kaltura_mm.store.store import Target

        settings = self.settings()
        return Target(settings.service_url or settings.region or "", settings.partner_id)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Return the secrets known so far, to redact from anything shown."""
        return self._settings.secrets if self._settings else ()

    def admin_secret(self) -> str:
        """Return the admin secret from the settings, or prompt for it on a terminal."""
        settings = self.settings()
        if settings.admin_secret:
            return settings.admin_secret
        if sys.stdin.isatty() and not self.json:
            secret = str(click.prompt("Kaltura admin secret", hide_input=True, err=True))
            self._settings = attrs.evolve(settings, admin_secret=secret)
            return secret
        from kaltura_mm.commands.failures import CliError

        raise CliError(
            "this needs the admin secret and none is configured",
            "set KALTURA_ADMIN_SECRET or add admin_secret to a 0600 profile",
            ExitCode.AUTH,
        )

    def config(self, **overrides: Any) -> Config:
        """Return the client Config of this run; ask for the admin secret if nothing else."""
        from kaltura_mm.commands.failures import CliError
        from kaltura_mm.config import Config

        settings = self.settings()
        if settings.app_token_id or settings.app_token:
            from kaltura_mm.commands.credentials import app_token_values

            values = app_token_values(settings)
        else:
            values = self._secret_or_ks()
            settings = self.settings()
        server = settings.service_url or settings.region
        if server:
            values["service_url"] = server
        if settings.partner_id is None and not settings.ks:
            raise CliError(
                "no partner id is configured",
                "set KALTURA_PARTNER_ID, pass --partner-id, or add partner_id to your profile",
            )
        values.update(self.network())
        return Config(**values, **overrides)

    def _secret_or_ks(self) -> dict[str, Any]:
        """Return the Config fields of an admin secret or a KS (asking for the secret if none)."""
        from kaltura_mm.commands.failures import CliError

        settings = self.settings()
        if not settings.ks and not settings.admin_secret:
            if not sys.stdin.isatty() or self.json:
                raise CliError(
                    "no credentials: neither an admin secret, an app token nor a KS is configured",
                    "set KALTURA_APP_TOKEN_ID and KALTURA_APP_TOKEN (least privilege), or "
                    "KALTURA_ADMIN_SECRET (or KALTURA_KS), or add them to a 0600 profile, or "
                    "try everything locally with --sandbox",
                    ExitCode.AUTH,
                )
            self.admin_secret()
            settings = self.settings()
        return {
            "partner_id": settings.partner_id,
            "ks": settings.ks,
            "admin_secret": None if settings.ks else settings.admin_secret,
            "user_id": settings.user_id or "",
        }

    def network(self) -> dict[str, Any]:
        """Return the Config fields ``--timeout``, ``--retries``, ``--patience`` and
        ``--max-answer`` set."""
        from kaltura_mm.config import RetryPolicy, Timeouts

        chosen: dict[str, Any] = {}
        if self.timeout is not None:
            wait = self.timeout
            chosen["timeouts"] = Timeouts(
                connect=wait, read=wait, write=wait, pool=wait, answer=wait
            )
        policy: dict[str, Any] = {}
        if self.retries is not None:
            # As often as it says: blocked calls and reading flows' patience included.
            sends = self.retries + 1
            policy.update(attempts=sends, throttled_attempts=sends, patience_rounds=1)
        if self.patience is not None:
            policy["patience"] = self.patience
        if policy:
            chosen["retry"] = RetryPolicy(**policy)
        if self.max_answer is not None:
            chosen["max_answer_bytes"] = self.max_answer
        return chosen

    def budget(self) -> bool | Budget | None:
        """Return the run's choice of rate budget for its clients: ``--store postgresql://...``
        carries the shared budget to that store, as ``KALTURA_MM_STORE`` does (every machine
        pointed there shares it); otherwise the flag's choice (None: the environment's)."""
        from kaltura_mm.commands.store_option import chosen_store
        from kaltura_mm.store.postgres import is_postgres_url

        where = chosen_store()
        if self.shared_budget is False or where is None or not is_postgres_url(where):
            return self.shared_budget
        from kaltura_mm.budget.where import STORE_ENV, budget_from_env

        env = {**self.env, STORE_ENV: where}
        return budget_from_env(env, asked=bool(self.shared_budget)) or False

    def client(self) -> Client:
        """Return this run's client (made on first use, closed when the command ends)."""
        if self._client is None:
            from kaltura_mm.client import Client

            self._client = Client(self.config(**self.config_overrides), shared_budget=self.budget())
            click.get_current_context().call_on_close(self._client.close)
        return self._client

    def writer(
        self,
        keys: Sequence[str],
        fmt: Format | None = None,
        table_keys: Sequence[str] | None = None,
        title: str | None = None,
        actions: bool = False,
    ) -> ResultWriter:
        """Return a writer for results: JSON lines under --json, else ``fmt`` (a table).

        ``actions``: the results report what a batch did (upload, delete...): under --quiet
        their table is not printed, only each failure as a line on stderr (JSON lines and CSV
        are printed whole, and ``--report`` files are written).
        """
        from kaltura_mm.commands.output import FailuresOnly, Format, ResultWriter

        chosen = Format.JSONL if self.json else (fmt or Format.TABLE)
        if actions and self.quiet and chosen is Format.TABLE:
            return FailuresOnly(keys, self.stderr)  # -q: the failures, and nothing else
        return ResultWriter(chosen, keys, self.stdout, table_keys=table_keys, title=title)


def app(ctx: click.Context) -> AppContext:
    """Return the run's ``AppContext`` from a click context."""
    obj = ctx.find_object(AppContext)
    if obj is None:  # a command invoked outside the group (only in tests)
        obj = ctx.ensure_object(AppContext)
    return obj


_COMMON = (
    click.option("--json", "json_", is_flag=True, default=None, help="One JSON object per line."),
    click.option("-q", "--quiet", is_flag=True, default=None, help="Results only, no progress."),
    click.option("-v", "--verbose", is_flag=True, default=None, help="Debug logs (redacted)."),
    click.option("--sandbox", is_flag=True, default=None, help="Use the local sandbox."),
    click.option("--profile", metavar="NAME", default=None, help="Config-file profile."),
)


lock_wait_option = click.option(
    "--lock-wait",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="SECONDS",
    help="Wait this long for another run using the same state directory [default: 0, exit 7].",
)


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Accept the global output/target options after the command name too (``list --json``)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        state = app(ctx)
        for name in ("json_", "quiet", "sandbox"):
            if kwargs.pop(name):
                setattr(state, name.rstrip("_"), True)
        if kwargs.pop("verbose"):
            state.enable_verbose(ctx)
        profile = kwargs.pop("profile")
        if profile:
            state.profile = profile
        return command(*args, **kwargs)

    for option in reversed(_COMMON):
        wrapper = option(wrapper)
    return wrapper
