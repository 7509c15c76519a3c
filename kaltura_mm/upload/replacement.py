"""What a content replacement became once its file is uploaded: read ``replacementStatus``, act.

The server converts the new file in a temporary entry (``replacingEntryId``) and marks the
original's ``replacementStatus`` (spec 13, "Content replacement states";
``kFlowHelper::handleEntryReplacement``, ``KalturaEntryService::approveReplace``). The rules:

1. APPROVED_BUT_NOT_READY: converting; swapped in when READY. Waited for with ``wait_ready``,
   bounded by ``ready_timeout``; giving up says what it waited for (the status, the temporary
   entry and its status).
2. NOT_READY_AND_NOT_APPROVED / READY_BUT_NOT_APPROVED: the partner requires approval
   (``FEATURE_ENTRY_REPLACEMENT_APPROVAL``). With ``approve`` it is approved at once
   (``media.approveReplace``: swapped now if ready, else when it is); without, nothing will move
   and the replacement is reported *awaiting approval* (never waited for).
3. FAILED, or a temporary entry in an error status or gone: the conversion failed. The
   replacement is cancelled (``media.cancelReplace``; FAILED is cleared by nothing else, and it
   blocks every later replacement) and ``ReplacementFailedError`` names the cause.
4. Before a new replacement, one that is *stale* is cancelled first: FAILED, a temporary entry in
   error or gone, or READY_BUT_NOT_APPROVED of another file (ready, waiting for an approval the
   new replacement supersedes). One still converting is another upload's work in progress, and
   the new one is refused (``ENTRY_REPLACEMENT_ALREADY_EXISTS``), never cancelled.
"""

from __future__ import annotations

from kaltura_mm.enums import EntryStatus, ReplacementStatus
from kaltura_mm.errors import (
    EntryNotFoundError,
    ReplacementFailedError,
    ReplacementTimeoutError,
)
from kaltura_mm.models import BaseEntry
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.poll import NotYet, Waited, poll, steady
from kaltura_mm.services import base_entry, media
from kaltura_mm.upload.request import UploadOptions

AWAITING_APPROVAL = frozenset(
    {ReplacementStatus.NOT_READY_AND_NOT_APPROVED, ReplacementStatus.READY_BUT_NOT_APPROVED}
)
_FAILED = ReplacementStatus.FAILED
_BROKEN = frozenset({EntryStatus.ERROR_CONVERTING, EntryStatus.ERROR_IMPORTING})


def replacement_status(entry: BaseEntry) -> ReplacementStatus:
    """Return the entry's ``replacementStatus`` (NONE when the server sent none)."""
    return ReplacementStatus(entry.replacement_status or 0)


def _temporary(entry: BaseEntry) -> Flow[BaseEntry | None]:
    """Return the temporary entry taking the new content (None: none, or gone)."""
    if not entry.replacing_entry_id:
        return None
    try:
        temp: BaseEntry = yield base_entry.get(entry.replacing_entry_id)
    except EntryNotFoundError:
        return None
    return None if temp.status is EntryStatus.DELETED else temp


def _gone(entry: BaseEntry, temp: BaseEntry | None) -> bool:
    """Return whether the temporary entry went while the entry still names it (not FAILED):
    a failure, or a swap made between the two reads."""
    failed = replacement_status(entry) is _FAILED
    return temp is None and bool(entry.replacing_entry_id) and not failed


def _failure(entry: BaseEntry, temp: BaseEntry | None) -> str | None:
    """Return why the replacement failed (rule 3), or None if it has not."""
    status = replacement_status(entry)
    if temp is not None and temp.status in _BROKEN:
        name = temp.status.name if temp.status is not None else "?"
        return f"the temporary entry {temp.id} is {name}"
    if status is ReplacementStatus.FAILED:
        return "the server marked the replacement FAILED (its conversion failed)"
    if entry.replacing_entry_id and temp is None:
        return f"the temporary entry {entry.replacing_entry_id} is gone"
    return None


def cancel_stale(entry: BaseEntry, *, ours: bool) -> Flow[tuple[BaseEntry, str | None]]:
    """Cancel a stale replacement before a new one (rule 4); return the entry and why, if so.

    ``ours``: the pending replacement is this very file's (never cancelled for awaiting approval).
    """
    if not entry.replacing_entry_id and replacement_status(entry) is ReplacementStatus.NONE:
        return entry, None
    temp = yield from _temporary(entry)
    why = _failure(entry, temp)
    if why is not None and _gone(entry, temp):
        again: BaseEntry = yield base_entry.get(entry.id)
        if again.replacing_entry_id != entry.replacing_entry_id:
            return again, None  # it went because it was swapped in
    ready_unapproved = replacement_status(entry) is ReplacementStatus.READY_BUT_NOT_APPROVED
    if why is None and ready_unapproved and not ours:
        why = "an earlier replacement was waiting for approval"
    if why is None:
        return entry, None
    yield media.cancel_replace(entry.id)
    fresh: BaseEntry = yield base_entry.get(entry.id)
    return fresh, why


def _swapped_meanwhile(entry: BaseEntry) -> Flow[bool]:
    """Return whether the replacement ended between reading ``entry`` and its temporary entry."""
    again: BaseEntry = yield base_entry.get(entry.id)
    return again.replacing_entry_id != entry.replacing_entry_id


def _failed(entry: BaseEntry, why: str) -> Flow[None]:
    """Cancel a failed replacement and raise saying why (rule 3)."""
    yield media.cancel_replace(entry.id)
    raise ReplacementFailedError(
        f"entry {entry.id}: the new content failed ({why}); the replacement was cancelled and "
        "the entry keeps its old content: check that the file plays, then replace again",
        cause=why,
    )


def settle(entry_id: str, options: UploadOptions, approve: bool) -> Flow[BaseEntry]:
    """Return the entry once the replacement is as far as it goes now (rules 1 to 3)."""
    approved = False

    def look() -> Flow[BaseEntry | NotYet[tuple[BaseEntry, BaseEntry | None]]]:
        nonlocal approved
        while True:
            entry: BaseEntry = yield base_entry.get(entry_id)
            status = replacement_status(entry)
            temp = yield from _temporary(entry)
            why = _failure(entry, temp)
            if why is not None and _gone(entry, temp) and (yield from _swapped_meanwhile(entry)):
                continue  # the temporary entry went because it was swapped in: read again
            if why is not None:
                yield from _failed(entry, why)
            if status in AWAITING_APPROVAL and approve and not approved:
                yield media.approve_replace(entry_id)
                approved = True
                continue
            if not entry.replacing_entry_id or not options.wait_ready:
                return entry
            if status in AWAITING_APPROVAL:
                return entry  # nothing moves until someone approves it
            return NotYet((entry, temp))

    def late(waited: Waited) -> ReplacementTimeoutError:
        entry, temp = waited.why
        temp_status = temp.status.name if temp is not None and temp.status is not None else "?"
        return ReplacementTimeoutError(
            f"entry {entry_id} still shows its old content after {options.ready_timeout:g} "
            f"s of waiting for the swap: replacementStatus {replacement_status(entry).name}, "
            f"the new content in temporary entry {entry.replacing_entry_id} ({temp_status}); "
            "it is uploaded: look again later (kaltura-mm get), or wait longer"
        )

    every, what = steady(options.ready_poll_interval), f"entry {entry_id}'s new content"
    bound = options.ready_timeout
    return (yield from poll(look, what=what, bound=bound, every=every, give_up=late))
