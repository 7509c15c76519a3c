"""What an upload makes of the entries and tokens it finds under its own names; pure, no I/O.

An upload is known on the server by its token names (``UploadState.names``, the rules of
``kaltura_mm.upload.request``): *receipts*, upload tokens whose fileName carries the entry they
fill, and a *marker* made first in the create request and deleted when the upload is done. Both
are read exactly (``uploadToken.list`` and ``baseEntry.getByIds`` read the database; a list by
``referenceId`` reads a search index that may lag minutes behind). A crash, a lost answer, or a
request a killed process had already sent (the server runs it after the process died) can leave
what an earlier run made, or make it late. These rules turn what a lookup found into one
decision, so that exactly one entry remains and no token stays open:

1. The upload's own entries are the live entries its receipts name (their fileName carries the
   identity, which hashes every byte of the file, so they hold the same content or part of it)
   whose owner is the upload's (``owner_user_id``, else the user who made the receipt), and
   the entry a saved state recorded. Nothing else is ever kept or deleted: not an entry carrying
   the same referenceId some other way, not another user's entry.
2. An entry is *complete* when the server holds its content (``COMPLETE_STATUSES``, or IMPORT with
   a finished receipt); any other live entry is *half-made*: NO_CONTENT, IMPORT with an
   unfinished receipt, or an error status. A token is *open* while PENDING, PARTIAL_UPLOAD or
   FULL_UPLOAD.
3. If a complete entry exists, the oldest one (``createdAt``, then id) is the upload and nothing
   is sent. Every half-made own entry, every open receipt of another entry and every marker is
   a stray. A younger complete entry is not: another run may have reported it (rule 8).
4. Else a half-made IMPORT entry with a resumable receipt (PENDING or PARTIAL, of the file's
   size, and alive) is continued from what that token holds (the one holding most bytes, if
   several). A PARTIAL token idle longer than the server resumes (``MAX_RESUME_TIME``, 7 days,
   less ``RESUME_MARGIN``) by the server's clock (``LookupFindings.server_now``), or one the
   server refused with ``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED`` (``LookupFindings.dead``), is
   *dead*: every part sent to it is refused (``UploadTokenService::validateForUpload``).
5. Else a NO_CONTENT entry, or an IMPORT entry whose receipts are all dead (the oldest), gets a
   new receipt and the file; its dead receipts are strays (deleting one returns its entry to
   NO_CONTENT), so a re-run a week later finishes into the same entry, never a second one.
6. Else, if a marker is newer than every receipt, a create began whose entry no token names
   (it stopped between making the marker and the receipt): *wait* for the search index to
   show an entry under the referenceId, paced and bounded (``UploadOptions.index_wait``), and
   decide again with what it shows.
7. Else every own entry, open receipt and marker is a stray, and one new entry is made.
8. Once the upload's own entry is complete, a last look decides between it and the other own
   entries its names show (another run's, one with its own state folder, racing on the same
   file). Every run computes the same order, oldest first (``createdAt``, then id), and deletes
   no complete entry but its own, and that only before reporting anything. A run's marker stays
   until it has decided (then it goes, after its own entry if it yields), so a complete entry
   whose marker is gone was kept by a run that may have reported it. The rule (``settle``):
   if the first in the order is another run's half-made entry, *wait* for it to complete or
   go (a younger run never keeps while an older upload may still complete); if it is another
   run's complete entry, yield to it (delete the own entry, then its tokens, and report that
   one); if it is the own entry: keep it when no other complete entry shows; else the others
   were made while this one was not yet seen: *wait* while another run's marker shows (that
   run is still deciding, and will yield to the older entry), and yield to the oldest of them
   once no marker is left (those runs kept theirs and may have reported them).
   Waits go from a younger entry to an older one's completion, or from the oldest to the
   younger ones' decisions, so they never form a cycle; each is bounded
   (``last_look.SETTLE_WAIT``). When the bound passes the own entry is kept, its marker goes,
   and the file fails as *raced* (``RecoveryStep.RACED``), so nothing deleted is ever
   reported and a re-run's lookup finds which entry the file has. A killed run is not waited
   for: an other entry whose receipts sat still ``last_look.STALLED_AFTER`` by the server's
   clock (half-made, or complete and still undecided when the wait ends) is a stray, as are
   younger half-made entries once the run keeps its own (their runs would yield to it). The
   other markers seen go once the run has decided (they are the keeper's run's, or dead ones).
   The look sees every token of the file's size: the newest ones, paged back until they meet
   what the run's earlier lists showed (``kaltura_mm.upload.seen``).

Strays are deleted entries first, then tokens, and no token once an entry could not be
deleted: a receipt is what lets the next lookup find its entry (``kaltura_mm.upload.tidy``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from kaltura_mm.models import BaseEntry, EntryStatus, UploadToken, UploadTokenStatus
from kaltura_mm.upload.request import TokenNames

COMPLETE_STATUSES = frozenset(
    {EntryStatus.PRECONVERT, EntryStatus.READY, EntryStatus.PENDING, EntryStatus.MODERATE}
)
# The entry took the upload: complete, or IMPORT (its token attached, content on its way).
ACCEPTED_STATUSES = COMPLETE_STATUSES | {EntryStatus.IMPORT}
OPEN_TOKEN_STATUSES = (
    UploadTokenStatus.PENDING,
    UploadTokenStatus.PARTIAL_UPLOAD,
    UploadTokenStatus.FULL_UPLOAD,
)
# What a lookup lists: every token but DELETED (a CLOSED receipt still names its entry).
LISTED_TOKEN_STATUSES = (*OPEN_TOKEN_STATUSES, UploadTokenStatus.CLOSED)
# The token closed its file: no part is added any more, and the file is whole (chunk rule 7).
FINISHED_TOKEN_STATUSES = frozenset({UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED})
_UNDERWAY = frozenset({EntryStatus.NO_CONTENT, EntryStatus.IMPORT})  # may still take the file
_RESUMABLE_TOKEN = frozenset({UploadTokenStatus.PENDING, UploadTokenStatus.PARTIAL_UPLOAD})
# upload_token_max_resume_time: the server refuses a part for a PARTIAL token idle this long.
MAX_RESUME_TIME = 604_800
# Taken off the limit: the answer's stamp is whole seconds, and the upload needs time to start.
RESUME_MARGIN = 3_600


def held(token: UploadToken) -> tuple[int, bool]:
    """Return what ``token`` says it holds: its contiguous bytes, and whether its file is closed."""
    return token.uploaded_file_size or 0, token.status in FINISHED_TOKEN_STATUSES


class RecoveryStep(enum.Enum):
    """What the upload does after a lookup (rules 3 to 7)."""

    EXISTING = "existing"  # rule 3: the entry is complete, nothing to send
    RESUME = "resume"  # rule 4: continue into the found entry and token
    ATTACH = "attach"  # rule 5: make a receipt for the found entry
    WAIT = "wait"  # rule 6: wait for the search index (rule 8: for the other runs), then again
    CREATE = "create"  # rule 7: make entry and tokens
    RACED = "raced"  # rule 8: the wait is over undecided: the own entry kept, the file failed


@attrs.frozen
class LookupFindings:
    """What a lookup found under an upload's names (rule 1); ``waited``: the index was asked.

    ``server_now`` is the server's time when the lookup read (None: unknown), ``dead`` the ids
    of tokens the server refused as idle too long (rule 4).
    """

    entries: tuple[BaseEntry, ...] = ()
    receipts: tuple[UploadToken, ...] = ()
    markers: tuple[UploadToken, ...] = ()
    waited: bool = False
    server_now: float | None = None
    dead: frozenset[str] = frozenset()

    def is_dead(self, token: UploadToken) -> bool:
        """Return whether ``token`` can no longer be resumed (rule 4)."""
        if token.id in self.dead:
            return True
        if token.status is not UploadTokenStatus.PARTIAL_UPLOAD or self.server_now is None:
            return False
        idle = self.server_now - (token.updated_at or token.created_at or self.server_now)
        return idle > MAX_RESUME_TIME - RESUME_MARGIN

    def merged(self, entries: Iterable[BaseEntry]) -> LookupFindings:
        """Return the find with ``entries`` added (once each)."""
        known = {e.id for e in self.entries}
        extra = tuple(e for e in entries if e.id not in known)
        return attrs.evolve(self, entries=self.entries + extra)


@attrs.frozen
class Decision:
    """A lookup's outcome: the action, its entry and token, and the strays to delete first."""

    action: RecoveryStep
    entry: BaseEntry | None = None
    token: UploadToken | None = None
    stray_entries: tuple[str, ...] = ()
    stray_tokens: tuple[str, ...] = ()


def is_complete(entry: BaseEntry) -> bool:
    """Return whether the server holds the entry's content (rule 2, without its receipts)."""
    return entry.status in COMPLETE_STATUSES


def _age(entry: BaseEntry) -> tuple[int, str]:
    return (entry.created_at or 0, entry.id)


def _ids(items: Iterable[BaseEntry | UploadToken]) -> tuple[str, ...]:
    return tuple(sorted({item.id for item in items if item.id}))


@attrs.frozen
class _View:
    """A find read through the upload's names: live entries and their receipts."""

    live: list[BaseEntry]
    receipts: dict[str, list[UploadToken]]
    open_receipts: list[UploadToken]
    markers: tuple[UploadToken, ...]

    @classmethod
    def of(cls, found: LookupFindings, names: TokenNames) -> _View:
        by_entry: dict[str, list[UploadToken]] = {}
        for token in found.receipts:
            by_entry.setdefault(names.entry_of(token.file_name) or "", []).append(token)
        live = [e for e in found.entries if e.status is not EntryStatus.DELETED]
        open_ = [t for t in found.receipts if t.status in OPEN_TOKEN_STATUSES]
        return cls(live, by_entry, open_, found.markers)

    def finished(self, entry: BaseEntry) -> bool:
        """Return whether ``entry`` holds the upload's content (rule 2)."""
        receipts = self.receipts.get(entry.id, [])
        closed = any(t.status in FINISHED_TOKEN_STATUSES for t in receipts)
        return is_complete(entry) or (entry.status is EntryStatus.IMPORT and closed)

    def strays(
        self, keep: BaseEntry | None, keep_token: str | None = None
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return every own entry but ``keep``, and every open receipt not of it, and markers."""
        entries = [e for e in self.live if keep is None or e.id != keep.id]
        keep_id = keep.id if keep is not None else None
        tokens = [t for t in self.open_receipts if t.id != keep_token]
        tokens = [t for t in tokens if keep_id is None or t not in self.receipts.get(keep_id, [])]
        return _ids(entries), _ids([*tokens, *self.markers])


def _unpaired(found: LookupFindings) -> bool:
    """Return whether a marker is newer than every receipt (rule 6)."""
    if not found.markers:
        return False
    newest_receipt = max((t.created_at or 0 for t in found.receipts), default=-1)
    return any((m.created_at or 0) > newest_receipt for m in found.markers)


def _refillable(entry: BaseEntry, view: _View, found: LookupFindings) -> bool:
    """Return whether ``entry`` takes a new receipt: NO_CONTENT, or IMPORT on dead receipts only."""
    if entry.status is EntryStatus.NO_CONTENT:
        return True
    receipts = view.receipts.get(entry.id, [])
    dead = bool(receipts) and all(found.is_dead(t) for t in receipts)
    return entry.status is EntryStatus.IMPORT and dead


def decide(found: LookupFindings, names: TokenNames, size: int) -> Decision:
    """Return what to do with what the lookup found under the upload's names (rules 3 to 7)."""
    view = _View.of(found, names)
    complete = sorted((e for e in view.live if view.finished(e)), key=_age)
    if complete:
        return _existing(complete[0], view)
    resumable = [
        (t.uploaded_file_size or 0, t.created_at or 0, e, t)
        for e in view.live
        if e.status is EntryStatus.IMPORT
        for t in view.receipts.get(e.id, [])
        if t.status in _RESUMABLE_TOKEN and t.file_size in (None, size) and not found.is_dead(t)
    ]
    if resumable:
        *_, entry, token = max(resumable, key=lambda r: (r[0], r[1]))
        entries, tokens = view.strays(entry, token.id)
        dead = [t for t in view.receipts.get(entry.id, []) if found.is_dead(t)]
        return Decision(
            RecoveryStep.RESUME, entry, token, entries, tuple(sorted({*tokens, *_ids(dead)}))
        )
    empty = sorted((e for e in view.live if _refillable(e, view, found)), key=_age)
    if empty:
        entries, _ = view.strays(empty[0])
        every_open = _ids([*view.open_receipts, *view.markers])
        return Decision(RecoveryStep.ATTACH, empty[0], None, entries, every_open)
    if not view.live and not found.waited and _unpaired(found):
        return Decision(RecoveryStep.WAIT)
    return Decision(RecoveryStep.CREATE, None, None, *view.strays(None))


def _existing(keep: BaseEntry, view: _View) -> Decision:
    """Rule 3: keep ``keep``; half-made entries, others' open receipts and markers are strays."""
    half = [e for e in view.live if e.id != keep.id and not view.finished(e)]
    mine = view.receipts.get(keep.id, [])
    tokens = [t for t in view.open_receipts if t not in mine and not _kept_by(t, view, keep)]
    return Decision(RecoveryStep.EXISTING, keep, None, _ids(half), _ids([*tokens, *view.markers]))


def _kept_by(token: UploadToken, view: _View, keep: BaseEntry) -> bool:
    """Return whether ``token`` is the receipt of a complete entry other than ``keep`` (kept)."""
    return any(
        token in view.receipts.get(e.id, [])
        for e in view.live
        if e.id != keep.id and view.finished(e)
    )


def settle(
    own: BaseEntry,
    own_tokens: tuple[str | None, str | None],
    found: LookupFindings,
    names: TokenNames,
    *,
    patient: bool = True,
    stalled: frozenset[str] = frozenset(),
) -> Decision:
    """Return the last look's decision once ``own`` is complete (rule 8).

    ``own_tokens`` are the upload's own receipt and marker (``found.markers`` other than these
    are the other runs'); ``patient`` False once the wait is over; ``stalled`` the ids of other
    half-made entries whose upload made no progress for long (a killed run's): they are strays.
    EXISTING keeps ``entry`` (the own one, or another run's to report instead, the own one then
    a stray), WAIT, or RACED (the own entry kept, the file not reported as uploaded).
    """
    view = _View.of(found.merged([own]), names)
    half = [e for e in view.live if e.id != own.id and not view.finished(e)]
    # An entry in an error status never holds the content, a stalled one is a killed run's:
    # neither is waited for nor kept.
    underway = [e for e in view.live if view.finished(e) or e.status in _UNDERWAY]
    first = min((e for e in underway if e not in half or e.id not in stalled), key=_age)
    others = [e for e in underway if e.id != own.id and view.finished(e)]
    theirs = [m for m in found.markers if m.id not in own_tokens]
    receipt, marker = own_tokens
    if first.id == own.id and others and not theirs:
        first = min(others, key=_age)  # they kept theirs, made while this one was not yet seen
    if first.id != own.id and view.finished(first):  # yield: own entry, then its tokens
        # the markers seen are the keeper's run's (it keeps: nothing older shows) or dead ones
        tokens = (*_ids_of(receipt, marker), *_ids(theirs))
        return Decision(RecoveryStep.EXISTING, first, None, (own.id,), tokens)
    if first.id == own.id and not patient and all(e.id in stalled for e in others):
        half += others  # still deciding past the wait, complete long since: killed runs'
        others = []
    if first.id == own.id and not others:  # keep; half-made ones (younger, or stalled) go
        receipts = [t for e in half for t in view.receipts.get(e.id, []) if t in view.open_receipts]
        tokens = (*_ids_of(marker), *_ids([*receipts, *theirs]))
        return Decision(RecoveryStep.EXISTING, own, None, _ids(half), tokens)
    # An older upload may still complete, or a younger run is still deciding.
    if patient:
        return Decision(RecoveryStep.WAIT)
    return Decision(RecoveryStep.RACED, own, None, (), _ids_of(marker))


def _ids_of(*token_ids: str | None) -> tuple[str, ...]:
    return tuple(t for t in token_ids if t)
