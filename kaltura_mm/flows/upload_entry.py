"""The entry side of an upload: find by referenceId, create in one multiRequest, verify, clean up.

Never duplicate: the entry-creating multiRequest is sent only after a lookup by the upload's
deterministic referenceId found nothing, and is never blindly re-sent when its outcome is unknown
(a lookup comes first again). Cleanup is registered the moment an object exists: the state saved
right after the create names the entry and the token, so a cancel or a failure can delete them.

The create multiRequest also carries the file's first part (``N:fileData``, sent to the token by
reference), so the head costs no round trip of its own; a file of one chunk is then uploaded,
attached and read back (the check) in that single request.
"""

from __future__ import annotations

import contextlib
from typing import Any

import attrs

from kaltura_mm.errors import (
    CategoryEntryExistsError,
    ConfigError,
    EntryNotFoundError,
    InvalidKsError,
    KalturaError,
    ResponseError,
    ServiceForbiddenError,
    TransportError,
    UploadError,
    UploadTokenNotFoundError,
)
from kaltura_mm.flows.effects import Flow, Sleep
from kaltura_mm.flows.upload_job import UploadJob, part_of, patiently
from kaltura_mm.models import (
    BaseEntry,
    BaseEntryFilter,
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
from kaltura_mm.protocol.calls import MultiRequest, Ref
from kaltura_mm.protocol.upload_request import UploadOptions
from kaltura_mm.services import base_entry, category, category_entry, upload_token

# Every status but DELETED: the lookup must see half-made entries, which a plain list hides.
LIVE_STATUSES = tuple(s for s in EntryStatus if s is not EntryStatus.DELETED)
# A plain list also hides entries pending moderation or rejected; the lookup must not.
_ANY_MODERATION = {"moderationStatusIn": "1,2,3,5,6"}
COMPLETE_STATUSES = frozenset(
    {EntryStatus.PRECONVERT, EntryStatus.READY, EntryStatus.PENDING, EntryStatus.MODERATE}
)
ACCEPTED_STATUSES = COMPLETE_STATUSES | {EntryStatus.IMPORT}
_FINISHED_TOKEN = frozenset({UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED})
# baseEntry.list's largest page, and so the most referenceIds one lookup asks for.
LOOKUP_BATCH = 500


@attrs.frozen
class Found:
    """The outcome of a lookup by referenceId made beforehand (``entry`` None: nothing found)."""

    entry: BaseEntry | None


@attrs.frozen
class Creation:
    """What ``create_once`` learned: an entry found complete, or what the create request made.

    ``head`` is the token as the first part left it (None if that part failed); ``entry`` the
    entry read back at the end of the request, sent only for a file of one part.
    """

    existing: BaseEntry | None = None
    head: UploadToken | None = None
    entry: BaseEntry | None = None


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


def _most_advanced(entries: list[BaseEntry]) -> BaseEntry:
    return max(entries, key=lambda e: (e.status in COMPLETE_STATUSES, e.created_at or 0))


def find_existing(reference_id: str, options: UploadOptions) -> Flow[BaseEntry | None]:
    """Return the entry carrying ``reference_id`` (the most advanced one), or None."""
    wanted = BaseEntryFilter(
        reference_id_equal=reference_id, status_in=LIVE_STATUSES, extra=_ANY_MODERATION
    )
    page = yield from patiently(base_entry.list(wanted, Pager(page_size=50)), options)
    entries = [e for e in page.objects if e.reference_id == reference_id]
    return _most_advanced(entries) if entries else None


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
    return {r: Found(_most_advanced(by_id[r]) if r in by_id else None) for r in wanted}


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


def create(job: UploadJob) -> Flow[Creation]:
    """Create entry, token, first part, content link and category links in one multiRequest."""
    batch = MultiRequest()
    entry = batch.add(base_entry.add(_new_entry(job)))
    token = batch.add(upload_token.add(job.request.path.name, job.state.fingerprint.size))
    plan = job.state.book()
    head = batch.add(part_of(job, plan, plan.head, token.id))
    resource = UploadedFileTokenResource(token=token.id)
    steps: list[tuple[str, Ref[Any]]] = [
        ("attach the upload to the entry", batch.add(base_entry.update_content(entry.id, resource)))
    ]
    for category_id in job.request.category_ids:
        link = batch.add(category_entry.add(entry.id, category_id))
        steps.append((f"add the entry to category {category_id}", link))
    # One part is the whole file: read the entry back in the same request (the check).
    final = batch.add(base_entry.get(entry.id)) if len(plan.chunks) == 1 else None
    job.chunks += 1
    job.bytes_sent += plan.head.length
    response = yield batch
    made_entry, made_token = response.outcome(entry), response.outcome(token)
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
    )


def create_once(job: UploadJob, found: Found | None = None) -> Flow[Creation]:
    """Create the entry unless one exists; return what was found complete or made.

    ``found`` is a lookup made beforehand (``upload_many`` batches them); without it, or after a
    create whose outcome is unknown, the lookup is made here first. A half-made entry found by
    referenceId (no content, or content whose token is unknown) is deleted and made again:
    exactly one entry remains either way.
    """
    for _ in range(job.options.max_attempts):
        if found is None:
            found = Found((yield from find_existing(job.state.reference_id, job.options)))
        existing, found = found.entry, None
        if existing is not None and existing.status in COMPLETE_STATUSES:
            return Creation(existing=existing)
        if existing is not None and existing.id:
            yield from _delete_entry(existing.id)
        try:
            return (yield from create(job))
        except (TransportError, ResponseError) as exc:
            # Unknown outcome: the entry may exist now. Look again before anything else.
            job.retries += 1
            yield Sleep(job.options.backoff_base)
            last: KalturaError = exc
    raise UploadError(f"could not create the entry: {last}", state=job.state) from last


def _delete_entry(entry_id: str) -> Flow[None]:
    with contextlib.suppress(EntryNotFoundError):
        yield base_entry.delete(entry_id)


def cleanup(job: UploadJob) -> Flow[None]:
    """Delete the token and the entry this upload made (already gone is fine)."""
    token_id, entry_id = job.state.token_id, job.state.entry_id
    if token_id:
        with contextlib.suppress(UploadTokenNotFoundError):
            yield upload_token.delete(token_id)
    if entry_id:
        yield from _delete_entry(entry_id)
    job.save(attrs.evolve(job.state, token_id=None, entry_id=None, confirmed_offsets=()))


def verify(job: UploadJob) -> Flow[BaseEntry]:
    """Check the token holds the whole file, the entry took it, and the categories are set."""
    entry_id, token_id = job.state.entry_id or "", job.state.token_id
    batch = MultiRequest()
    token = batch.add(upload_token.get(token_id)) if token_id else None
    entry = batch.add(base_entry.get(entry_id))
    links = batch.add(
        category_entry.list(CategoryEntryFilter(entry_id_equal=entry_id), Pager(page_size=500))
    )
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
    return got


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
