"""The entry side of an upload: decide from a lookup, create in one multiRequest, verify, clean up.

Never duplicate, never leave a token open: the entry-creating multiRequest is sent only after a
lookup by the upload's deterministic referenceId (and, when a half-made entry turns up, by its
token's deterministic fileName) decided that nothing reusable exists; a half-made entry with its
token is continued, not remade (rules in ``kaltura_mm.protocol.upload_recovery``). A create whose
outcome is unknown is never blindly re-sent: the lookup comes first again. Cleanup is registered
the moment an object exists: the state saved right after the create names the entry and the
token, so a cancel or a failure can delete them.

The create multiRequest also carries the file's first part (``N:fileData``, sent to the token by
reference), so the head costs no round trip of its own; a file of one chunk is then uploaded,
attached, read back (the check) and looked at last (``add_last_look``) in that single request.
"""

from __future__ import annotations

import contextlib
from typing import Any

import attrs

from kaltura_mm.errors import (
    CategoryEntryExistsError,
    ConfigError,
    InvalidKsError,
    KalturaError,
    ResponseError,
    ServiceForbiddenError,
    TransportError,
    UploadError,
    UploadTokenNotFoundError,
)
from kaltura_mm.flows.upload_job import UploadJob, part_of, patiently
from kaltura_mm.flows.upload_lookup import (
    Found,
    LastLook,
    add_last_look,
    after_lookup,
    delete_entry,
    find_existing,
    last_look,
)
from kaltura_mm.models import (
    BaseEntry,
    CategoryEntryFilter,
    CategoryFilter,
    DocumentEntry,
    EntryStatus,
    EntryType,
    MediaEntry,
    Pager,
    UploadedFileTokenResource,
    UploadToken,
    UploadTokenStatus,
)
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref
from kaltura_mm.protocol.upload_recovery import COMPLETE_STATUSES, Action
from kaltura_mm.runtime.effects import Flow, Sleep
from kaltura_mm.services import base_entry, category, category_entry, upload_token

ACCEPTED_STATUSES = COMPLETE_STATUSES | {EntryStatus.IMPORT}
_FINISHED_TOKEN = frozenset({UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED})


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


def missing_categories(category_ids: tuple[int, ...]) -> Flow[set[int]]:
    """Return which of ``category_ids`` do not exist (or this session cannot see)."""
    if not category_ids:
        return set()
    page = yield category.list(CategoryFilter(id_in=category_ids), Pager(page_size=500))
    return set(category_ids) - {c.id for c in page.objects}


def unknown_categories_error(missing: set[int]) -> ConfigError:
    """Return the error for categories that do not exist."""
    return ConfigError(
        f"category {', '.join(map(str, sorted(missing)))} does not exist (or this session cannot "
        "see it): check the id with `kaltura-mm categories`"
    )


def check_categories(category_ids: tuple[int, ...]) -> Flow[None]:
    """Refuse unknown categories before anything is created."""
    missing = yield from missing_categories(category_ids)
    if missing:
        raise unknown_categories_error(missing)


def _new_entry(job: UploadJob) -> BaseEntry:
    request = job.request
    fields: dict[str, Any] = {
        "name": request.entry_name,
        "description": request.description,
        "tags": ",".join(request.tags) or None,
        "reference_id": job.state.reference_id,
        "user_id": request.owner_user_id,
    }
    if job.kind.entry_type is EntryType.DOCUMENT:
        return DocumentEntry(document_type=job.kind.document_type, **fields)
    return MediaEntry(media_type=job.kind.media_type, **fields)


def _explain(what: str, error: KalturaError) -> str:
    if isinstance(error, ServiceForbiddenError | InvalidKsError):
        return f"this session may not {what} ({error}): use a KS with the rights to upload"
    return f"could not {what}: {error}"


def create(job: UploadJob, into: BaseEntry | None = None) -> Flow[Creation]:
    """Create entry (unless ``into`` is given), token, first part and links in one multiRequest."""
    batch = MultiRequest()
    entry = None if into is not None else batch.add(base_entry.add(_new_entry(job)))
    entry_id = entry.id if entry is not None else (into.id if into is not None else None) or ""
    size = job.state.fingerprint.size
    token = batch.add(upload_token.add(job.state.token_file_name, size))
    plan = job.state.book()
    head = batch.add(part_of(job, plan, plan.head, token.id))
    resource = UploadedFileTokenResource(token=token.id)
    steps: list[tuple[str, Ref[Any]]] = [
        ("attach the upload to the entry", batch.add(base_entry.update_content(entry_id, resource)))
    ]
    for category_id in job.request.category_ids:
        link = batch.add(category_entry.add(entry_id, category_id))
        steps.append((f"add the entry to category {category_id}", link))
    # One part is the whole file: read the entry back (the check) and look last, same request.
    final = batch.add(base_entry.get(entry_id)) if len(plan.chunks) == 1 else None
    look = add_last_look(batch, job) if final is not None else None
    job.chunks += 1
    job.bytes_sent += plan.head.length
    response = yield batch
    made_entry = response.outcome(entry) if entry is not None else into or BaseEntry()
    made_token = response.outcome(token)
    job.save(
        attrs.evolve(
            job.state,
            entry_id=None if isinstance(made_entry, KalturaError) else made_entry.id,
            token_id=None if isinstance(made_token, KalturaError) else made_token.id,
        )
    )
    failures = [("create the entry", made_entry), ("create the upload token", made_token)]
    failures += [(what, response.outcome(ref)) for what, ref in steps]
    for what, outcome in failures:
        if isinstance(outcome, KalturaError) and not isinstance(outcome, CategoryEntryExistsError):
            yield from cleanup(job)
            raise UploadError(_explain(what, outcome), state=job.state) from outcome
    sent, read = response.outcome(head), response.outcome(final) if final else None
    return Creation(
        head=None if isinstance(sent, KalturaError) else sent,
        entry=read if isinstance(read, BaseEntry) else None,
        response=response,
        look=look,
    )


def create_once(job: UploadJob, found: Found | None = None) -> Flow[Creation]:
    """Create the entry unless the lookup found one to keep or continue; return the outcome.

    ``found`` is a lookup made beforehand (``upload_many`` batches them); without it, or after a
    create whose outcome is unknown, the lookup is made here first. What it found is decided by
    ``upload_recovery.decide``: a complete entry is the result, a half-made one with its open
    token is continued, a half-made one without content gets a new token, anything else is
    deleted (with every open token of the upload) before one new entry is made.
    """
    for _ in range(job.options.max_attempts):
        if found is None:
            found = yield from find_existing(job.state.reference_id, job.options)
        decision = yield from after_lookup(job, found)
        found = None
        if decision.action is Action.EXISTING:
            return Creation(existing=decision.entry)
        if decision.action is Action.RESUME and decision.entry and decision.token:
            entry_id, token_id = decision.entry.id, decision.token.id
            job.save(
                attrs.evolve(job.state, entry_id=entry_id, token_id=token_id, confirmed_offsets=())
            )
            return Creation(resumed=decision.token)
        into = decision.entry if decision.action is Action.ATTACH else None
        try:
            return (yield from create(job, into))
        except (TransportError, ResponseError) as exc:
            # Unknown outcome: the entry may exist now. Look again before anything else.
            job.retries += 1
            yield Sleep(job.options.backoff_base)
            last: KalturaError = exc
    raise UploadError(f"could not create the entry: {last}", state=job.state) from last


def cleanup(job: UploadJob) -> Flow[None]:
    """Delete the token and the entry this upload made (already gone is fine)."""
    token_id, entry_id = job.state.token_id, job.state.entry_id
    if token_id:
        with contextlib.suppress(UploadTokenNotFoundError):
            yield upload_token.delete(token_id)
    if entry_id:
        yield from delete_entry(entry_id)
    job.save(attrs.evolve(job.state, token_id=None, entry_id=None, confirmed_offsets=()))


def verify(job: UploadJob) -> Flow[BaseEntry]:
    """Check the token holds the whole file, the entry took it, and the categories are set.

    The last look rides in the same request: the entry returned is the upload's one entry.
    """
    entry_id, token_id = job.state.entry_id or "", job.state.token_id
    batch = MultiRequest()
    token = batch.add(upload_token.get(token_id)) if token_id else None
    entry = batch.add(base_entry.get(entry_id))
    links = batch.add(
        category_entry.list(CategoryEntryFilter(entry_id_equal=entry_id), Pager(page_size=500))
    )
    look = add_last_look(batch, job)
    response = yield from patiently(batch, job.options)
    size = job.state.fingerprint.size
    if token is not None:
        held = response[token]
        if held.status not in _FINISHED_TOKEN or held.uploaded_file_size != size:
            raise UploadError(
                f"the server holds {held.uploaded_file_size} of {size} bytes "
                f"(token status {held.status}): resume the upload",
                state=job.state,
            )
    got: BaseEntry = response[entry]
    if got.status not in ACCEPTED_STATUSES:
        raise UploadError(f"entry {entry_id} ended in status {got.status}", state=job.state)
    linked = {link.category_id for link in response[links].objects}
    for category_id in set(job.request.category_ids) - linked:
        with contextlib.suppress(CategoryEntryExistsError):
            yield category_entry.add(entry_id, category_id)
    return (yield from last_look(job, got, response, look))


def wait_ready(job: UploadJob, entry: BaseEntry) -> Flow[BaseEntry]:
    """Poll the entry until READY; fail on an error status or after ``ready_timeout``."""
    waited = 0.0
    options = job.options
    while entry.status is not EntryStatus.READY:
        if entry.status in (EntryStatus.ERROR_CONVERTING, EntryStatus.ERROR_IMPORTING):
            raise UploadError(f"entry {entry.id} failed to convert ({entry.status.name})")
        if waited >= options.ready_timeout:
            raise UploadError(
                f"entry {entry.id} is not READY after {options.ready_timeout:.0f} s "
                f"(status {entry.status}); it is uploaded and still converting"
            )
        yield Sleep(options.ready_poll_interval)
        waited += options.ready_poll_interval
        entry = yield base_entry.get(entry.id or "")
    return entry
