"""Entries ``kaltura-mm upload`` made into the sync's category, found by the file they hold.

The upload engine names each entry it makes with a referenceId derived from every byte of the
file, its size and name and its target categories (``kaltura_mm.upload.identity.
reference_id_for``). A file of the source with no entry of its own whose such name an entry of
the category carries was uploaded there, this very content: the sync takes that entry over
instead of uploading the file again (``kaltura_mm.sync.plan`` rule 6).
"""

from __future__ import annotations

from pathlib import Path

import attrs

from kaltura_mm.models import BaseEntry
from kaltura_mm.sync.server import ServerView
from kaltura_mm.upload import local_file
from kaltura_mm.upload.recover import COMPLETE_STATUSES
from kaltura_mm.upload.request import (
    REFERENCE_PREFIX,
    FileFingerprint,
    UploadRequest,
    reference_id_for,
)


@attrs.define
class Uploads:
    """The category's complete entries under an upload engine name, each taken once."""

    scope_id: int | None
    by_name: dict[str, list[BaseEntry]] = attrs.field(factory=dict)

    @classmethod
    def of(cls, view: ServerView, scope_id: int | None) -> Uploads:
        """Return the uploads among the entries ``view`` holds in the category and below."""
        found: dict[str, list[BaseEntry]] = {}
        for entry in view.entries.values():
            name = entry.reference_id or ""
            linked = bool(view.links.get(entry.id or ""))
            if name.startswith(REFERENCE_PREFIX) and entry.status in COMPLETE_STATUSES and linked:
                found.setdefault(name, []).append(entry)
        return cls(scope_id, found)

    def take(self, path: Path, print_: FileFingerprint) -> BaseEntry | None:
        """Return (and take) the entry ``upload -c <the category>`` made of this file."""
        if not self.scope_id or not self.by_name:
            return None
        if print_.content_sha256 is None:  # the engine's names hash every byte of the file
            print_ = local_file.content_fingerprint(path)
        request = UploadRequest(path=path, category_ids=(self.scope_id,))
        candidates = self.by_name.get(reference_id_for(request, print_))
        if not candidates:
            return None
        candidates.sort(key=lambda e: (e.created_at or 0, e.id or ""))
        return candidates.pop(0)  # the oldest: the one the engine itself keeps
