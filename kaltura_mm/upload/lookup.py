"""Find what an upload already made, exactly, under its token names; wait for the index; clean up.

The rules deciding what a find means live in ``kaltura_mm.upload.recover``; this module asks the
server and carries the decisions out. Every read here is exact (the database, not the search
index that ``baseEntry.list`` reads), except the bounded wait of recover rule 6:

- ``find_own``: the tokens of the uploads' file sizes (``uploadToken.list(fileSizeEqual)``, one
  list per distinct size, in multiRequests), kept when their fileName carries an upload's names;
  then the entries its receipts name (``baseEntry.getByIds``), kept when live and the upload's
  owner's. A user session lists only its own tokens; an admin session every user's, so the
  owner check decides;
- ``after_lookup``: the decision for one upload, with the wait for the index when it says so;
- the last look (``kaltura_mm.upload.last_look``) reads with the same helpers;
- the strays a decision names are deleted by ``kaltura_mm.upload.tidy`` (patient, and never the
  end of an upload that is done).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import attrs

from kaltura_mm.errors import WaitTimeoutError
from kaltura_mm.models import (
    BaseEntry,
    BaseEntryFilter,
    EntryStatus,
    ListPage,
    Pager,
    UploadToken,
    UploadTokenFilter,
)
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.runtime.effects import Flow, Reach, Reached
from kaltura_mm.runtime.poll import Every, NotYet, poll
from kaltura_mm.services import base_entry, upload_token
from kaltura_mm.upload.job import Job, patiently
from kaltura_mm.upload.recover import (
    LISTED_TOKEN_STATUSES,
    Decision,
    LookupFindings,
    RecoveryStep,
    decide,
)
from kaltura_mm.upload.request import UploadOptions, UploadState
from kaltura_mm.upload.seen import SeenToken, SeenTokens
from kaltura_mm.upload.tidy import delete_strays

T = TypeVar("T")
# Every status but DELETED: the index wait must see half-made entries, which a plain list hides.
LIVE_STATUSES = tuple(s for s in EntryStatus if s is not EntryStatus.DELETED)
# A plain list also hides entries pending moderation or rejected; the lookup must not.
_ANY_MODERATION = {"moderationStatusIn": "1,2,3,5,6"}
_PAGE = 500  # the largest page
_LISTS_PER_REQUEST = 50  # token lists (one per file size) in one multiRequest
_IDS_PER_CALL = 100  # entry ids in one getByIds
_INDEX_LOOKS = Every(first=1.0, cap=15.0)  # looks at the index: from 1 s, at most 15 s apart


def by_size(size: int) -> UploadTokenFilter:
    return UploadTokenFilter(
        file_size_equal=size, status_in=LISTED_TOKEN_STATUSES, order_by="-createdAt"
    )


def _by_reference(reference_id: str) -> BaseEntryFilter:
    return BaseEntryFilter(
        reference_id_equal=reference_id, status_in=LIVE_STATUSES, extra=_ANY_MODERATION
    )


def _tokens_of_sizes(
    sizes: Sequence[int],
    options: UploadOptions,
    also: Sequence[Call[Any]] = (),
    seen: SeenTokens | None = None,
) -> Flow[tuple[dict[int, list[UploadToken]], tuple[Any, ...]]]:
    """Return every token (but DELETED) of each file size, a few lists per multiRequest, and
    the outcomes of ``also``, reads riding the first of them (sent alone without sizes); the
    run's ``seen`` remembers them, each size listed completely."""
    found: dict[int, list[UploadToken]] = {size: [] for size in sizes}
    todo = [(size, 1) for size in sizes]
    answered: tuple[Any, ...] = ()
    while todo or also:
        batch, todo = todo[:_LISTS_PER_REQUEST], todo[_LISTS_PER_REQUEST:]
        calls = [
            upload_token.list(by_size(size), Pager(page_size=_PAGE, page_index=index))
            for size, index in batch
        ]
        if also:
            pages, answered = yield from _with(calls, also, options)
            also = ()
        else:
            pages = yield from _all(calls, options)
        for (size, index), page in zip(batch, pages, strict=True):
            found[size].extend(page.objects)
            if len(page.objects) == _PAGE and index * _PAGE < page.total_count:
                todo.append((size, index + 1))
    for size, tokens in found.items():
        if seen is not None:
            seen.record(size, listed(tokens), complete=True)
    return found, answered


def listed(tokens: Iterable[UploadToken]) -> list[SeenToken]:
    """Return what ``SeenTokens`` keeps of ``tokens`` (those with an id and a fileName)."""
    return [
        SeenToken(t.id, t.file_name, t.created_at)
        for t in tokens
        if isinstance(t.id, str) and isinstance(t.file_name, str)
    ]


def _with(
    calls: list[Call[T]], also: Sequence[Call[Any]], options: UploadOptions
) -> Flow[tuple[list[T], tuple[Any, ...]]]:
    """Send ``calls`` and ``also`` in one multiRequest; ``also``'s outcomes may be errors."""
    request = MultiRequest()
    refs = [request.add(call) for call in calls]
    extra = [request.add(call) for call in also]
    response: MultiResponse = yield from patiently(request, options)
    return [response[ref] for ref in refs], tuple(response.outcome(ref) for ref in extra)


def _all(calls: list[Call[T]], options: UploadOptions) -> Flow[list[T]]:
    """Send ``calls`` (reads) in one multiRequest, or alone when there is one; return results."""
    if len(calls) == 1:
        return [(yield from patiently(calls[0], options))]
    request = MultiRequest()
    refs = [request.add(call) for call in calls]
    response: MultiResponse = yield from patiently(request, options)
    return [response[ref] for ref in refs]


def entries(entry_ids: Iterable[str], options: UploadOptions) -> Flow[dict[str, BaseEntry]]:
    """Return the live entries of ``entry_ids`` (read by id: exact), by id."""
    wanted = sorted(set(entry_ids))
    found: dict[str, BaseEntry] = {}
    for start in range(0, len(wanted), _IDS_PER_CALL):
        call = base_entry.get_by_ids(wanted[start : start + _IDS_PER_CALL])
        entries: list[BaseEntry] = yield from patiently(call, options)
        found.update({e.id: e for e in entries if e.id and e.status is not EntryStatus.DELETED})
    return found


def _owned(state: UploadState, entry: BaseEntry, receipt: UploadToken) -> bool:
    """Return whether ``entry`` belongs to the upload's owner (recover rule 1)."""
    owner = state.request.owner_user_id or receipt.user_id or ""
    return (entry.user_id or "") == owner


def mine(
    state: UploadState, tokens: Iterable[UploadToken]
) -> tuple[list[UploadToken], list[UploadToken]]:
    """Return the receipts and the markers among ``tokens`` carrying the upload's names."""
    names = state.names
    receipts = [t for t in tokens if names.entry_of(t.file_name)]
    markers = [t for t in tokens if t.file_name == names.marker]
    return receipts, markers


def found_of(
    state: UploadState,
    tokens: list[UploadToken],
    by_id: dict[str, BaseEntry],
    server_now: float | None = None,
) -> LookupFindings:
    receipts, markers = mine(state, tokens)
    owned = {}
    for receipt in receipts:
        entry = by_id.get(state.names.entry_of(receipt.file_name) or "")
        if entry is not None and _owned(state, entry, receipt):
            owned[entry.id] = entry
    return LookupFindings(
        tuple(owned.values()), tuple(receipts), tuple(markers), server_now=server_now
    )


def find_own(
    states: Sequence[UploadState], options: UploadOptions, seen: SeenTokens | None = None
) -> Flow[list[LookupFindings]]:
    """Return, for each upload, what it already made (``LookupFindings``), read exactly."""
    found, _ = yield from find_own_asking(states, options, (), seen)
    return found


def find_own_asking(
    states: Sequence[UploadState],
    options: UploadOptions,
    also: Sequence[Call[Any]] = (),
    seen: SeenTokens | None = None,
) -> Flow[tuple[list[LookupFindings], tuple[Any, ...]]]:
    """``find_own``, with the reads ``also`` riding its first request (no request of their own,
    unless nothing else is sent); return their outcomes too (values or errors), in order.
    ``seen``: the run's listed tokens, which the token lists add to (the last looks use them)."""
    tokens, answered = yield from _tokens_of_sizes(
        sorted({s.fingerprint.size for s in states}), options, also, seen
    )
    named = [mine(s, tokens[s.fingerprint.size])[0] for s in states]
    ids = {s.names.entry_of(t.file_name) for s, rs in zip(states, named, strict=True) for t in rs}
    by_id = yield from entries((i for i in ids if i), options)
    known: Reached = yield Reach()  # the server's clock: a token idle 7 days is dead (rule 4)
    return [
        found_of(s, tokens[s.fingerprint.size], by_id, known.server_time) for s in states
    ], answered


def find_existing(
    state: UploadState, options: UploadOptions, seen: SeenTokens | None = None
) -> Flow[LookupFindings]:
    """Return what the upload ``state`` describes already made, read exactly."""
    (found,) = yield from find_own([state], options, seen)
    return found


def wait_for_index(job: Job, found: LookupFindings) -> Flow[LookupFindings]:
    """Poll the search index for an entry under the upload's referenceId (recover rule 6).

    A marker proved a create began; its entry, if made, has no receipt to name it, so only the
    index can show it. Paced with backoff (at most 15 s apart) and bounded by ``index_wait``.
    """
    state, options = job.state, job.options
    marker_user = found.markers[0].user_id if found.markers else None
    owner = state.request.owner_user_id or marker_user or ""

    def look() -> Flow[list[BaseEntry] | NotYet[None]]:
        call = base_entry.list(_by_reference(state.reference_id), Pager(page_size=50))
        page: ListPage[BaseEntry] = yield from patiently(call, options)
        mine = [
            e
            for e in page.objects
            if e.reference_id == state.reference_id
            and (e.user_id or "") == owner
            and e.status is not EntryStatus.DELETED  # deleted after the index took it
        ]
        return mine or NotYet()

    what = f"the index to show an entry under {state.reference_id}"
    try:
        mine = yield from poll(look, what=what, bound=options.index_wait, every=_INDEX_LOOKS)
    except WaitTimeoutError:
        mine = []  # none made: the decision goes on from what the lookup found
    return attrs.evolve(found.merged(mine), waited=True)


def after_lookup(job: Job, found: LookupFindings) -> Flow[Decision]:
    """Return the decision for what the lookup found (waiting for the index if it says so)."""
    names, size = job.state.names, job.state.fingerprint.size
    decision = decide(found, names, size)
    if decision.action is RecoveryStep.WAIT:
        decision = decide((yield from wait_for_index(job, found)), names, size)
    if (yield from delete_strays(decision, job.options)):
        job.facts.seen.forget(decision.stray_tokens)  # the last look need not read them again
    return decision
