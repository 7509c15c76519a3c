"""The last look (recover rule 8): the token list riding at the end of the request that finishes
the upload (create or verify), so it costs no round trip of its own unless another entry turns up.

It lists the newest tokens of the file's size (``uploadToken.list(fileSizeEqual)``, exact), and
pages back only until it reaches what the run listed completely before (``SeenTokens``): what it
saw and what the run saw are every token of that size. In a run of files of one size the newest
tokens are mostly the run's own, so each file asks for a small page, not the 500 it asked for
when that cost grew with the run (issue 20). Only the tokens that may carry the upload's names
are decoded (``_named_only``). When a token under its names other than its own receipt and
marker turns up (another run's receipt or marker, a late create of a killed process), those
tokens are read again by id, now (the run's memory of them may be old), with the entries their
receipts name, and ``recover.settle`` decides; else the upload's own entry is the upload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from kaltura_mm.errors import ResponseError, TransportError, UploadError
from kaltura_mm.models import BaseEntry, ListPage, Pager, UploadToken, UploadTokenFilter
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow, Now, Reach, Reached
from kaltura_mm.runtime.poll import Every, pause_before
from kaltura_mm.services import upload_token
from kaltura_mm.upload.identity import TokenNames
from kaltura_mm.upload.job import Job, patiently
from kaltura_mm.upload.lookup import by_size, entries, found_of, mine
from kaltura_mm.upload.recover import (
    LISTED_TOKEN_STATUSES,
    LookupFindings,
    RecoveryStep,
    settle,
)
from kaltura_mm.upload.seen import FULL_PAGE, SeenToken
from kaltura_mm.upload.tidy import delete_strays, delete_token, tidy

# At most this long (seconds, requests included) the last look waits for another run's older
# upload to complete, or for a younger run to decide (recover rule 8): each is a round trip or
# two of that run. Past it the own entry is kept and the file fails as raced: never a guess.
SETTLE_WAIT = 30.0
# looks while another run settles: 0.25 s doubling to 2 s (jittered by the runtime's random source)
SETTLE_PAUSES = Every(first=0.25, cap=2.0)
# An older half-made entry whose receipts did not move for this long (seconds, by the server's
# clock) is a killed run's: the look deletes it instead of waiting for it (recover rule 8).
STALLED_AFTER = 10.0


@attrs.frozen
class LookPage:
    """One page of the last look: the tokens that may carry the upload's names, decoded; what
    the page listed of every token; and how many tokens it held."""

    page: ListPage[UploadToken]
    listed: tuple[SeenToken, ...]
    count: int


@attrs.frozen
class LastLook:
    """Where the last look's token list sits in a multiRequest, the page it asked for, and the
    upload's own marker (its id, or where the same request made it)."""

    tokens: Ref[LookPage]
    asked: int
    marker: str | Ref[UploadToken] | None = None


def add_last_look(
    batch: MultiRequest, job: Job, marker: str | Ref[UploadToken] | None = None
) -> LastLook:
    """Add the last look's token list (the newest tokens of the file's size) to ``batch``."""
    asked = job.facts.seen.page_size(job.state.fingerprint.size)
    return LastLook(batch.add(_look(job, asked, 1)), asked, marker)


def _look(job: Job, asked: int, index: int) -> Call[LookPage]:
    call = upload_token.list(
        by_size(job.state.fingerprint.size), Pager(page_size=asked, page_index=index)
    )
    decoder = _look_page(_named_only(call.decoder, job.state.names))
    return Call(service=call.service, action=call.action, params=call.params, decoder=decoder)


def _look_page(decode_named: Callable[[Any], ListPage[UploadToken]]) -> Callable[[Any], LookPage]:
    def decode(value: Any) -> LookPage:
        objects = value.get("objects") if isinstance(value, dict) else None
        rows = objects if isinstance(objects, list) else []
        listed = tuple(r for r in map(_listed, rows) if r is not None)
        return LookPage(decode_named(value), listed, len(rows))

    return decode


def _listed(row: Any) -> SeenToken | None:
    if not isinstance(row, dict):
        return None
    token_id, file_name, created = row.get("id"), row.get("fileName"), row.get("createdAt")
    if not isinstance(token_id, str) or not isinstance(file_name, str):
        return None
    return SeenToken(token_id, file_name, created if isinstance(created, int) else None)


def _named_only(
    decode_page: Callable[[Any], ListPage[UploadToken]], names: TokenNames
) -> Callable[[Any], ListPage[UploadToken]]:
    """Return ``decode_page`` decoding only the tokens that may carry the upload's names.

    The last look keeps only those (``mine``), and a run of files of one size fills its page
    with the tokens of the others. A token whose fileName is a string and not one of the names
    is left out before it is decoded; the total count stays the server's.
    """

    def decode(value: Any) -> ListPage[UploadToken]:
        objects = value.get("objects") if isinstance(value, dict) else None
        if isinstance(objects, list):
            kept = [o for o in objects if not isinstance(o, dict) or _may_be_named(o, names)]
            value = {**value, "objects": kept}
        return decode_page(value)

    return decode


def _may_be_named(token: dict[str, Any], names: TokenNames) -> bool:
    file_name = token.get("fileName")
    if not isinstance(file_name, str):
        return True  # left to the decoder and ``mine``, as before
    return file_name == names.marker or names.entry_of(file_name) is not None


def _look_back(job: Job, first: LookPage, asked: int) -> Flow[list[UploadToken]]:
    """Return the tokens under the upload's names the look found, paging back (further pages
    of the same size) until it reaches what the run listed completely; the run remembers it all.

    A size the run never listed completely is looked at as before: one page of ``FULL_PAGE``.
    """
    seen, size = job.facts.seen, job.state.fingerprint.size
    tokens, listed, page, index = list(first.page.objects), list(first.listed), first, 1
    covered = size in seen.covered
    while covered and not seen.reaches(size, listed, exhausted=page.count < asked):
        index += 1
        page = yield from patiently(_look(job, asked, index), job.options)
        tokens += page.page.objects
        listed += page.listed
    seen.record(size, listed, complete=covered or page.count < asked)
    return tokens


def last_look(job: Job, own: BaseEntry, response: MultiResponse, look: LastLook) -> Flow[BaseEntry]:
    """Settle the upload once ``own`` is complete (rule 8); return the entry that is the upload.

    If a list failed, the look is skipped: the upload itself is done, and a later run's
    lookup applies the same rules.
    """
    state = job.state
    marker = look.marker
    if isinstance(marker, Ref):
        made = response.outcome(marker)
        marker = made.id if isinstance(made, UploadToken) else None
    first = response.outcome(look.tokens)
    if isinstance(first, LookPage):  # else the list failed: the upload is done, as below
        try:
            tokens = yield from _look_back(job, first, look.asked)
            receipts, markers = mine(state, tokens)
            named = job.facts.seen.named(state.names) | {
                t.id for t in [*receipts, *markers] if t.id
            }
            others = named - {state.token_id, marker}
            if others:
                return (yield from _settled(job, own, marker, sorted(i for i in others if i)))
        except (TransportError, ResponseError):
            pass  # as a failed list: the upload is done, a later lookup settles the rest
    if marker and job.facts.unmarks.carries() and not job.options.wait_ready:
        # decided (rule 8): the next file's create carries it (``kaltura_mm.upload.unmark``)
        job.facts.unmarks.queue(state.reference_id, marker, (yield Now()))
    elif marker:  # decided (rule 8): now, and only now, the marker goes
        yield from tidy(f"the upload's marker {marker}", delete_token(marker, job.options))
    return own  # nothing under its names but its own: the upload is the one entry


def _settled(job: Job, own: BaseEntry, marker: str | None, token_ids: list[str]) -> Flow[BaseEntry]:
    """Read the other tokens under the upload's names and their entries now; apply rule 8,
    waiting (at most ``SETTLE_WAIT`` s by the clock) while an older upload may still complete
    or a younger run is still deciding. Only the own entry and tokens are ever deleted."""
    state, looks = job.state, 0
    started = yield Now()
    while True:
        looks += 1
        wanted = UploadTokenFilter(id_in=tuple(token_ids), status_in=LISTED_TOKEN_STATUSES)
        call = upload_token.list(wanted, Pager(page_size=FULL_PAGE))
        now: ListPage[UploadToken] = yield from patiently(call, job.options)
        receipts, _ = mine(state, now.objects)
        named = {state.names.entry_of(t.file_name) for t in receipts} - {own.id, None}
        by_id = (yield from entries([i for i in named if i], job.options)) if named else {}
        found = found_of(state, list(now.objects), by_id)
        waited = (yield Now()) - started
        known: Reached = yield Reach()
        pause = SETTLE_PAUSES.pause(looks, 0.0)
        mark, patient = (state.token_id, marker), waited + pause < SETTLE_WAIT
        stalled = _stalled(found, state.names, known.server_time)
        decision = settle(own, mark, found, state.names, patient=patient, stalled=stalled)
        if decision.action is not RecoveryStep.WAIT:
            break
        yield from pause_before(looks, SETTLE_PAUSES, limit=pause)
    gone = set(token_ids) - {t.id for t in now.objects}  # deleted since the run listed them
    if (yield from delete_strays(decision, job.options)):
        gone |= set(decision.stray_tokens)
    job.facts.seen.forget(gone)
    if decision.action is RecoveryStep.RACED:
        raise UploadError(
            f"another run is uploading {job.request.path} too and did not settle within "
            f"{SETTLE_WAIT:.0f} s: this run's entry {own.id} is kept but not reported; re-run "
            "to find which entry the file has",
            state=state,
        )
    return decision.entry or own


def _stalled(found: LookupFindings, names: TokenNames, server_now: float | None) -> frozenset[str]:
    """Return the ids of the entries whose receipts all sat still ``STALLED_AFTER`` s or more."""
    if server_now is None:
        return frozenset()
    moved: dict[str, int] = {}
    for receipt in found.receipts:
        entry_id = names.entry_of(receipt.file_name)
        if entry_id:
            at = receipt.updated_at or receipt.created_at or 0
            moved[entry_id] = max(moved.get(entry_id, at), at)
    return frozenset(e for e, at in moved.items() if server_now - at >= STALLED_AFTER)
