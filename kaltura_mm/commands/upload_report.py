"""What an upload run tells the user: the files skipped, the report file, the summary, leftovers.

``UPLOAD_KEYS`` are the documented keys of an upload result (stdout, ``--report``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.exit_codes import ExitCode, for_items
from kaltura_mm.commands.failures import describe
from kaltura_mm.commands.shell import command_line
from kaltura_mm.commands.upload_batch import UploadBatch
from kaltura_mm.store.uploads import UploadStore
from kaltura_mm.tables import csv_cell
from kaltura_mm.upload.folder import Skipped

UPLOAD_KEYS = (
    "path",
    "status",
    "entry_id",
    "reference_id",
    "bytes",
    "bytes_resumed",
    "name",
    "category_ids",
    "error",
    "message",
)


# A file refused before upload is the user's input, not a failed operation (docs/cli.md); a
# session that may not set referenceId is a permission (ReferenceIdNotWritableError).
FAILURE_EXIT = {
    "file": ExitCode.NOT_FOUND,
    "bad_input": ExitCode.BAD_INPUT,
    "permission": ExitCode.AUTH,
}


_SKIPS_SHOWN = 20


def say_skipped(state: AppContext, skipped: Sequence[Skipped]) -> None:
    """Name each file a walk or glob skipped and why (a count past the first 20)."""
    for item in skipped[:_SKIPS_SHOWN]:
        state.notice("skipped", f"{item.path}: {item.reason}", path=str(item.path))
    if len(skipped) > _SKIPS_SHOWN:
        state.notice("skipped", f"... and {len(skipped) - _SKIPS_SHOWN} more files not uploaded")


def write_report(path: Path, results: list[dict[str, Any]]) -> None:
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=UPLOAD_KEYS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(r.get(k)) for k in UPLOAD_KEYS} for r in results)


def left_behind(state: AppContext, store: UploadStore, batch: UploadBatch) -> None:
    """Point at unfinished uploads of these paths that this run did not take up (file changed)."""
    paths = {r["path"] for r in batch.results}
    taken = {f.reference_id for f in batch.files.values()} | {
        p.reference_id for p, _ in batch.claimed
    }
    stale = [
        s for s in store.pending() if str(s.request.path) in paths and s.reference_id not in taken
    ]
    if stale:
        state.notice(
            "left_behind",
            f"{len(stale)} earlier uploads of these files stopped half way and the files changed "
            "since: their half-made entries are still on the server. `kaltura-mm uploads` lists "
            "them; `kaltura-mm uploads abort --all` removes them",
            count=len(stale),
        )


def summary(batch: UploadBatch) -> int:
    state, results = batch.state, batch.results
    good = {"uploaded", "resumed", "existing", "skipped", "relinked"}
    done = sum(1 for r in results if r["status"] in good)
    stopped = [r for r in results if r["status"] in ("cancelled", "not_started")]
    failed = [r for r in results if r["status"] == "failed"]
    state.say(f"{done} done, {len(failed)} failed, {len(stopped)} not finished")
    if batch.state_error is not None:
        state.say(
            "the uploads not finished resume when the state directory can be written again:\n  "
            + command_line(state.command())
        )
        return ExitCode.FAILED
    if batch.interrupts.timed_out:
        state.say(
            "stopped at --max-duration: progress is saved; run the same command again to go "
            "on:\n  " + command_line(state.command())
        )
        return ExitCode.TIME_LIMIT
    if stopped or batch.interrupts.stopping:
        state.say(
            "interrupted: progress is saved; run the same command again to resume:\n  "
            + command_line(state.command())
        )
        return ExitCode.INTERRUPTED
    from kaltura_mm.commands.auth_hints import name_auth_fixes

    name_auth_fixes(state, batch.errors)  # once per kind: how to fix a session's refusals
    refused = {f.kind for f in map(describe, batch.errors) if f.code is ExitCode.AUTH}
    kinds = [
        ExitCode.AUTH if r["error"] in refused else FAILURE_EXIT.get(r["error"], ExitCode.FAILED)
        for r in failed
    ]
    return for_items(done, kinds)
