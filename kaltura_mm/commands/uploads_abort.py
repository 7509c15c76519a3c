"""Abort an unfinished upload: remove the half-made entry and the open token it left on the server.

What an upload made is found by its token names, as the upload engine finds it (its receipt and
marker tokens, and the entries the receipts name, all read exactly), plus the ids its saved
state recorded. Only what holds no content
is deleted: an entry the server has the content of (complete, converting or ready) is kept and
named, since it is a finished upload, not a leftover.
"""

from __future__ import annotations

import attrs

from kaltura_mm.errors import EntryNotFoundError
from kaltura_mm.models import BaseEntry
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import base_entry
from kaltura_mm.upload.lookup import find_existing
from kaltura_mm.upload.recover import OPEN_TOKEN_STATUSES, is_complete
from kaltura_mm.upload.request import UploadOptions, UploadState
from kaltura_mm.upload.tidy import delete_entry, delete_token


@attrs.frozen
class Aborted:
    """What aborting one upload removed from the server, and what it kept."""

    entries: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # complete entries under the upload's referenceId


def _recorded(entry_id: str | None) -> Flow[list[BaseEntry]]:
    if not entry_id:
        return []
    try:
        entry: BaseEntry = yield base_entry.get(entry_id)
    except EntryNotFoundError:
        return []
    return [entry]


def abort_upload(state: UploadState, options: UploadOptions | None = None) -> Flow[Aborted]:
    """Delete the half-made entries, then the open tokens, of the upload ``state`` describes."""
    options = options or UploadOptions()
    found = yield from find_existing(state, options)
    recorded = yield from _recorded(state.entry_id)
    entries = {e.id: e for e in (*found.entries, *recorded) if e.id}
    kept = tuple(sorted(i for i, e in entries.items() if is_complete(e)))
    tokens = {
        t.id for t in (*found.receipts, *found.markers) if t.id and t.status in OPEN_TOKEN_STATUSES
    }
    if state.token_id and not kept:  # a finished upload's token carries its content: leave it
        tokens.add(state.token_id)
    if state.marker_id:
        tokens.add(state.marker_id)
    # Entries first (as kaltura_mm.upload.tidy): a session refused an entry's delete leaves the
    # upload as it was, its receipt still naming the entry, for an abort that may.
    half_made = sorted(i for i, e in entries.items() if not is_complete(e))
    for entry_id in half_made:
        yield from delete_entry(entry_id, options)
    for token_id in sorted(tokens):
        yield from delete_token(token_id, options)
    return Aborted(tuple(half_made), tuple(sorted(tokens)), kept)
