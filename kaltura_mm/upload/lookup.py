"""Find what an upload already made, under its referenceId and its token's fileName; clean up.

The rules deciding what a find means live in ``kaltura_mm.upload.recover``; this module
asks the server and carries the decisions out:

- ``find_existing`` / ``find_many``: every live entry carrying the referenceIds, whatever its
  status or moderation (a plain ``baseEntry.list`` hides half-made entries);
- ``after_lookup``: the decision for one upload, listing its open tokens by fileName only when a
  half-made entry was found (a fresh upload or a finished one costs no extra request);
- ``add_last_look`` / ``last_look``: the same two lists riding at the end of the request that
  finishes the upload (create or verify), so the last look costs no round trip of its own;
- ``delete_strays``: tokens first, then entries; already gone is fine.
"""

from __future__ import annotations

import contextlib

import attrs

from kaltura_mm.errors import EntryNotFoundError, UploadTokenNotFoundError
from kaltura_mm.models import (
    BaseEntry,
    BaseEntryFilter,
    EntryStatus,
    ListPage,
    Pager,
    UploadToken,
    UploadTokenFilter,
)
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import base_entry, upload_token
from kaltura_mm.upload.job import Job, patiently
from kaltura_mm.upload.recover import (
    OPEN_TOKEN_STATUSES,
    Decision,
    decide,
    is_complete,
    settle,
)
from kaltura_mm.upload.request import UploadOptions

# Every status but DELETED: the lookup must see half-made entries, which a plain list hides.
LIVE_STATUSES = tuple(s for s in EntryStatus if s is not EntryStatus.DELETED)
# A plain list also hides entries pending moderation or rejected; the lookup must not.
_ANY_MODERATION = {"moderationStatusIn": "1,2,3,5,6"}
# baseEntry.list's largest page, and so the most referenceIds one lookup asks for.
LOOKUP_BATCH = 500
# More entries or tokens under one upload's names than this means something else is wrong.
_LOOK_PAGE = 50


@attrs.frozen
class Found:
    """The live entries a lookup by referenceId found (empty: nothing found)."""

    entries: tuple[BaseEntry, ...] = ()


@attrs.frozen
class LastLook:
    """Where the last look's two lists sit in a multiRequest."""

    entries: Ref[ListPage[BaseEntry]]
    tokens: Ref[ListPage[UploadToken]]


def _by_reference(reference_id: str) -> BaseEntryFilter:
    return BaseEntryFilter(
        reference_id_equal=reference_id, status_in=LIVE_STATUSES, extra=_ANY_MODERATION
    )


def _by_name(name: str) -> UploadTokenFilter:
    return UploadTokenFilter(file_name_equal=name, status_in=OPEN_TOKEN_STATUSES)


def find_existing(reference_id: str, options: UploadOptions) -> Flow[Found]:
    """Return every live entry carrying ``reference_id``."""
    call = base_entry.list(_by_reference(reference_id), Pager(page_size=_LOOK_PAGE))
    page = yield from patiently(call, options)
    return Found(tuple(e for e in page.objects if e.reference_id == reference_id))


def find_many(reference_ids: list[str], options: UploadOptions) -> Flow[dict[str, Found]]:
    """Look ``reference_ids`` up ``LOOKUP_BATCH`` at a time (``referenceIdIn``); map each to Found.

    An id holding a comma cannot travel in the comma-separated filter: it is left out, and its
    upload looks itself up.
    """
    wanted = sorted({r for r in reference_ids if "," not in r})
    by_id: dict[str, list[BaseEntry]] = {}
    for start in range(0, len(wanted), LOOKUP_BATCH):
        batch = tuple(wanted[start : start + LOOKUP_BATCH])
        query = BaseEntryFilter(
            reference_id_in=batch, status_in=LIVE_STATUSES, extra=_ANY_MODERATION
        )
        index, seen = 1, 0
        while True:  # several entries may share an id (a half-made one beside a complete one)
            call = base_entry.list(query, Pager(page_size=LOOKUP_BATCH, page_index=index))
            page = yield from patiently(call, options)
            for entry in page.objects:
                by_id.setdefault(entry.reference_id or "", []).append(entry)
            seen += len(page.objects)
            if not page.objects or seen >= page.total_count:
                break
            index += 1
    return {r: Found(tuple(by_id.get(r, ()))) for r in wanted}


def open_tokens(job: Job) -> Flow[list[UploadToken]]:
    """Return the open tokens carrying this upload's token fileName."""
    call = upload_token.list(_by_name(job.state.token_file_name), Pager(page_size=_LOOK_PAGE))
    page = yield from patiently(call, job.options)
    return list(page.objects)


def after_lookup(job: Job, found: Found) -> Flow[Decision]:
    """Return the decision for what the lookup found; strays already deleted."""
    half_made = any(not is_complete(e) for e in found.entries)
    tokens = (yield from open_tokens(job)) if half_made else []
    size = job.state.fingerprint.size
    state = job.state
    decision = decide(found.entries, tokens, state.reference_id, state.token_file_name, size)
    yield from delete_strays(decision)
    return decision


def add_last_look(batch: MultiRequest, job: Job) -> LastLook:
    """Add the last look's lists (entries by referenceId, open tokens by name) to ``batch``."""
    pager = Pager(page_size=_LOOK_PAGE)
    entries = batch.add(base_entry.list(_by_reference(job.state.reference_id), pager))
    tokens = batch.add(upload_token.list(_by_name(job.state.token_file_name), pager))
    return LastLook(entries, tokens)


def last_look(job: Job, own: BaseEntry, response: MultiResponse, look: LastLook) -> Flow[BaseEntry]:
    """Settle the upload once ``own`` is complete (rule 6); return the entry that is the upload.

    If either list failed, the look is skipped: the upload itself is done, and a later run's
    lookup applies the same rules.
    """
    entries, tokens = response.outcome(look.entries), response.outcome(look.tokens)
    if not isinstance(entries, ListPage) or not isinstance(tokens, ListPage):
        return own
    mine = [e for e in entries.objects if e.reference_id == job.state.reference_id]
    state = job.state
    names = (state.reference_id, state.token_file_name)
    decision = settle(own, state.token_id, mine, tokens.objects, *names)
    yield from delete_strays(decision)
    return decision.entry or own


def delete_strays(decision: Decision) -> Flow[None]:
    """Delete the decision's stray tokens, then its stray entries (already gone is fine)."""
    for token_id in decision.stray_tokens:
        with contextlib.suppress(UploadTokenNotFoundError):
            yield upload_token.delete(token_id)
    for entry_id in decision.stray_entries:
        yield from delete_entry(entry_id)


def delete_entry(entry_id: str) -> Flow[None]:
    """Delete an entry (already gone is fine)."""
    with contextlib.suppress(EntryNotFoundError):
        yield base_entry.delete(entry_id)
