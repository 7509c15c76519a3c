"""``kaltura-mm restore ENTRY_ID... | --from-file FILE``: bring entries back from the recycle bin.

A ``sync --prune delete`` sends the entries it prunes to the account's recycle bin (where the
account has one, ``FEATURE_RECYCLE_BIN``); the account deletes them for good after its retention
period (30 days unless set shorter). ``restore`` brings them back, with their category links
(the server keeps those while an entry is in the bin). An entry not in the bin (live) counts as
``already_done``, so a re-run is safe; an id the server does not know fails "not found" (exit 5).
Exit codes as every batch command: 0 all restored, 3 some failed, else the failures' kind.
"""

from __future__ import annotations

from typing import Any

import click

from kaltura_mm.commands.browse import FORMAT
from kaltura_mm.commands.context import app, common_options
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.id_lists import read_ids
from kaltura_mm.commands.output import Format
from kaltura_mm.flows.batch import EntryOutcome
from kaltura_mm.flows.recycle_bin import restore_entries

OUTCOME_KEYS = ("entry_id", "action", "status", "error", "message")


def _record(outcome: EntryOutcome) -> dict[str, Any]:
    failure = describe(outcome.error) if outcome.error is not None else None
    note = "not in the recycle bin (live)" if outcome.status == "already_done" else None
    return {
        "entry_id": outcome.entry_id,
        "action": "restore",
        "status": outcome.status,
        "error": getattr(outcome.error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else note,
    }


@click.command("restore")
@click.argument("entry_ids", nargs=-1, metavar="ENTRY_ID...")
@click.option(
    "--from-file",
    metavar="FILE|-",
    help="Read the ids from a file (or - for stdin): one a line, or kaltura-mm's JSON/CSV.",
)
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@common_options
@click.pass_context
def restore_command(
    ctx: click.Context, /, entry_ids: tuple[str, ...], from_file: str | None, fmt: str
) -> int:
    """Bring entries back from the recycle bin (where `sync --prune delete` put them)."""
    state = app(ctx)
    ids = list(entry_ids) + (read_ids(from_file) if from_file is not None else [])
    ids = [i.strip() for i in dict.fromkeys(ids) if i.strip()]
    if not ids:
        raise CliError("no entries named", "pass ENTRY_ID... or --from-file FILE (one id a line)")
    writer = state.writer(OUTCOME_KEYS, Format(fmt), actions=True)
    outcomes = state.client().run(restore_entries(ids))
    for outcome in outcomes:
        writer.write(_record(outcome))
    writer.close()
    failed = [o for o in outcomes if not o.ok]
    back = sum(o.status == "done" for o in outcomes)
    state.say(
        f"restore: {back} restored, {len(outcomes) - back - len(failed)} already live, "
        f"{len(failed)} failed"
    )
    kinds = [describe(o.error).code if o.error else ExitCode.FAILED for o in failed]
    return for_items(len(outcomes) - len(failed), kinds)
