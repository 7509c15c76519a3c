"""Clean-up deletes of an upload: patient like any idempotent call, never the end of an upload.

A delete is safe to send again (already gone is fine), so it rides out an outage like a read
(``job.patiently``). When it still cannot be done, what it leaves is found again by the next
lookup under the upload's names (``kaltura_mm.upload.recover``: a marker, an open receipt, an
entry a receipt names), which deletes it then. So a clean-up that fails does not fail an upload
that is otherwise done (``tidy``), and the strays' deletion keeps them findable: entries first,
then tokens, and no token once an entry could not be deleted (its receipt is what names it).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from kaltura_mm.errors import (
    EntryNotFoundError,
    ResponseError,
    TransportError,
    UploadTokenNotFoundError,
)
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import base_entry, upload_token
from kaltura_mm.upload.job import patiently
from kaltura_mm.upload.recover import Decision
from kaltura_mm.upload.request import UploadOptions

# The client's log channel: users filter on it, whichever layer writes the line.
log = logging.getLogger("kaltura_mm.client")


def delete_token(token_id: str, options: UploadOptions | None = None) -> Flow[None]:
    """Delete a token, patiently (already gone is fine)."""
    with contextlib.suppress(UploadTokenNotFoundError):
        yield from patiently(upload_token.delete(token_id), options or UploadOptions())


def delete_entry(entry_id: str, options: UploadOptions | None = None) -> Flow[None]:
    """Delete an entry, patiently (already gone is fine)."""
    with contextlib.suppress(EntryNotFoundError):
        yield from patiently(base_entry.delete(entry_id), options or UploadOptions())


def tidy(what: str, deletes: Flow[Any]) -> Flow[bool]:
    """Run clean-up ``deletes``; return False, with a warning, if the server could not be reached.

    Only for what the next lookup finds again (the module): the upload's result stands.
    """
    try:
        yield from deletes
    except (TransportError, ResponseError) as exc:
        log.warning("could not delete %s now (the next run's lookup will): %s", what, exc)
        return False
    return True


def delete_strays(decision: Decision, options: UploadOptions | None = None) -> Flow[bool]:
    """Delete the decision's stray entries, then its stray tokens; return whether all went.

    An entry that cannot be deleted keeps every token: its receipt is what lets the next lookup
    find it (a marker, an open receipt alone is found by its name anyway).
    """
    for entry_id in decision.stray_entries:
        if not (yield from tidy(f"stray entry {entry_id}", delete_entry(entry_id, options))):
            return False
    return (yield from delete_tokens(decision.stray_tokens, options))


def delete_tokens(token_ids: Iterable[str], options: UploadOptions | None = None) -> Flow[bool]:
    """Delete tokens the next lookup would find again; return whether all went."""
    done = True
    for token_id in token_ids:
        done &= yield from tidy(f"upload token {token_id}", delete_token(token_id, options))
    return done
