"""Saved uploads of a sync whose file changed since: removed, so the file is sent again.

A sync keeps each unfinished upload's chunk state under the item's referenceId (its identity
is the file's path, not its content), and takes it up on the next run. When the file was edited
meanwhile (while it uploaded, or since), the saved state cannot be resumed without mixing old
and new content, and the engine refuses it: left there, it would refuse it on every run and the
new content would never reach the server. So before the adds, each saved state is checked as
the upload engine checks it (``prepare``: size, mtime, sampled content; a file only touched is
the same); one whose file changed is aborted as ``kaltura-mm uploads abort`` does (its open
token and half-made entry removed), and forgotten: the add then uploads the file as it is now.
"""

from __future__ import annotations

from collections.abc import Mapping

from kaltura_mm.commands.uploads_abort import abort_upload
from kaltura_mm.errors import FileChangedError, KalturaError
from kaltura_mm.runtime.effects import Flow, Now
from kaltura_mm.upload.job import Hooks
from kaltura_mm.upload.prepare import prepare
from kaltura_mm.upload.request import UploadOptions, UploadState


def changed_uploads(
    states: Mapping[str, UploadState], options: UploadOptions
) -> Flow[list[UploadState]]:
    """Return the saved uploads whose file changed since; remove what each one half-sent."""
    now = yield Now()
    changed = []
    for saved in states.values():
        try:
            yield from prepare(saved.request, options, saved, Hooks(), now)
        except FileChangedError:
            yield from abort_upload(saved, options)
            changed.append(saved)
        except (KalturaError, OSError):
            continue  # the add's own turn reports it (a file gone, unreadable, too large)
    return changed
