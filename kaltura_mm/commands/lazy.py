"""A click group that imports a subcommand's module only when that subcommand is used.

Click's documented lazy-loading pattern ("Lazily Loading Subcommands" in click's Complex
Applications guide): the group knows each subcommand by name and import path, so
``kaltura-mm --version`` or ``kaltura-mm ks inspect`` does not pay for importing the uploader, the
rich tables or the whole sandbox server. ``--help`` lists every command with the summary the table
holds beside its path, so it imports none of them (tests/cli/test_startup.py checks each summary
against its command's own help).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import click

from kaltura_mm.lazy_import import load


class Listed(NamedTuple):
    """A command as the group lists it before loading it."""

    path: str
    """Where the command is: ``"package.module.attribute"``."""
    summary: str
    """The first paragraph of the command's help, which ``--help`` shortens to fit."""


class LazyGroup(click.Group):
    """A group whose subcommands are ``name -> Listed(path, summary)``, loaded on first use."""

    def __init__(self, *args: Any, lazy_subcommands: Mapping[str, Listed], **kwargs: Any) -> None:
        """Create the group; ``lazy_subcommands`` maps a command name to where it is."""
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands)
        self.after_load: Callable[[], None] | None = None  # runs once a command is imported

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command name, loaded or not, sorted as click lists them."""
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command ``cmd_name``, importing its module on first use."""
        if cmd_name in self.lazy_subcommands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
            if self.after_load is not None:
                self.after_load()
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List every command with its summary, shortened as click would, importing none."""
        # A stand-in command per summary: click's own rule shortens it to fit the terminal.
        shown: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            listed = self.lazy_subcommands.get(name)
            command = (
                click.Command(name, help=listed.summary) if listed else self.get_command(ctx, name)
            )
            if command is not None and not command.hidden:
                shown.append((name, command))
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(name, c.get_short_help_str(limit)) for name, c in shown])

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve ``args[0]`` to a command; a near miss names the command meant."""
        name = click.utils.make_str(args[0]) if args else ""
        if args and self.get_command(ctx, name) is None and not name.startswith("-"):
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=2, cutoff=0.6)
            if close:
                meant = " or ".join(f"'{c}'" for c in close)
                ctx.fail(f"No such command '{name}'. Did you mean {meant}?")
        return super().resolve_command(ctx, args)

    def _load(self, cmd_name: str) -> click.Command:
        path = self.lazy_subcommands[cmd_name].path
        command = load(path)
        if not isinstance(command, click.Command):
            # A wrong path in the table is a bug here, not the user's: say where it points.
            raise TypeError(f"{path} is not a click command")
        return command
