"""A click group that imports a subcommand's module only when that subcommand is used.

Click's documented lazy-loading pattern ("Lazily Loading Subcommands" in click's Complex
Applications guide): the group knows each subcommand by name and import path, so
``kaltura-mm --version`` or ``kaltura-mm ks inspect`` does not pay for importing the uploader, the
rich tables or the whole sandbox server. ``--help`` lists every command with its short help, so it
imports them all; only that listing pays for it.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping
from typing import Any

import click


class LazyGroup(click.Group):
    """A group whose subcommands are ``name -> "package.module.attribute"`` import paths."""

    def __init__(self, *args: Any, lazy_subcommands: Mapping[str, str], **kwargs: Any) -> None:
        """Create the group; ``lazy_subcommands`` maps a command name to its import path."""
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = dict(lazy_subcommands)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return every command name, loaded or not, sorted as click lists them."""
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return the command ``cmd_name``, importing its module on first use."""
        if cmd_name in self.lazy_subcommands and cmd_name not in self.commands:
            self.add_command(self._load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

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
        module_name, _, attribute = self.lazy_subcommands[cmd_name].rpartition(".")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            # A wrong path in the table is a bug here, not the user's: say where it points.
            raise TypeError(f"{self.lazy_subcommands[cmd_name]} is not a click command")
        return command
