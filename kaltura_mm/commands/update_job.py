"""``update --from-file ... --workers N`` / ``update --job ID``: the edits as one job of workers.

Each edit (an entry id and its fields) is an item; a worker runs the edits it claims as a normal
run does (each entry read, only the fields that differ sent), so an edit taken again after its
worker died finds the entry already as asked (``already_done``). The report is the ``--json``
records of every edit, in the file's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode
from kaltura_mm.commands.failures import CliError, describe
from kaltura_mm.commands.interrupts import Interrupts
from kaltura_mm.commands.job_run import EXIT, HELD, JobRun, drive, open_job, worker_exit
from kaltura_mm.commands.job_run import report as job_report
from kaltura_mm.commands.output import Format
from kaltura_mm.commands.report_file import ReportFile
from kaltura_mm.commands.store_option import open_state
from kaltura_mm.flows.edits import EditOutcome, EntryEdit, update_entries
from kaltura_mm.jobs import ClaimedItem, JobQueue
from kaltura_mm.store import state_dir

KIND = "update"
_CLAIM = 100


def _shown(value: str | None) -> str:
    return f'"{value}"' if value else "(empty)"


def _as_text(changes: Mapping[str, Sequence[str | None]] | None) -> str | None:
    pairs = (changes or {}).items()
    return "; ".join(f"{k}: {_shown(b)} -> {_shown(a)}" for k, (b, a) in pairs) or None


@attrs.frozen
class _Handler:
    state: AppContext

    def __call__(self, items: Sequence[ClaimedItem]) -> dict[int, Mapping[str, Any] | None]:
        from kaltura_mm.commands.update import edit_record

        edits = [EntryEdit(**dict(c.payload)) for c in items]
        done: list[EditOutcome] = self.state.client().run(update_entries(edits))
        by_id = {o.entry_id: o for o in done}
        outcomes: dict[int, Mapping[str, Any] | None] = {}
        for claimed, edit in zip(items, edits, strict=True):
            outcome = by_id.get(edit.entry_id)
            if outcome is None:
                outcomes[claimed.seq] = None
                continue
            code = ExitCode.OK if outcome.ok else _code(outcome)
            outcomes[claimed.seq] = {**edit_record(outcome, structured=True), EXIT: int(code)}
        return outcomes


def _code(outcome: EditOutcome) -> ExitCode:
    return describe(outcome.error).code if outcome.error else ExitCode.FAILED


def run_update_job(
    state: AppContext,
    run: JobRun,
    edits: Sequence[EntryEdit] | None,
    dry_run: bool,
    fmt: Format,
    report: Path | None,
) -> int:
    """Make the job of ``edits`` or join ``run.job_id``; return the exit code of its report."""
    if dry_run:
        raise CliError("--dry-run shows, --workers does", "run --dry-run without --workers first")
    db = open_state(state_dir(None, state.env), state.env)
    queue = JobQueue(db)
    made: tuple[dict[str, Any], Iterable[dict[str, Any]]] | None = None
    if edits is not None:
        made = ({}, (attrs.asdict(e) for e in edits))
    fields = ("name", "description", "tags", "add_tags", "remove_tags", "reference_id")
    job = open_job(state, queue, run, KIND, made, held=(*HELD, *fields))

    def handler(_interrupts: Interrupts) -> _Handler:
        return _Handler(state)

    interrupts = drive(state, queue, job, run, handler, batch=_CLAIM)
    if run.worker_only:
        return worker_exit(interrupts)
    structured = state.json or fmt is Format.JSONL

    def write(lines: Sequence[dict[str, Any]]) -> None:
        keys = ("entry_id", "action", "status", "changes", "error", "message")
        file = ReportFile(report, keys) if report is not None else None
        writer = state.writer(keys, fmt, table_keys=("entry_id", "status", "changes"), actions=True)
        for line in lines:
            shown = line if structured else {**line, "changes": _as_text(line.get("changes"))}
            writer.write(shown)
            if file is not None:
                file.write(line)
        writer.close()
        if file is not None:
            file.close()

    def blank(item: Mapping[str, Any]) -> dict[str, Any]:
        return {"entry_id": item["entry_id"], "action": KIND, "status": "not_started"}

    return job_report(state, queue, job, interrupts, write, blank)
