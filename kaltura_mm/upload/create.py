"""Create what an upload needs, once: decide from an exact lookup, then one multiRequest; clean up.

Never duplicate, never leave a token open: the entry-creating multiRequest is sent only after a
lookup by the upload's token names (exact: the database) decided that nothing reusable exists;
a half-made entry with its token is continued, not remade (rules in ``kaltura_mm.upload.recover``).
A create whose outcome is unknown is never blindly sent again: the lookup comes first again, and
the create request is built so that the lookup can always tell what it made:

1. ``uploadToken.add`` of the *marker* (the upload's marker name): a create has begun;
2. ``baseEntry.add`` with the upload's referenceId;
3. ``uploadToken.add`` of the *receipt*, whose fileName the server completes with the entry's id
   (a result reference inside the name): the token that names its entry;
4. ``uploadToken.upload`` of the file's first part into the receipt (``N:fileData``), so the
   head costs no round trip of its own;
5. ``baseEntry.updateContent`` attaching the receipt to the entry, then ``categoryEntry.add``;
6. for a file of one part: ``baseEntry.get`` (the check) and the last look (``add_last_look``),
   so a small file is uploaded, attached, checked and settled in this one request. The marker
   goes in a request of its own once the look decided (recover rule 8).

A session that may not write ``referenceId`` (a USER KS under the default user role lacks
``CONTENT_INGEST_REFERENCE_MODIFY``) gets the entry with the field dropped: null in the answer,
only a header saying why (spec 13). An upload that requires it (``require_reference_id``: sync)
*probes* (``kaltura_mm.upload.identity_check``): its create request carries no part of the file
until one answer showed the referenceId kept, and a drop deletes what the create made and raises
``ReferenceIdNotWritableError`` before a byte is sent.

Cleanup is registered the moment an object exists: the state saved right after the create names
the entry, the receipt and the marker, so a cancel or a failure can delete them. The attach or a
link the rate limiter blocked (``ACTION_BLOCKED``: it did not run) while later items ran is sent
again alone, not taken for a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from kaltura_mm.errors import (
    CategoryEntryExistsError,
    CategoryNotFoundError,
    ConfigError,
    InvalidKsError,
    KalturaError,
    ReferenceIdNotWritableError,
    ResponseError,
    ServiceForbiddenError,
    TransportError,
    UploadError,
)
from kaltura_mm.models import (
    BaseEntry,
    BaseEntryParams,
    DocumentEntryParams,
    EntryType,
    MediaEntryParams,
    Pager,
    UploadedFileTokenResource,
    UploadToken,
    UploadTokenFilter,
)
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.throttle import is_blocked
from kaltura_mm.services import base_entry, category, category_entry, upload_token
from kaltura_mm.upload.identity_check import DELETED, dropped_reference, needs_probe
from kaltura_mm.upload.job import Job, failed_again, part_of, patiently
from kaltura_mm.upload.last_look import LastLook, add_last_look
from kaltura_mm.upload.lookup import after_lookup, find_existing
from kaltura_mm.upload.recover import OPEN_TOKEN_STATUSES, LookupFindings, RecoveryStep
from kaltura_mm.upload.request import UploadOptions
from kaltura_mm.upload.tidy import delete_entry, delete_token
from kaltura_mm.upload.unmark import Carried


@attrs.frozen
class Creation:
    """What ``create_once`` learned: an entry found complete, a token to resume, or what it made.

    ``resumed`` is a half-made upload's token, found open and continued (its entry is in the
    state); ``head`` the token as the create request's first part left it (None if that part
    failed); ``entry`` the entry read back at the end of that request, with ``response`` and
    ``look`` holding its last look (a file of one part only).
    """

    existing: BaseEntry | None = None
    resumed: UploadToken | None = None
    head: UploadToken | None = None
    entry: BaseEntry | None = None
    response: MultiResponse | None = None
    look: LastLook | None = None


def missing_categories(
    category_ids: tuple[int, ...], options: UploadOptions | None = None
) -> Flow[set[int]]:
    """Return which of ``category_ids`` do not exist (or this session cannot see).

    Read by id (``category.get``, in one multiRequest), not listed: a list reads the search
    index, which does not show a category made a moment ago (``--create-categories``). A read,
    so sent patiently: an outage before the upload starts is ridden out like one during it.
    """
    if not category_ids:
        return set()
    batch = MultiRequest()
    refs = {c: batch.add(category.get(c)) for c in category_ids}
    answer: MultiResponse = yield from patiently(batch, options or UploadOptions())
    return missing_of(answer, refs)


def missing_of(answer: MultiResponse, refs: dict[int, Ref[Any]]) -> set[int]:
    """Return the category ids whose read answered "not found"; raise any other refusal."""
    return missing_among(tuple(refs), [answer.outcome(ref) for ref in refs.values()])


def missing_among(category_ids: tuple[int, ...], outcomes: Sequence[Any]) -> set[int]:
    """Return the ids whose ``category.get`` outcome (in order) is "not found"; raise any other
    refusal."""
    missing = set()
    for category_id, got in zip(category_ids, outcomes, strict=True):
        if isinstance(got, CategoryNotFoundError):
            missing.add(category_id)
        elif isinstance(got, KalturaError):
            raise got
    return missing


def unknown_categories_error(missing: set[int]) -> ConfigError:
    """Return the error for categories that do not exist."""
    return ConfigError(
        f"category {', '.join(map(str, sorted(missing)))} does not exist (or this session cannot "
        "see it): check the id with `kaltura-mm categories`"
    )


def check_categories(
    category_ids: tuple[int, ...], options: UploadOptions | None = None
) -> Flow[None]:
    """Refuse unknown categories before anything is created."""
    missing = yield from missing_categories(category_ids, options)
    if missing:
        raise unknown_categories_error(missing)


def _new_entry(job: Job) -> BaseEntryParams:
    request = job.request
    fields: dict[str, Any] = {
        "name": request.entry_name,
        "description": request.description,
        "tags": ",".join(request.tags) or None,
        "reference_id": job.state.reference_id,
        "user_id": request.owner_user_id,
    }
    if job.kind.entry_type is EntryType.DOCUMENT:
        return DocumentEntryParams(document_type=job.kind.document_type, **fields)
    return MediaEntryParams(media_type=job.kind.media_type, **fields)


def _explain(what: str, error: KalturaError) -> str:
    if isinstance(error, ServiceForbiddenError | InvalidKsError):
        return f"this session may not {what} ({error}): use a KS with the rights to upload"
    return f"could not {what}: {error}"


@attrs.frozen
class _Made:
    """Where each part of the create request sits in its multiRequest."""

    marker: Ref[UploadToken] | None
    entry: Ref[BaseEntry] | None
    token: Ref[UploadToken]
    head: Ref[UploadToken] | None
    steps: tuple[tuple[str, Ref[Any], int | None], ...]  # category id, None: the attach
    final: Ref[BaseEntry] | None
    look: LastLook | None
    carried: Carried


def _create_request(
    job: Job, into: BaseEntry | None, probe: bool = False
) -> tuple[MultiRequest, _Made]:
    """Build marker and entry (unless ``into``), receipt, first part, attach, links: one batch.

    ``probe``: no part of the file goes, and no read-back (the referenceId is checked first).
    """
    batch, names, size = MultiRequest(), job.state.names, job.state.fingerprint.size
    marker = batch.add(upload_token.add(names.marker, size)) if into is None else None
    entry = batch.add(base_entry.add(_new_entry(job))) if into is None else None
    if entry is not None:
        entry_id: str = entry.id
        receipt: str = entry.id.within(*names.receipt_parts())
    else:
        entry_id = (into.id if into is not None else None) or ""
        receipt = names.receipt(entry_id)
    token = batch.add(upload_token.add(receipt, size))
    plan = job.state.book()
    head = None if probe else batch.add(part_of(job, plan, plan.head, token.id))
    resource = UploadedFileTokenResource(token=token.id)
    attach = batch.add(base_entry.update_content(entry_id, resource))
    attaching = ("attach the upload to the entry", attach, None)
    steps: list[tuple[str, Ref[Any], int | None]] = [attaching]
    for category_id in job.request.category_ids:
        link = batch.add(category_entry.add(entry_id, category_id))
        steps.append((f"add the entry to category {category_id}", link, category_id))
    # One part is the whole file: read the entry back (the check) and look last, same request.
    final = batch.add(base_entry.get(entry_id)) if len(plan.chunks) == 1 and not probe else None
    look = add_last_look(batch, job, marker) if final is not None else None
    # Decided markers of the batch's other files go with it (``kaltura_mm.upload.unmark``).
    carried = job.facts.unmarks.ride(batch)
    return batch, _Made(marker, entry, token, head, tuple(steps), final, look, carried)


def _id_of(outcome: Any) -> str | None:
    return None if outcome is None or isinstance(outcome, KalturaError) else outcome.id


def create(
    job: Job, into: BaseEntry | None = None, probe: bool = False
) -> Flow[tuple[Job, Creation]]:
    """Create marker, entry (unless ``into`` is given), receipt, first part and links at once.

    ``probe``: without the first part, refusing a dropped referenceId before any byte is sent.
    """
    batch, made = _create_request(job, into, probe)
    try:
        response: MultiResponse = yield batch
    except BaseException:
        job.facts.unmarks.answered(made.carried, None)  # queued again for the next request
        raise
    job.facts.unmarks.answered(made.carried, response)
    made_entry: Any = response.outcome(made.entry) if made.entry else into
    made_token = response.outcome(made.token)
    marker = _id_of(response.outcome(made.marker)) if made.marker else None
    job = job.saved(
        attrs.evolve(
            job.state,
            entry_id=_id_of(made_entry),
            token_id=_id_of(made_token),
            marker_id=marker,
        )
    )
    failures = [("create the entry", made_entry), ("create the upload token", made_token)]
    for what, ref, category_id in made.steps:
        outcome = response.outcome(ref)
        if is_blocked(outcome) and job.state.entry_id and job.state.token_id:
            outcome = yield from _sent_again(job, category_id)  # it did not run: no failure
        failures.append((what, outcome))
    for what, outcome in failures:
        if isinstance(outcome, KalturaError) and not isinstance(outcome, CategoryEntryExistsError):
            job, left = yield from _cleanup_after_refusal(job)
            if isinstance(made_entry, KalturaError):
                yield from _sweep_nameless(job)
            message = _explain(what, outcome) + (f"; {left}" if left else "")
            raise UploadError(message, state=job.state) from outcome
    refused = dropped_reference(job, made_entry) if made.entry is not None else None
    if refused is not None:
        job, left = yield from _cleanup_after_refusal(job)
        if left:
            refused = ReferenceIdNotWritableError(str(refused).replace(DELETED, left))
        refused.state = job.state  # nothing left to resume (or abort, if left): starts over
        raise refused
    sent: Any = response.outcome(made.head) if made.head is not None else None
    read: Any = response.outcome(made.final) if made.final else None
    return job, Creation(
        head=None if isinstance(sent, KalturaError) else sent,
        entry=read if isinstance(read, BaseEntry) else None,
        response=response,
        look=made.look,
    )


def _sent_again(job: Job, category_id: int | None) -> Flow[Any]:
    """Send alone a step the rate limiter blocked in the create request while later ones ran."""
    entry_id = job.state.entry_id or ""
    try:
        if category_id is None:
            resource = UploadedFileTokenResource(token=job.state.token_id or "")
            return (yield base_entry.update_content(entry_id, resource))
        return (yield from patiently(category_entry.add(entry_id, category_id), job.options))
    except KalturaError as exc:
        return exc


def _sweep_nameless(job: Job) -> Flow[None]:
    """Delete the receipt a failed ``baseEntry.add`` left: its name holds no entry id.

    The server ran the receipt's ``uploadToken.add`` with the failed item's reference as ""
    (rule 2 of ``kaltura_mm.protocol.calls``), so the token exists but its answer does not count.
    """
    nameless = UploadTokenFilter(
        file_name_equal=job.state.names.receipt(""), status_in=OPEN_TOKEN_STATUSES
    )
    page = yield from patiently(upload_token.list(nameless, Pager(page_size=50)), job.options)
    for token in page.objects:
        yield from delete_token(token.id, job.options)


def create_once(job: Job, found: LookupFindings | None = None) -> Flow[tuple[Job, Creation]]:
    """Create the entry unless the lookup found one to keep or continue; return the outcome.

    ``found`` is a lookup made beforehand (``upload_many`` batches them); without it, or after a
    create whose outcome is unknown, the lookup is made here first. What it found is decided by
    ``recover.decide``: a complete entry is the result, a half-made one with its open receipt is
    continued, one without content gets a new receipt, a marker with nothing after it waits for
    the index, anything else is deleted (with every open token of the upload) before one new
    entry is made.
    """
    options = job.options
    for attempt in range(1, options.max_attempts + 1):
        if found is None:
            found = yield from find_existing(job.state, job.options, job.facts.seen)
        decision = yield from after_lookup(job, found)
        found = None
        if decision.action is RecoveryStep.EXISTING:
            return job, Creation(existing=decision.entry)
        if decision.action is RecoveryStep.RESUME and decision.entry and decision.token:
            entry_id, token_id = decision.entry.id, decision.token.id
            state = attrs.evolve(
                job.state, entry_id=entry_id, token_id=token_id, confirmed_offsets=()
            )
            job = job.saved(state)
            return job, Creation(resumed=decision.token)
        into = decision.entry if decision.action is RecoveryStep.ATTACH else None
        probe = yield from needs_probe(job, into)
        if not probe:
            job = job.sent(job.state.book().head.length)  # the head rides in the create request
        try:
            return (yield from create(job, into, probe))
        except (TransportError, ResponseError) as exc:
            # Unknown outcome: the entry may exist now. Look again before anything else.
            job = job.retried()
            last: KalturaError = exc
            if not (yield from failed_again(attempt, options)):
                break
    raise UploadError(f"could not create the entry: {last}", state=job.state) from last


def _cleanup_after_refusal(job: Job) -> Flow[tuple[Job, str]]:
    """Delete what a refused create made; return the job and, when the session may not delete
    it either, a sentence naming what is left. The first refusal is what the user must fix, so
    the clean-up's own refusal never takes its place; the state keeps what is left, for
    ``uploads abort`` with a session that may delete it."""
    try:
        return (yield from cleanup(job)), ""
    except ServiceForbiddenError as exc:
        what = exc.kaltura_args.get("SERVICE", exc.call)
        left = (
            f"the entry {job.state.entry_id} it made is left on the server (this session may "
            f"not call {what} either): `kaltura-mm uploads abort` with a session that may "
            "delete entries removes it"
        )
        return job, left


def cleanup(job: Job) -> Flow[Job]:
    """Delete the tokens and the entry this upload made (already gone is fine)."""
    for token_id in (job.state.token_id, job.state.marker_id):
        if token_id:
            yield from delete_token(token_id, job.options)
    if job.state.entry_id:
        yield from delete_entry(job.state.entry_id, job.options)
    forgotten = attrs.evolve(
        job.state, token_id=None, entry_id=None, marker_id=None, confirmed_offsets=()
    )
    return job.saved(forgotten)
