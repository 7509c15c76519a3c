"""Create what an upload needs, once: decide from a lookup, then one multiRequest; clean up.

Never duplicate, never leave a token open: the entry-creating multiRequest is sent only after a
lookup by the upload's deterministic referenceId (and, when a half-made entry turns up, by its
token's deterministic fileName) decided that nothing reusable exists; a half-made entry with its
token is continued, not remade (rules in ``kaltura_mm.upload.recover``). A create whose outcome is
unknown is never blindly sent again: the lookup comes first again. Cleanup is registered the
moment an object exists: the state saved right after the create names the entry and the token,
so a cancel or a failure can delete them.

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
    CategoryNotFoundError,
    ConfigError,
    InvalidKsError,
    KalturaError,
    ResponseError,
    ServiceForbiddenError,
    TransportError,
    UploadError,
    UploadTokenNotFoundError,
)
from kaltura_mm.models import (
    BaseEntry,
    DocumentEntry,
    EntryType,
    MediaEntry,
    UploadedFileTokenResource,
    UploadToken,
)
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow, Sleep
from kaltura_mm.services import base_entry, category, category_entry, upload_token
from kaltura_mm.upload.job import Job, part_of
from kaltura_mm.upload.lookup import (
    Found,
    LastLook,
    add_last_look,
    after_lookup,
    delete_entry,
    find_existing,
)
from kaltura_mm.upload.recover import Action


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
    """Return which of ``category_ids`` do not exist (or this session cannot see).

    Read by id (``category.get``, in one multiRequest), not listed: a list reads the search
    index, which does not show a category made a moment ago (``--create-categories``).
    """
    if not category_ids:
        return set()
    batch = MultiRequest()
    refs = {c: batch.add(category.get(c)) for c in category_ids}
    answer: MultiResponse = yield batch
    missing = set()
    for category_id, ref in refs.items():
        got = answer.outcome(ref)
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


def check_categories(category_ids: tuple[int, ...]) -> Flow[None]:
    """Refuse unknown categories before anything is created."""
    missing = yield from missing_categories(category_ids)
    if missing:
        raise unknown_categories_error(missing)


def _new_entry(job: Job) -> BaseEntry:
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


@attrs.frozen
class _Made:
    """Where each part of the create request sits in its multiRequest."""

    entry: Ref[BaseEntry] | None
    token: Ref[UploadToken]
    head: Ref[UploadToken]
    steps: tuple[tuple[str, Ref[Any]], ...]
    final: Ref[BaseEntry] | None
    look: LastLook | None


def _create_request(job: Job, into: BaseEntry | None) -> tuple[MultiRequest, _Made]:
    """Build entry (unless ``into``), token, first part, attach and category links, one batch."""
    batch = MultiRequest()
    entry = None if into is not None else batch.add(base_entry.add(_new_entry(job)))
    entry_id = entry.id if entry is not None else (into.id if into is not None else None) or ""
    token = batch.add(upload_token.add(job.state.token_file_name, job.state.fingerprint.size))
    plan = job.state.book()
    head = batch.add(part_of(job, plan, plan.head, token.id))
    resource = UploadedFileTokenResource(token=token.id)
    attach = batch.add(base_entry.update_content(entry_id, resource))
    steps: list[tuple[str, Ref[Any]]] = [("attach the upload to the entry", attach)]
    for category_id in job.request.category_ids:
        link = batch.add(category_entry.add(entry_id, category_id))
        steps.append((f"add the entry to category {category_id}", link))
    # One part is the whole file: read the entry back (the check) and look last, same request.
    final = batch.add(base_entry.get(entry_id)) if len(plan.chunks) == 1 else None
    look = add_last_look(batch, job) if final is not None else None
    return batch, _Made(entry, token, head, tuple(steps), final, look)


def create(job: Job, into: BaseEntry | None = None) -> Flow[tuple[Job, Creation]]:
    """Create entry (unless ``into`` is given), token, first part and links in one multiRequest."""
    batch, made = _create_request(job, into)
    response: MultiResponse = yield batch
    made_entry: Any = response.outcome(made.entry) if made.entry else into or BaseEntry()
    made_token = response.outcome(made.token)
    job = job.saved(
        attrs.evolve(
            job.state,
            entry_id=None if isinstance(made_entry, KalturaError) else made_entry.id,
            token_id=None if isinstance(made_token, KalturaError) else made_token.id,
        )
    )
    failures = [("create the entry", made_entry), ("create the upload token", made_token)]
    failures += [(what, response.outcome(ref)) for what, ref in made.steps]
    for what, outcome in failures:
        if isinstance(outcome, KalturaError) and not isinstance(outcome, CategoryEntryExistsError):
            job = yield from cleanup(job)
            raise UploadError(_explain(what, outcome), state=job.state) from outcome
    sent = response.outcome(made.head)
    read: Any = response.outcome(made.final) if made.final else None
    return job, Creation(
        head=None if isinstance(sent, KalturaError) else sent,
        entry=read if isinstance(read, BaseEntry) else None,
        response=response,
        look=made.look,
    )


def create_once(job: Job, found: Found | None = None) -> Flow[tuple[Job, Creation]]:
    """Create the entry unless the lookup found one to keep or continue; return the outcome.

    ``found`` is a lookup made beforehand (``upload_many`` batches them); without it, or after a
    create whose outcome is unknown, the lookup is made here first. What it found is decided by
    ``recover.decide``: a complete entry is the result, a half-made one with its open token is
    continued, a half-made one without content gets a new token, anything else is deleted (with
    every open token of the upload) before one new entry is made.
    """
    for _ in range(job.options.max_attempts):
        if found is None:
            found = yield from find_existing(job.state.reference_id, job.options)
        decision = yield from after_lookup(job, found)
        found = None
        if decision.action is Action.EXISTING:
            return job, Creation(existing=decision.entry)
        if decision.action is Action.RESUME and decision.entry and decision.token:
            entry_id, token_id = decision.entry.id, decision.token.id
            state = attrs.evolve(
                job.state, entry_id=entry_id, token_id=token_id, confirmed_offsets=()
            )
            job = job.saved(state)
            return job, Creation(resumed=decision.token)
        into = decision.entry if decision.action is Action.ATTACH else None
        job = job.sent(job.state.book().head.length)  # the head rides in the create request
        try:
            return (yield from create(job, into))
        except (TransportError, ResponseError) as exc:
            # Unknown outcome: the entry may exist now. Look again before anything else.
            job = job.retried()
            yield Sleep(job.options.backoff_base)
            last: KalturaError = exc
    raise UploadError(f"could not create the entry: {last}", state=job.state) from last


def cleanup(job: Job) -> Flow[Job]:
    """Delete the token and the entry this upload made (already gone is fine)."""
    token_id, entry_id = job.state.token_id, job.state.entry_id
    if token_id:
        with contextlib.suppress(UploadTokenNotFoundError):
            yield upload_token.delete(token_id)
    if entry_id:
        yield from delete_entry(entry_id)
    return job.saved(attrs.evolve(job.state, token_id=None, entry_id=None, confirmed_offsets=()))
