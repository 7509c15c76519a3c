"""How many files of a batch run at once: one-part files by requests, the others by files.

A file of one part is one request (token, content, entry and check in one multi-request), so a
batch's request budget (``max_requests_in_flight``) is how many of them can run at once. A file
of several parts keeps ``options.concurrency`` chunks in flight for a while, so those run
``max_files_in_flight`` at a time, as they always did. Both kinds run side by side; the client's
``max_concurrency`` caps their requests together. Small files were held to 4 at a time, and
50 of them at 50 ms took 13 rounds where 3 do (issue 20).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs

from kaltura_mm.runtime.effects import Flow, interleave
from kaltura_mm.upload.request import UploadOptions, UploadState


@attrs.frozen
class InFlight:
    """The limits of one batch: files of several parts, and requests (one-part files)."""

    files: int
    requests: int

    @classmethod
    def of(cls, files: int, options: UploadOptions, requests: int | None) -> InFlight:
        """Return the limits; ``requests`` None means ``files`` x ``options.concurrency``."""
        files = max(1, files)
        return cls(files, max(1, requests if requests is not None else files * options.concurrency))


def is_one_part(state: UploadState) -> bool:
    """Return whether the upload of ``state`` is a single request's part (the whole file)."""
    return state.fingerprint.size <= state.chunk_size


def _never(_: BaseException) -> bool:
    return False  # a group's own flows keep their files' failures: anything else ends the batch


def run_files(
    flows: Sequence[Flow[Any]],
    indexes: Sequence[int],
    one_part: Sequence[bool],
    limits: InFlight,
    is_failure: Callable[[BaseException], bool],
) -> Flow[list[Any]]:
    """Run ``flows[i]`` for ``i`` in ``indexes``; return their results (or errors) in that order.

    The one-part files run up to ``limits.requests`` at once beside the others, which run
    ``limits.files`` at once; ``is_failure`` says which errors end only their own file.
    """
    small = [i for i in indexes if one_part[i]]
    large = [i for i in indexes if not one_part[i]]
    groups, order = [], []
    for chosen, limit in ((small, limits.requests), (large, limits.files)):
        if chosen:
            groups.append(interleave([flows[i] for i in chosen], limit, is_failure))
            order += chosen
    if len(groups) < 2:  # one kind of file (or none): its group alone
        return (yield from groups[0]) if groups else []
    ended: list[list[Any]] = yield from interleave(groups, len(groups), _never)
    by_index = dict(zip(order, [r for group in ended for r in group], strict=True))
    return [by_index[i] for i in indexes]
