"""What an upload makes of the entries and tokens found under its own names; pure, no I/O.

An upload is known on the server by two deterministic names: its entry's ``referenceId`` and
its upload token's ``fileName`` (``UploadState.token_file_name``). A crash, a lost answer, or a
request a killed process had already sent (the server runs it after the process died) can leave
what an earlier run made, or make it late. These rules turn what a lookup found into one
decision, so that exactly one entry remains and no token stays open (docs/upload.md, "Crash
safety", gives the server's side of each):

1. An entry is *complete* when the server holds its content (``COMPLETE_STATUSES``); any other
   live entry is *half-made*: NO_CONTENT (nothing attached), IMPORT (an unfinished token
   attached) or an error status. A token is *open* while PENDING, PARTIAL_UPLOAD or FULL_UPLOAD
   (``uploadToken.list`` with ``fileNameEqual`` returns exactly those).
2. If a complete entry exists, the oldest one (``createdAt``, then id) is the upload and nothing
   is sent. Every half-made entry and every open token is a stray. Another complete entry is a
   stray only under a derived referenceId (``kmm-...``, a name only kaltura-mm makes, for this
   file and target alone); under a referenceId the caller gave, it may be theirs, made some
   other way, and is left alone.
3. Else one half-made entry in IMPORT with exactly one open token, PENDING or PARTIAL, of the
   file's size: both are the upload's own, made by a create whose answer never arrived. Both are
   reused; the upload continues from what the token holds. Nothing is created.
4. Else one half-made entry in NO_CONTENT: it is reused; its open tokens are strays, and a new
   token is made and attached to it.
5. Else (several half-made entries, an IMPORT entry whose token is missing or ambiguous, an
   error status): every half-made entry and every open token is a stray; a new entry is made.
6. Once the upload's own entry is complete, a last look applies rule 2 with it counted: the
   oldest complete entry is the upload (the own one unless an older one became visible late),
   and every other entry as rule 2 says, and every open token but the upload's own, is a stray.
   Two runs that each look last agree on the oldest, so they never delete each other's keeper.

Strays are deleted tokens first, then entries, so a token never outlives its entry.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from kaltura_mm.models import BaseEntry, EntryStatus, UploadToken, UploadTokenStatus
from kaltura_mm.upload.request import REFERENCE_PREFIX

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
# The token closed its file: no part is added any more (chunk rule 7 says when that is "done").
FINISHED_TOKEN_STATUSES = frozenset({UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED})
_RESUMABLE_TOKEN = frozenset({UploadTokenStatus.PENDING, UploadTokenStatus.PARTIAL_UPLOAD})


def held(token: UploadToken) -> tuple[int, bool]:
    """Return what ``token`` says it holds: its contiguous bytes, and whether its file is closed."""
    return token.uploaded_file_size or 0, token.status in FINISHED_TOKEN_STATUSES


class Action(enum.Enum):
    """What the upload does after a lookup (rules 2 to 5)."""

    EXISTING = "existing"  # rule 2: the entry is complete, nothing to send
    RESUME = "resume"  # rule 3: continue into the found entry and token
    ATTACH = "attach"  # rule 4: make a token for the found entry
    CREATE = "create"  # rule 5: make entry and token


@attrs.frozen
class Decision:
    """A lookup's outcome: the action, its entry and token, and the strays to delete first."""

    action: Action
    entry: BaseEntry | None = None
    token: UploadToken | None = None
    stray_entries: tuple[str, ...] = ()
    stray_tokens: tuple[str, ...] = ()


def is_complete(entry: BaseEntry) -> bool:
    """Return whether the server holds the entry's content (rule 1)."""
    return entry.status in COMPLETE_STATUSES


def _age(entry: BaseEntry) -> tuple[int, str]:
    return (entry.created_at or 0, entry.id or "")


def _ids(items: Iterable[BaseEntry | UploadToken]) -> tuple[str, ...]:
    return tuple(sorted({item.id for item in items if item.id}))


def _open(tokens: Iterable[UploadToken], name: str) -> list[UploadToken]:
    return [t for t in tokens if t.file_name == name and t.status in OPEN_TOKEN_STATUSES]


def _strays(keeper: BaseEntry, entries: list[BaseEntry], reference_id: str) -> list[BaseEntry]:
    """Return the entries besides ``keeper`` that rule 2 makes strays."""
    derived = reference_id.startswith(REFERENCE_PREFIX)
    return [e for e in entries if e.id != keeper.id and (derived or not is_complete(e))]


def decide(
    entries: Iterable[BaseEntry],
    tokens: Iterable[UploadToken],
    reference_id: str,
    token_name: str,
    size: int,
) -> Decision:
    """Return what to do with the entries and open tokens found under the upload's names."""
    live = [e for e in entries if e.status is not EntryStatus.DELETED]
    complete = sorted((e for e in live if is_complete(e)), key=_age)
    half = [e for e in live if not is_complete(e)]
    open_ = _open(tokens, token_name)
    if complete:
        strays = _strays(complete[0], live, reference_id)
        return Decision(Action.EXISTING, complete[0], None, _ids(strays), _ids(open_))
    if len(half) == 1 and half[0].status is EntryStatus.IMPORT and len(open_) == 1:
        token = open_[0]
        if token.status in _RESUMABLE_TOKEN and token.file_size in (None, size):
            return Decision(Action.RESUME, half[0], token)
    if len(half) == 1 and half[0].status is EntryStatus.NO_CONTENT:
        return Decision(Action.ATTACH, half[0], None, (), _ids(open_))
    return Decision(Action.CREATE, None, None, _ids(half), _ids(open_))


def settle(
    own: BaseEntry,
    own_token_id: str | None,
    entries: Iterable[BaseEntry],
    tokens: Iterable[UploadToken],
    reference_id: str,
    token_name: str,
) -> Decision:
    """Return the last look's decision once ``own`` is complete (rule 6); always EXISTING."""
    others = [e for e in entries if e.id != own.id and e.status is not EntryStatus.DELETED]
    complete = sorted((e for e in [own, *others] if e is own or is_complete(e)), key=_age)
    keeper = complete[0]
    strays = _strays(keeper, others, reference_id) + ([own] if keeper is not own else [])
    open_ = [t for t in _open(tokens, token_name) if t.id != own_token_id]
    return Decision(Action.EXISTING, keeper, None, _ids(strays), _ids(open_))
