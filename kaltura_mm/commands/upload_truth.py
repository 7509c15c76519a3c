"""What ``kaltura-mm upload`` reports is what the server holds, checked in batches.

Before: a file the journal has as done is reported ``skipped`` only once its entry is found on the
server (``getByIds``, 500 ids a call). An entry gone from the server (deleted by a person or
another tool) is uploaded again; one taken out of a category the run asks for is put back.
After: every entry the run reports (``uploaded``, ``resumed``, ``existing``) is read again, so an
entry deleted behind the run's back is reported ``failed`` (and uploaded again by the next run),
and one found outside the categories asked for (``existing``) is put back into them. A
``skipped`` or ``existing`` entry put back is reported ``relinked``: the run changed the server.
Whether it is in them is read from ``categoryEntry.list`` (``kaltura_mm.flows.membership``),
never from the entry's ``categoriesIds``, which leaves out every category with a privacy context
(MediaSpace channels): a link of any status counts (a pending one waits for a moderator; a
rejected one was a moderator's call, not something to undo).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import attrs

from kaltura_mm.commands.upload_batch import PlannedFile, UploadBatch, record
from kaltura_mm.errors import KalturaError
from kaltura_mm.flows.entries import add_to_category, get_entries_in
from kaltura_mm.flows.membership import Membership
from kaltura_mm.models import EntryStatus

REPORTED = ("uploaded", "resumed", "existing", "skipped")
# An entry in one of these is not "there" for a re-run: its content never arrived or it is gone.
_NOT_THERE = frozenset({EntryStatus.DELETED, EntryStatus.NO_CONTENT})


def check_claimed(batch: UploadBatch) -> list[PlannedFile]:
    """Report the journal's done files the server still holds; return those to upload again."""
    if not batch.claimed:
        return []
    client = batch.state.client()
    ids = [r.entry_id for _, r in batch.claimed if r.entry_id]
    categories = {c for planned, _ in batch.claimed for c in planned.request.category_ids}
    found, links = client.run(get_entries_in(ids, categories))
    again = []
    for planned, done in batch.claimed:
        entry = found.get(done.entry_id or "")
        if entry is None or entry.status in _NOT_THERE:
            why = (
                "is gone from the server"
                if entry is None
                else f"has status {getattr(entry.status, 'name', '?')}"
            )
            note = f"its entry {done.entry_id} {why}; uploaded again"
            again.append(batch.resumable(_with_note(planned, note)))
            continue
        size = planned.fingerprint.size
        line = record(planned.request, "skipped", reference_id=planned.reference_id, size=size)
        batch.results.append({**line, "entry_id": entry.id, "_in": _linked(links, entry.id)})
    return again


def _linked(links: Membership, entry_id: str | None) -> frozenset[int]:
    return links.categories(entry_id or "")


def _with_note(planned: PlannedFile, note: str) -> PlannedFile:
    return attrs.evolve(planned, note=note)


def verify(batch: UploadBatch) -> None:
    """Read every reported entry back; fail the gone ones; put entries back into categories.

    When the server cannot be asked (it stopped answering), the results stand as the upload
    engine reported them, and the user is told they were not checked.
    """
    try:
        _verify(batch)
    except KalturaError as exc:
        batch.state.say(f"warning: the results could not be checked on the server: {exc}")
    for line in batch.results:
        line.pop("_in", None)


def _verify(batch: UploadBatch) -> None:
    fresh = [r for r in batch.results if r["status"] in REPORTED[:3] and r["entry_id"]]
    if fresh:
        categories = set().union(*(_asked(line) for line in fresh))
        ids = [r["entry_id"] for r in fresh]
        found, links = batch.state.client().run(get_entries_in(ids, categories))
        for line in fresh:
            entry = found.get(line["entry_id"])
            if entry is None or entry.status is EntryStatus.DELETED:
                _gone(batch, line)
            else:
                line["_in"] = _linked(links, entry.id)
    _reattach(batch, [r for r in batch.results if "_in" in r])


def _gone(batch: UploadBatch, line: dict[str, Any]) -> None:
    entry_id = line["entry_id"]
    line.update(
        status="failed",
        error="ENTRY_ID_NOT_FOUND",
        message=f"its entry {entry_id} was deleted on the server before this run ended "
        "(by another run or a person); run the same command again to upload it again",
    )
    planned = batch.files.get(line["path"])
    if planned is not None:
        batch.keep(lambda: batch.journal.update(planned.record(status="failed", error="gone")))


def _asked(line: dict[str, Any]) -> set[int]:
    return {int(c) for c in (line["category_ids"] or "").split(",") if c}


def _reattach(batch: UploadBatch, lines: Iterable[dict[str, Any]]) -> None:
    """Add each entry to the categories its file was asked into and it is not in (``_in``)."""
    wanted: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        for category_id in sorted(_asked(line) - line["_in"]):
            wanted[category_id].append(line)
    client = batch.state.client()
    for category_id, waiting in wanted.items():
        outcomes = client.run(add_to_category([w["entry_id"] for w in waiting], category_id))
        by_id = {o.entry_id: o for o in outcomes}
        for line in waiting:
            outcome = by_id[line["entry_id"]]
            if outcome.ok:
                note = f"put back into category {category_id} (it had been taken out on the server)"
                line["message"] = "; ".join(filter(None, (line["message"], note)))
                if line["status"] in ("skipped", "existing"):  # nothing sent, but repaired
                    line["status"] = "relinked"
            else:
                _unattached(line, category_id, outcome.error)


def _unattached(line: dict[str, Any], category_id: int, error: Any) -> None:
    # The journal keeps the file as done: the next run checks the entry and tries again.
    line.update(
        status="failed",
        error=getattr(error, "code", "category"),
        message=f"its entry is not in category {category_id} and could not be put back: {error}",
    )
