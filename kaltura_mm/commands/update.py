"""``kaltura-mm update``: edit entries' metadata, by id with flags or in bulk from a file.

Every entry is read first (``getByIds``, 500 an item); only the fields given that differ from
what the server holds are sent, in the batch engine's paced multiRequests; an entry with nothing
to change is ``already_done``. ``--dry-run`` shows each change as before -> after and sends
nothing. ``--from-file`` reads CSV (with a header) or JSON lines, the forms kaltura-mm writes
(``list --format csv``, ``list --json``): an ``id`` (or ``entry_id``) column and any of ``name``,
``description``, ``tags``, ``add_tags``, ``remove_tags``, ``reference_id``, ``admin_tags``,
``partner_data`` (camelCase works too). A column present with an empty value clears the field;
the read-only columns ``list`` writes are ignored.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from kaltura_mm.commands.browse import FORMAT
from kaltura_mm.commands.context import AppContext, app, common_options
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.job_options import job_options
from kaltura_mm.commands.job_run import JobRun
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.report_file import ReportFile, empty_report, report_option
from kaltura_mm.commands.shard import pick, shard_option
from kaltura_mm.commands.store_option import store_option
from kaltura_mm.commands.update_job import run_update_job
from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.edits import EditOutcome, EntryEdit, update_entries
from kaltura_mm.shard import Shard
from kaltura_mm.tables import check_cell, csv_rows, plain_cell

KEYS = ("entry_id", "action", "status", "changes", "error", "message")
_EDITABLE = {
    "name": "name",
    "description": "description",
    "tags": "tags",
    "addtags": "add_tags",
    "removetags": "remove_tags",
    "referenceid": "reference_id",
    "admintags": "admin_tags",
    "partnerdata": "partner_data",
}
_ID = ("id", "entryid")
# What `list` writes that cannot be edited here: read past, so its output can be fed back.
_READ_ONLY = {
    "type",
    "mediatype",
    "status",
    "categoriesids",
    "userid",
    "duration",
    "createdat",
    "updatedat",
}


def _column(name: str) -> str:
    return name.strip().replace("_", "").lower()


def _text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"--from-file {source}: cannot read it ({exc})", "check the path") from None


def _rows(source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    text = _text(source)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                try:
                    row = dict(json.loads(line))
                except (ValueError, TypeError):
                    raise CliError(
                        f"--from-file {source}, line {number}: not a JSON object",
                        "pass JSON lines such as `kaltura-mm list --json` writes",
                    ) from None
                for value in row.values():
                    check_cell(value, f"--from-file {_where(source)}:{number}")
                yield number, row
        return
    for number, row in csv_rows(io.StringIO(text, newline=""), f"--from-file {_where(source)}"):
        yield number, {k: plain_cell(v) for k, v in row.items()}  # as kaltura-mm wrote them


def _where(source: str) -> str:
    return "stdin" if source == "-" else source


def edits_from_file(source: str) -> list[EntryEdit]:
    """Return one edit per row of ``source`` (a path, or ``-`` for stdin)."""
    edits = []
    for number, row in _rows(source):
        columns = {_column(k): v for k, v in row.items()}
        unknown = sorted(set(columns) - set(_EDITABLE) - set(_ID) - _READ_ONLY)
        if unknown:
            raise CliError(
                f"--from-file {source}, line {number}: unknown columns {', '.join(unknown)}",
                f"use id and any of {', '.join(sorted(set(_EDITABLE.values())))}",
            )
        entry_id = next((str(columns[k]).strip() for k in _ID if columns.get(k)), "")
        if not entry_id:
            raise CliError(f"--from-file {source}, line {number}: no id", "fill in the id column")
        fields = {_EDITABLE[k]: _cell(v) for k, v in columns.items() if k in _EDITABLE}
        edits.append(_edit(entry_id, fields, f"--from-file {source}, line {number}"))
    return edits


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return "" if value is None else str(value)


def _edit(entry_id: str, fields: Mapping[str, str | None], where: str) -> EntryEdit:
    try:
        return EntryEdit(entry_id=entry_id, **{k: v for k, v in fields.items() if v is not None})
    except ConfigError as exc:
        said = str(exc).removeprefix(f"entry {entry_id}: ")  # named once, by ``where``
        raise CliError(f"{where}: {said}", "fix the value") from None


def _changes(outcome: EditOutcome, structured: bool) -> Any:
    pairs = {k: [outcome.before.get(k), outcome.after.get(k)] for k in outcome.after}
    if structured:
        return pairs or None
    return "; ".join(f"{k}: {_shown(b)} -> {_shown(a)}" for k, (b, a) in pairs.items()) or None


def _shown(value: str | None) -> str:
    """Return a value as a person reads it: quoted, or ``(empty)`` (never a Python repr)."""
    return f'"{value}"' if value else "(empty)"


def edit_record(outcome: EditOutcome, structured: bool) -> dict[str, Any]:
    failure = describe(outcome.error) if outcome.error is not None else None
    return {
        "entry_id": outcome.entry_id,
        "action": "update",
        "status": outcome.status,
        "changes": _changes(outcome, structured),
        "error": getattr(outcome.error, "code", failure.kind if failure else None),
        "message": failure.problem if failure else None,
    }


@click.command("update")
@click.argument("entry_ids", nargs=-1, metavar="[ENTRY_ID]...")
@click.option("--name", help="New name.")
@click.option("--description", help="New description ('' clears it).")
@click.option("--tags", help="New tags, comma-separated ('' clears them).")
@click.option("--add-tags", help="Tags to add, comma-separated.")
@click.option("--remove-tags", help="Tags to remove, comma-separated.")
@click.option("--reference-id", help="New referenceId ('' clears it).")
@click.option(
    "--from-file",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="FILE|-",
    help="Edits: CSV with a header or JSON lines, an id and the fields per row; - reads stdin.",
)
@click.option("--dry-run", is_flag=True, help="Show each change as before -> after; send nothing.")
@click.option("--format", "fmt", type=FORMAT, default="table", show_default=True)
@report_option
@shard_option
@job_options
@store_option
@common_options
@click.pass_context
def update_command(
    ctx: click.Context,
    /,
    entry_ids: tuple[str, ...],
    from_file: str | None,
    dry_run: bool,
    fmt: str,
    report: Path | None,
    shard: Shard | None,
    workers: int | None,
    job_id: str | None,
    lease: float,
    job_worker: bool,
    **fields: str | None,
) -> int:
    """Edit entries' metadata: only the fields given, only where they differ."""
    state = app(ctx)
    jobs = JobRun(workers, job_id, lease, job_worker)
    if jobs.joining:
        return run_update_job(state, jobs, None, dry_run, Format(fmt), report)
    edits = [_edit(i, fields, f"entry {i}") for i in dict.fromkeys(entry_ids)]
    given = any(v is not None for v in fields.values())
    if entry_ids and not given:
        raise CliError("nothing to change", "give --name, --description, --tags, ... to set")
    if given and not entry_ids:
        raise CliError(
            "--name, --tags, ... apply to the ENTRY_IDs given, and none was", "name them"
        )
    if from_file is not None:
        edits += edits_from_file(from_file)
    if not edits and from_file is None:
        raise CliError("no entries named", "pass ENTRY_ID... with fields, or --from-file FILE")
    if not edits:  # a file with no rows: nothing to do is not an error (issue 17, cron jobs)
        state.say(f"--from-file {from_file} names no entries: nothing to update")
        empty_report(report)  # a script still finds its report, empty
        return ExitCode.OK
    edits = pick(state, shard, edits, lambda edit: edit.entry_id)
    if workers is not None:
        return run_update_job(state, jobs, edits, dry_run, Format(fmt), report)
    return _run(state, edits, dry_run, Format(fmt), report)


def _run(
    state: AppContext,
    edits: Iterable[EntryEdit],
    dry_run: bool,
    fmt: Format,
    report: Path | None,
) -> int:
    # the report file is made before anything is sent: one that cannot be written is refused
    lines = ReportFile(report, KEYS) if report is not None else None
    try:
        outcomes = state.client().run(update_entries(list(edits), dry_run=dry_run))
    except ConfigError as exc:
        raise CliError(str(exc), "fix the edits") from None
    structured = state.json or fmt is Format.JSONL
    writer = state.writer(KEYS, fmt, table_keys=("entry_id", "status", "changes"), actions=True)
    for outcome in outcomes:
        writer.write(edit_record(outcome, structured))
        if lines is not None:  # the --json record, whatever the terminal shows
            lines.write(edit_record(outcome, structured=True))
    writer.close()
    if lines is not None:
        lines.close()
    failed = [o for o in outcomes if not o.ok]
    changing = sum(o.status in ("done", "would_change") for o in outcomes)
    verb = "would change" if dry_run else "changed"
    same = len(outcomes) - changing - len(failed)
    state.say(f"update: {verb} {changing}, {same} already as asked, {len(failed)} failed")
    from kaltura_mm.commands.auth_hints import name_auth_fixes

    name_auth_fixes(state, (o.error for o in failed))
    kinds = [describe(o.error).code if o.error else ExitCode.FAILED for o in failed]
    return for_items(len(outcomes) - len(failed), kinds)
