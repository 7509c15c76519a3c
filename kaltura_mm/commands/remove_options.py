"""The options ``detach``, ``delete`` and ``move`` share, and how they split into a request.

``remove_options`` adds the ids (``ENTRY_ID...``, ``--from-file``, ``--where`` with the listing
filters), ``--dry-run``, ``--yes``, the output and report, ``--shard``, ``--workers``/``--job``
and ``--store``; ``request_of`` splits a command's options into the request and the filters.
"""

from __future__ import annotations

from typing import Any

import click

from kaltura_mm.commands.browse import FORMAT, query_options
from kaltura_mm.commands.job_options import job_options
from kaltura_mm.commands.report_file import report_option
from kaltura_mm.commands.shard import shard_option
from kaltura_mm.commands.store_option import store_option

_REQUEST_KEYS = (
    "entry_ids",
    "from_file",
    "where",
    "dry_run",
    "yes",
    "fmt",
    "report",
    "missing_ok",
    "target",
    "shard",
    "workers",
    "job_id",
    "lease",
    "job_worker",
)


def request_of(options: dict[str, Any]) -> dict[str, Any]:
    """Split a command's options into the request and the entry filters of ``--where``."""
    request = {k: options.pop(k) for k in _REQUEST_KEYS if k in options}
    return {**request, "filters": options}


def remove_options(command: Any) -> Any:
    """Add the options ``detach``, ``delete`` and ``move`` share to ``command``."""
    options = (
        click.argument("entry_ids", nargs=-1, metavar="[ENTRY_ID]..."),
        click.option(
            "--from-file",
            type=click.Path(dir_okay=False, allow_dash=True),
            metavar="FILE|-",
            help="Entry ids: one per line, kaltura-mm's CSV or JSON lines; - reads stdin.",
        ),
        click.option("--where", is_flag=True, help="Act on every entry the filters match."),
        click.option("--dry-run", is_flag=True, help="Show what would change; change nothing."),
        click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation."),
        click.option("--format", "fmt", type=FORMAT, default="table", show_default=True),
        report_option,
        shard_option,
        job_options,
        store_option,
    )
    for option in reversed(options):
        command = option(command)
    return query_options(command)
