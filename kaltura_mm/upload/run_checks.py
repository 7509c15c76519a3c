"""What an upload run checks once, before any file's create: its categories, and what the
session's role may do, riding the request the run's lookup sends anyway.

``category.get`` per category id (not a list: the search index does not show a category made a
moment ago), and ``permission.getCurrentPermissions`` beside them: what the role holds, so a run
the server would refuse half way (after ``baseEntry.add`` made the entry) is refused before it
makes anything (``kaltura_mm.upload.permissions_needed``). Both ride the run's first lookup
request (``look_up``, the lookup of every fresh file at once: reads only, nothing is made before
the checks are read); only if that lookup cannot be made are they sent alone (``run_checks``).
"""

from __future__ import annotations

import attrs

from kaltura_mm.errors import KalturaError, ResponseError, TransportError
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import category, permission
from kaltura_mm.upload.create import missing_among, missing_of
from kaltura_mm.upload.job import Job, patiently
from kaltura_mm.upload.lookup import find_own_asking
from kaltura_mm.upload.one import has_entry_and_token
from kaltura_mm.upload.permissions_needed import held_from
from kaltura_mm.upload.recover import LookupFindings
from kaltura_mm.upload.request import UploadOptions
from kaltura_mm.upload.seen import SeenTokens


@attrs.frozen
class RunChecks:
    """``missing``: the category ids that do not exist (or this session cannot see);
    ``held``: the session's permission names (None: unknown)."""

    missing: frozenset[int] = frozenset()
    held: frozenset[str] | None = None


def run_checks(category_ids: tuple[int, ...], options: UploadOptions) -> Flow[RunChecks]:
    """Read the categories and the session's permissions in one request (a read: patiently)."""
    if not category_ids:
        return RunChecks()
    batch = MultiRequest()
    refs = {c: batch.add(category.get(c)) for c in category_ids}
    mine = batch.add(permission.get_current_permissions())
    answer: MultiResponse = yield from patiently(batch, options)
    missing = missing_of(answer, refs)  # the same rule as the lookup's
    names: str | KalturaError = answer.outcome(mine)
    return RunChecks(frozenset(missing), held_from(names))


def look_up(
    jobs: list[Job | Exception],
    first_of: list[int],
    later: set[int],
    options: UploadOptions,
    category_ids: tuple[int, ...],
    seen: SeenTokens | None = None,
) -> Flow[tuple[list[LookupFindings | None], RunChecks]]:
    """Look every fresh file up at once (each file would ask alone); None: it asks itself
    (``later``: when its turn comes, after the first of its identity). The run's checks
    (``category_ids`` and the session's permissions) ride the first lookup request."""
    fresh = [
        i
        for i, job in enumerate(jobs)
        if isinstance(job, Job)
        and first_of[i] == i
        and i not in later
        and not has_entry_and_token(job.state)
    ]
    found: list[LookupFindings | None] = [None] * len(jobs)
    asks = [category.get(c) for c in category_ids]
    try:
        states = [jobs[i].state for i in fresh]  # type: ignore[union-attr]
        ones, answers = yield from find_own_asking(
            states, options, (*asks, permission.get_current_permissions()), seen
        )
    except (TransportError, ResponseError):
        # each file then looks itself up before creating anything; the checks go alone
        return found, (yield from run_checks(category_ids, options))
    for i, one in zip(fresh, ones, strict=True):
        found[i] = one
    *categories, names = answers
    missing = missing_among(category_ids, categories)
    return found, RunChecks(frozenset(missing), held_from(names))
