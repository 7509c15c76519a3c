"""Entries of the sync's category that hold a file of the source under another name: taken over.

One file, one entry, whatever made it. An item of the source with no entry under its own
referenceId takes over (rule 6 of ``kaltura_mm.sync.plan``) an entry of the category that no
other item claims and that is known to hold this very file:

- an entry ``kaltura-mm upload`` made: the upload engine names it with a referenceId derived from
  every byte of the file, its size and name and its target categories (``kaltura_mm.upload.
  identity.reference_id_for``), which the sync computes again;
- an entry an earlier sync of this category made from another source kind (a folder, then a
  manifest listing the same files, or back): a folder's item is known by its path relative to the
  folder, a manifest's by its ``referenceId`` or its path relative to the manifest, so the same
  file has another name in each; the entry's own referenceId keeps what it was made from
  (``kaltura_mm.sync.truth``: no local record needed), else the sync's records (kept per
  category, by entry id) say it, by the sha256 of every byte and the size.

The entry keeps its id; its referenceId becomes the item's. The oldest candidate is taken first,
each at most once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs

from kaltura_mm.models import BaseEntry
from kaltura_mm.sync import truth
from kaltura_mm.sync.records import SyncRecord
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.truth import identity
from kaltura_mm.upload import local_file
from kaltura_mm.upload.recover import COMPLETE_STATUSES
from kaltura_mm.upload.request import (
    REFERENCE_PREFIX,
    FileFingerprint,
    UploadRequest,
    reference_id_for,
)

Content = tuple[int, str]  # (size, sha256 of every byte)


def _age(entry: BaseEntry) -> tuple[int, str]:
    return (entry.created_at or 0, entry.id)


@attrs.define
class Uploads:
    """The category's unclaimed complete entries whose content is known, each taken once."""

    scope_id: int | None
    by_name: dict[str, list[BaseEntry]] = attrs.field(factory=dict)
    by_content: dict[Content, list[BaseEntry]] = attrs.field(factory=dict)
    by_truth: dict[str, list[BaseEntry]] = attrs.field(factory=dict)

    @classmethod
    def of(
        cls,
        view: ServerView,
        scope_id: int | None,
        records: Mapping[str, SyncRecord] | None = None,
        claimed: Iterable[str] = (),
    ) -> Uploads:
        """Return the entries ``view`` holds in the category and below that no item claims
        (``claimed``: entry ids), by upload engine name and by recorded content."""
        taken = set(claimed)
        found: dict[str, list[BaseEntry]] = {}
        kept: dict[str, list[BaseEntry]] = {}
        free: dict[str, BaseEntry] = {}
        for entry in view.entries.values():
            linked = bool(view.links.get(entry.id))
            if entry.id in taken or entry.status not in COMPLETE_STATUSES or not linked:
                continue
            free[entry.id] = entry
            name = entry.reference_id or ""
            if name.startswith(REFERENCE_PREFIX):
                found.setdefault(name, []).append(entry)
            said = truth.read(name)
            # content another tool put in since is not the file's (``truth.moved``)
            source = view.sources.get(entry.id)
            now = source.version if source is not None else None
            if said is not None and said.content and not truth.moved(said, entry.version, now):
                kept.setdefault(said.content, []).append(entry)
        by_content: dict[Content, list[BaseEntry]] = {}
        for record in (records or {}).values():
            held = free.get(record.entry_id)
            content = record.fingerprint.content_sha256
            # a record under another name than the entry's now is stale: it says nothing
            if held is None or not content or record.reference_id != identity(held.reference_id):
                continue
            by_content.setdefault((record.size, content), []).append(held)
        return cls(scope_id, found, by_content, kept)

    def take(self, path: Path, print_: FileFingerprint) -> BaseEntry | None:
        """Return (and take) an unclaimed entry known to hold the file at ``path``."""
        if not self.scope_id or not (self.by_name or self.by_content or self.by_truth):
            return None
        if print_.content_sha256 is None:  # both names hash every byte of the file
            print_ = local_file.content_fingerprint(path)
        request = UploadRequest(path=path, category_ids=(self.scope_id,))
        candidates = self.by_name.get(reference_id_for(request, print_))
        if not candidates:
            candidates = self.by_content.get((print_.size, print_.content_sha256 or ""))
        if not candidates:
            candidates = self.by_truth.get(truth.content_of(print_) or "")
        if not candidates:
            return None
        candidates.sort(key=_age)
        entry = candidates.pop(0)  # the oldest: the one the upload engine itself keeps
        self._forget(entry)
        return entry

    def _forget(self, entry: BaseEntry) -> None:
        for named in self.by_name.values():
            if entry in named:
                named.remove(entry)
        for same in (*self.by_content.values(), *self.by_truth.values()):
            if entry in same:
                same.remove(entry)
