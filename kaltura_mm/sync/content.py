"""Does an entry hold its file's content? Judged from what the server keeps, else the records.

For an item of the source and its entry (``kaltura_mm.sync.plan`` rule 2):

1. an entry with no usable content (none yet, or its conversion failed): ``replace``;
2. the entry's referenceId keeps what the sync last wrote into it (``kaltura_mm.sync.truth``):
   the file is compared with that (every byte read, unless the records know the file by its
   size and mtime); no local record is needed, so a plan on another machine knows too;
3. else the sync's records of the entry (``kaltura_mm.sync.records``) say what it was made
   from; neither: the content is not compared, and a note says so;
4. the content differs, or the sync's last replacement failed on the server (its
   ``replacementStatus`` FAILED: the entry still holds the old content): ``replace``;
5. the entry's ``version`` rose since the sync's last write, or its source flavor asset's
   (``source``: a video's or audio's replacement moves only that one, ``kaltura_mm.sync.
   truth``) beyond what the sync's own write gives it: another tool replaced its content, a
   *conflict*, whatever the file holds. ``on_conflict`` says what to do: None
   plans nothing for the entry (the sync reports it, and fails, naming the flag);
   ``keep-local`` replaces the content with the file again; ``keep-server`` keeps the server's
   content and records it as in step with the file as it is now (the referenceId takes the
   file's content and the entry's version): the next plan keeps it until the file changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import attrs

from kaltura_mm.enums import ReplacementStatus
from kaltura_mm.models import BaseEntry, EntryStatus
from kaltura_mm.sync import truth
from kaltura_mm.sync.model import CONFLICT, REPLACE, UPDATE
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.sync.source import SyncItem
from kaltura_mm.upload import local_file
from kaltura_mm.upload.replacement import replacement_status
from kaltura_mm.upload.request import FileFingerprint

OnConflict = Literal["keep-server", "keep-local"] | None
CONFLICT_CHOICES = ("keep-server", "keep-local")
Prints = Callable[[SyncItem, SyncRecord | None], FileFingerprint]
NOT_COMPARED = "content not compared: no record of what the entry was made from"

_NEEDS_CONTENT = frozenset(
    {EntryStatus.NO_CONTENT, EntryStatus.ERROR_CONVERTING, EntryStatus.ERROR_IMPORTING}
)


@attrs.frozen
class Verdict:
    """What to do about an entry's content: its actions, the file's fingerprint, a note, and
    the referenceId to write when the entry is kept as the server holds it."""

    actions: tuple[str, ...] = ()
    print_: FileFingerprint | None = None
    note: str | None = None
    reference_id: str | None = None
    foreign: bool = False  # the entry holds content another tool put in


def judge(
    item: SyncItem,
    key: str | None,
    entry: BaseEntry,
    record: SyncRecord | None,
    prints: Prints,
    on_conflict: OnConflict = None,
    source: int | None = None,
) -> Verdict:
    """Return what to do about ``entry``'s content, the entry of ``item`` known as ``key``;
    ``source`` is the version of its source flavor asset (None: none, or not read)."""
    if entry.status in _NEEDS_CONTENT:
        name = getattr(entry.status, "name", "")
        return Verdict((REPLACE,), prints(item, None), f"the entry has no usable content ({name})")
    kept = truth.read(entry.reference_id) if truth.read(key) is not None else None
    if kept is not None and kept.content is not None:
        print_ = _whole(item, prints(item, record))
        same = truth.content_of(print_) == kept.content
    elif record is not None and record.content_known:
        print_ = prints(item, record)
        same = record.holds(print_)
    else:
        return Verdict(note=NOT_COMPARED)
    if truth.moved(kept, entry.version, source) and kept is not None:
        return _conflict(kept, entry, print_, same, on_conflict, source)
    if same and replacement_status(entry) is ReplacementStatus.FAILED:
        # the sync's last replacement never swapped in: the entry still holds what it held
        note = "its last replacement failed on the server: the file is sent again"
        return Verdict((REPLACE,), print_, note)
    return Verdict(() if same else (REPLACE,), print_)


def _whole(item: SyncItem, print_: FileFingerprint) -> FileFingerprint:
    """Return ``print_`` with the sha256 of every byte (a record of an older kaltura-mm kept a
    sample only)."""
    return print_ if print_.content_sha256 else local_file.content_fingerprint(item.path)


def _conflict(
    kept: truth.Truth,
    entry: BaseEntry,
    print_: FileFingerprint,
    same: bool,
    on_conflict: OnConflict,
    source: int | None,
) -> Verdict:
    if kept.source is not None and kept.source.moved(source):
        mark = kept.source
        was = truth.one_step(mark.version) if mark.ours else mark.version
        moved = f"its source file's version {source}, above the {was} this sync left it at"
    else:
        moved = f"version {kept.version} -> {entry.version}"
    what = f"its content was replaced on the server since this sync wrote it ({moved})" + (
        "" if same else ", and the file changed too"
    )
    if on_conflict == "keep-local":
        note = f"{what}: the file goes back in (--on-conflict keep-local)"
        return Verdict((REPLACE,), print_, note, foreign=True)
    if on_conflict == "keep-server":
        return Verdict(
            (UPDATE,),
            print_,
            f"{what}: the server's content is kept (--on-conflict keep-server)",
            truth.stamped(kept.key, print_, entry.version, _exactly(source)),
            foreign=True,
        )
    return Verdict(
        (CONFLICT,),
        print_,
        f"{what}: nothing is done to it; --on-conflict keep-local puts the file back in, "
        "--on-conflict keep-server keeps the server's content",
        foreign=True,
    )


def _exactly(source: int | None) -> truth.SourceMark | None:
    """Return what a referenceId keeps of a source flavor asset now at ``source``."""
    return truth.SourceMark(source) if source is not None else None
