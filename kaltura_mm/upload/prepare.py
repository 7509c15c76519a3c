"""Take a file up for upload: check it, read its identity, plan it, or take up a saved state.

Nothing is sent: a new upload reads the whole file once for its identity
(``kaltura_mm.upload.identity``); a saved one is taken up only if the file is still the same.
"""

from __future__ import annotations

import attrs

from kaltura_mm.errors import FileChangedError
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.upload import local_file
from kaltura_mm.upload.job import Hooks, Job, Meter
from kaltura_mm.upload.media_types import kind_of
from kaltura_mm.upload.plan import balanced_chunk_size
from kaltura_mm.upload.request import (
    FileFingerprint,
    UploadOptions,
    UploadRequest,
    UploadState,
    reference_id_for,
)


def prepare(
    request: UploadRequest,
    options: UploadOptions,
    state: UploadState | None,
    hooks: Hooks,
    now: float,
) -> Flow[Job]:
    """Check the file and plan its upload (or take up ``state``): nothing is sent yet.

    A new upload reads the whole file for its identity (``kaltura_mm.upload.request``). A saved
    one is taken up if the file is the same: unchanged size, mtime and sampled content, or, when
    only the mtime moved (a file touched, copied back), the same content read again.
    """
    print_ = local_file.fingerprint(request.path, options.max_file_size)
    kind = kind_of(
        request.path.name, support_documents=options.support_documents, override=request.entry_type
    )
    if state is None:
        print_ = yield from local_file.with_content(request.path, print_)
        chunk_size = balanced_chunk_size(
            print_.size, options.chunk_size, options.edge_size, options.concurrency
        )
        state = UploadState(
            request=request,
            fingerprint=print_,
            reference_id=reference_id_for(request, print_),
            chunk_size=chunk_size,
            edge_size=options.edge_size,
        )
    else:
        state = yield from _same_file(request, state, print_)
    meter = Meter(print_.size, options.progress_interval, now, request.path)
    return Job(request, options, kind, state, hooks, meter)


def _same_file(
    request: UploadRequest, state: UploadState, print_: FileFingerprint
) -> Flow[UploadState]:
    """Return ``state`` for the file as it is now; refuse a file that is not the same."""
    changed = print_.differences(state.fingerprint)
    if changed == ("mtime_ns",) and state.fingerprint.content_sha256 is not None:
        read = yield from local_file.with_content(request.path, print_)
        if read.content_sha256 == state.fingerprint.content_sha256:
            return attrs.evolve(state, request=request, fingerprint=read)
        changed = ("content",)
    if changed:
        raise FileChangedError(
            f"{request.path} changed since the upload was saved ({', '.join(changed)}): it cannot "
            "be resumed without mixing old and new content; upload it again as a new file",
            state=state,
        )
    return state
