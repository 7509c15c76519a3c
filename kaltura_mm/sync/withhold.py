"""A sync prunes only when no add of the same run was refused for permission.

Why: a role the server refuses every add (no ``CONTENT_MANAGE_ASSIGN_CATEGORIES``, or no
``CONTENT_INGEST_REFERENCE_MODIFY``, so nothing it makes would be found again) may still hold what
a detach needs; pruning then leaves the category emptier than both the source and the server
were, a half-done sync. The detaches and deletes of such a run end ``failed`` with the refusal
they were withheld for (``PruneWithheldError``, told as that refusal: exit 4), and nothing is
pruned; the next run, with a role that may add, plans the same prune again.
"""

from __future__ import annotations

from kaltura_mm.errors import (
    KalturaError,
    PruneWithheldError,
    ReferenceIdNotWritableError,
    ServiceForbiddenError,
    UploadError,
)

WITHHELD = (
    "not pruned: an add of this sync was refused, and a sync prunes only when the session may "
    "make every add; "
)


def permission_refusal(error: BaseException | None) -> KalturaError | None:
    """Return the permission refusal that stopped an add (None: it failed otherwise)."""
    if isinstance(error, ReferenceIdNotWritableError | ServiceForbiddenError):
        return error
    if isinstance(error, UploadError) and isinstance(error.__cause__, ServiceForbiddenError):
        return error.__cause__
    return None


def withheld(refusal: KalturaError) -> PruneWithheldError:
    """Return the error a prune withheld because of ``refusal`` ends with (told as its kind)."""
    return PruneWithheldError(WITHHELD, refusal)
