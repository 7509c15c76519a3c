"""Check an upload's result before calling it done, and wait for the entry to be READY.

The check asks, in one multiRequest: the token (finished: plan rule 7; unless this run's own
answers already showed it finished), the entry (it took the upload:
``recover.ACCEPTED_STATUSES``), its category links (a missing one is added again), and the last
look (recover rule 8), so the entry returned is the upload's one entry. The upload's marker
stays until the look decided; then it is deleted (``last_look``).
"""

from __future__ import annotations

import contextlib

from kaltura_mm.errors import CategoryEntryExistsError, EntryNotFoundError, UploadError
from kaltura_mm.flows.membership import LinkQuery
from kaltura_mm.models import BaseEntry, EntryStatus
from kaltura_mm.protocol.calls import MultiRequest
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.poll import NotYet, Waited, poll, steady
from kaltura_mm.services import base_entry, category_entry, upload_token
from kaltura_mm.upload.job import Job, patiently
from kaltura_mm.upload.last_look import add_last_look, last_look
from kaltura_mm.upload.recover import ACCEPTED_STATUSES, held
from kaltura_mm.upload.tidy import delete_token, tidy


def verify(job: Job) -> Flow[BaseEntry]:
    """Check the token holds the whole file, the entry took it, and the categories are set."""
    entry_id, token_id = job.state.entry_id or "", job.state.token_id
    batch = MultiRequest()
    # A book this run completed was completed by the token's own answer showing it finished
    # (plan rules 7 and 9: the tail's, or the truth's): reading the token again proves nothing new.
    read_token = token_id if not job.state.complete else None
    token = batch.add(upload_token.get(read_token)) if read_token else None
    entry = batch.add(base_entry.get(entry_id))
    # entryIdIn, not entryIdEqual: under entitlement the server drops, for entryIdEqual only,
    # the links to categories listed to members only (KalturaCategoryEntryFilter).
    asked = tuple(job.request.category_ids) or None
    links = batch.add(LinkQuery((entry_id,), asked).call())
    # The upload's marker stays until the last look decided (recover rule 8).
    look = add_last_look(batch, job, job.state.marker_id)
    response = yield from patiently(batch, job.options)
    if token is not None and not held(response[token])[1]:  # plan rule 7: the status proves it
        got = response[token]
        raise UploadError(
            f"the upload token {token_id} is not finished (status {got.status.name}, "
            f"{got.uploaded_file_size} of {job.state.fingerprint.size} bytes): resume the upload",
            state=job.state,
        )
    try:
        checked: BaseEntry = response[entry]
    except EntryNotFoundError:
        # The entry is gone (another user deleted it): nothing is left for this run to decide,
        # so its marker goes now. Left, it would tell every later run of this file that a
        # decision is still coming, and each would wait for it (recover rule 8).
        if job.state.marker_id:
            marker = job.state.marker_id
            yield from tidy(f"the upload's marker {marker}", delete_token(marker, job.options))
        raise
    if checked.status not in ACCEPTED_STATUSES:
        raise UploadError(f"entry {entry_id} ended in status {checked.status}", state=job.state)
    linked = {link.category_id for link in response[links].objects}
    for category_id in set(job.request.category_ids) - linked:
        # Patient: a link whose answer was lost (or a 504 page after it ran) is sent again, and
        # the second finds it made (issue 18 F, job_workers seed 741: a bare add ended the upload).
        with contextlib.suppress(CategoryEntryExistsError):
            yield from patiently(category_entry.add(entry_id, category_id), job.options)
    return (yield from last_look(job, checked, response, look))


def wait_ready(job: Job, entry: BaseEntry) -> Flow[BaseEntry]:
    """Poll the entry until READY; fail on an error status or after ``ready_timeout``."""
    options = job.options
    looked = False

    def look() -> Flow[BaseEntry | NotYet[None]]:
        nonlocal entry, looked
        if looked:
            entry = yield from patiently(base_entry.get(entry.id), options)
        looked = True
        if entry.status in (EntryStatus.ERROR_CONVERTING, EntryStatus.ERROR_IMPORTING):
            raise UploadError(f"entry {entry.id} failed to convert ({entry.status.name})")
        return entry if entry.status is EntryStatus.READY else NotYet()

    def late(_: Waited) -> UploadError:
        return UploadError(
            f"entry {entry.id} is not READY after {options.ready_timeout:.0f} s "
            f"(status {entry.status}); it is uploaded and still converting"
        )

    every, what = steady(options.ready_poll_interval), f"entry {entry.id} to be READY"
    bound = options.ready_timeout
    return (yield from poll(look, what=what, bound=bound, every=every, give_up=late))
