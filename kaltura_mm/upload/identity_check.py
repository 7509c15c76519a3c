"""Whether this session may write the upload's referenceId, found before any of a file is sent.

Setting ``referenceId`` needs ``CONTENT_INGEST_REFERENCE_MODIFY``, which the default user-session
role lacks; the server then drops the field silently: the entry is made with referenceId null,
and only a response header says why (spec 13).

- An upload finds what it made by its upload tokens (receipt and marker, which a user session
  owns and lists: ``kaltura_mm.upload.recover``), not by referenceId, so by default it goes on:
  the create's answer shows the drop, and the batch remembers it (``SessionFacts``).
- Sync matches a folder's files to a category's entries by referenceId (``referenceIdIn``): it
  sets ``UploadOptions.require_reference_id``. Then a create request *probes* until one answer
  showed the referenceId kept: it carries no part of the file, and a dropped referenceId deletes
  what the create made and raises ``ReferenceIdNotWritableError`` naming the permission and the
  fix (``kaltura_mm.upload.create``). A session with the partner administrator's role for
  certain (an ADMIN KS the client signs with no user and no ``setrole``:
  ``Reached.full_rights``) never probes; the uploads of one batch share what the first answer
  showed, so the probe costs one request per file of the first wave, once per run.
"""

from __future__ import annotations

from typing import Any

from kaltura_mm.errors import ReferenceIdNotWritableError
from kaltura_mm.models import BaseEntry
from kaltura_mm.runtime.effects import Flow, Reach, Reached
from kaltura_mm.upload.job import Job


def needs_probe(job: Job, into: BaseEntry | None) -> Flow[bool]:
    """Return whether the create of ``job`` must probe the referenceId first (no part sent).

    Only a create that makes the entry, for an upload that requires the referenceId, probes.
    """
    if not job.options.require_reference_id:
        return False
    if into is not None or job.facts.reference_id_kept:
        return False
    if job.facts.reference_id_kept is False:  # another file of the batch was refused
        raise _refusal(job, None)
    known: Reached = yield Reach()
    return not known.full_rights


DELETED = "what the create made was deleted"  # replaced when the session may not delete it


def dropped_reference(job: Job, made: Any) -> ReferenceIdNotWritableError | None:
    """Remember whether the entry ``made`` kept the referenceId sent; return the refusal if not
    and the upload requires it (``made``: the create's answer for the entry; an error there is
    handled as a failed create)."""
    if not isinstance(made, BaseEntry):
        return None
    if made.reference_id == job.state.reference_id:
        job.facts.reference_id_kept = True
        return None
    job.facts.reference_id_kept = False
    return _refusal(job, made.reference_id) if job.options.require_reference_id else None


def _refusal(job: Job, came_back: str | None) -> ReferenceIdNotWritableError:
    permission = ReferenceIdNotWritableError.permission
    return ReferenceIdNotWritableError(
        f"the server dropped the entry's referenceId ({job.state.reference_id!r} came back "
        f"{came_back!r}): this session's role lacks the permission {permission}, and an "
        "entry without its referenceId is not found again (a re-run or a sync would make it "
        f"twice). Nothing of the file was sent and {DELETED}. Upload with "
        "an admin session (the admin secret, or an ADMIN KS), or have the account's "
        f"administrator give this user's role {permission} (or start the KS with setrole: a "
        "role that has it)",
        state=job.state,
    )
