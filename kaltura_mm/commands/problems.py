"""Per-item failures of a batch (one entry not found among many), reported on stderr."""

from __future__ import annotations

import click

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.output import json_line
from kaltura_mm.commands.shell import visible


def report_item_failure(state: AppContext, item: str, kind: str, message: str) -> None:
    """Tell the user one item failed: a JSON line under --json, else a readable line."""
    if state.json:
        click.echo(json_line({"item": item, "error": kind, "message": message}), err=True)
    else:
        click.echo(visible(f"kaltura-mm: {item}: {message}"), err=True)
