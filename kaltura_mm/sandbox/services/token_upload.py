"""``uploadToken.upload``: receive a whole file or one chunk, as ``kUploadTokenMgr`` does.

Rules, in order:
1. Preconditions, in the server's order: token visible (``UPLOAD_TOKEN_NOT_FOUND``); PARTIAL and
   idle past 7 days (``UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED``); status not PENDING or PARTIAL
   (``UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD``). A part without a file name is ``UPLOAD_ERROR``
   (and deletes the token when it was a whole-file upload).
2. Last writer wins: a request loads the token when it starts and, when it ends, saves its own
   view: the size it computed when that differs from the size it loaded, and the status likewise.
   A stale PARTIAL never overwrites FULL_UPLOAD or CLOSED, but a smaller size does. The response
   is the request's own view. (The sandbox holds a token's lock from load to save; only
   ``races.UploadRaces`` delays open the window the real server always has.)
3. Placement (``chunks``): ``resume=false`` replaces the data; ``resumeAt=-1`` appends at the end;
   a non-final ``resumeAt >= 0`` part first appends the pending chunks that start at the end,
   then is written in place or kept pending; a final part with ``resumeAt > 0`` is kept pending
   and the request waits up to ``final_chunk_wait`` for the data to reach ``resumeAt + len``,
   else ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE``, saving nothing: its part stays pending and a
   later chunk request can append it (a PARTIAL token holding every byte until a final request
   is sent again).
4. A part written in place as it arrived (``claims``) is committed here, or detached and placed
   by rule 3 when its assumptions no longer hold.
5. FULL_UPLOAD completes a pending attachment in the same request (the token becomes CLOSED).
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from pathlib import Path
from typing import Any

from kaltura_mm.sandbox import chunks, claims, content, tokens
from kaltura_mm.sandbox.actions import ActionCall, UploadedFile
from kaltura_mm.sandbox.claims import Claim
from kaltura_mm.sandbox.core import MAX_RESUME_TIME, Core
from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.tokens import DELETED, FULL, OPEN, PARTIAL

FAR_OFFSET = 2**63 - 1
TokenRow = dict[str, Any]
Placed = tuple[int | None, int]
"""A request's view after placing its part: its status (None: the part was discarded) and size."""


def _preconditions(call: ActionCall, token: TokenRow) -> None:
    # UploadTokenService::validateForUpload: updatedAt < time() - max, in whole seconds
    if token["status"] == PARTIAL and token["updated_at"] < int(call.now()) - MAX_RESUME_TIME:
        raise KalturaApiException("UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED", MAX_RESUME_TIME)
    if token["status"] not in OPEN:
        raise KalturaApiException("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")


def claim_in_place(call: ActionCall) -> Claim | None:
    """Let the coming part be written straight into the token's file (``claims`` rule 1)."""
    a = call.args
    resume_at, token_id = a["resumeAt"], a["uploadTokenId"]
    if not a["resume"] or not math.isfinite(resume_at) or resume_at < 0:
        return None
    with call.core.token_condition(token_id):
        token = tokens.visible(call, token_id)
        if token is None or token["status"] not in OPEN:
            return None
        if tokens.data_size(token) != resume_at:
            return None
        if token["updated_at"] < int(call.now()) - MAX_RESUME_TIME:
            return None
        path = tokens.data_path(call, token_id)
        return call.core.claims.take(token_id, path, int(resume_at), bool(a["finalChunk"]))


def release_claim(core: Core, claim: Claim) -> None:
    """End a claim when its request is over, committed or not; wake whoever waits for it."""
    cond = core.token_condition(claim.token_id)
    with cond:
        core.claims.end(claim)
        cond.notify_all()


def upload(call: ActionCall) -> dict[str, Any]:
    """Receive a file or a chunk (see the module docstring)."""
    a = call.args
    token_id, part = a["uploadTokenId"], a["fileData"]
    cond = call.core.token_condition(token_id)
    with cond:
        loaded: TokenRow = dict(tokens.must(call, token_id))
        _preconditions(call, loaded)
        if not part.filename:
            if not a["resume"] and a["finalChunk"]:
                tokens.save(call, token_id, status=DELETED)
            raise KalturaApiException("UPLOAD_ERROR")
        if not loaded["file_name"]:
            name = tokens.stored_name(part.filename)
            loaded["updated_at"] = tokens.save(call, token_id, file_name=name)
            loaded["file_name"] = name
        status, size = _place(call, loaded, part, cond)
        cond.notify_all()
        if status is None:
            return tokens.view(call, loaded)
        lingered = status != FULL and _linger(call, cond, token_id, size)
        mine = _write_back(call, loaded, status, size, data_moved=not lingered)
        if status != FULL and _auto_finalizes(loaded, size):
            status = _auto_finalize(call, token_id, cond)
        if status != FULL:
            return tokens.view(call, mine)
        chunks.cut(tokens.data_path(call, token_id), tokens.data_size(tokens.must(call, token_id)))
        _finish(call, token_id)
        return tokens.view(call, tokens.must(call, token_id))


def _linger(call: ActionCall, cond: Any, token_id: str, size: int) -> bool:
    """Hold a chosen request between placing its part and saving its view (rule 2); return
    True when it was held (its data size is then saved first, for the others to work from)."""
    resume_at = call.args["resumeAt"]
    offset = int(resume_at) if math.isfinite(resume_at) else FAR_OFFSET
    races = call.core.settings.upload_races
    seconds = races.take(token_id, offset)
    if seconds <= 0:
        return False
    tokens.set_data_size(call, token_id, size)
    races.hold(seconds, cond.wait)  # releases the token: other requests run meanwhile
    return True


def _write_back(
    call: ActionCall, loaded: TokenRow, status: int, size: int, data_moved: bool
) -> TokenRow:
    """Save what changed against the loaded token (rule 2), and the data size when this request
    still holds the token since it placed its part (the size a request computes is always its
    end of data); return this request's view."""
    fields: dict[str, Any] = {}
    if size != loaded["uploaded_file_size"]:
        fields["uploaded_file_size"] = size
    if status != loaded["status"]:
        fields["status"] = status
    mine = {**loaded, "uploaded_file_size": size, "status": status}
    if fields:
        data = {"data_size": size} if data_moved else {}
        mine["updated_at"] = tokens.save(call, loaded["id"], **fields, **data)
    elif data_moved:
        tokens.set_data_size(call, loaded["id"], size)
    return mine


def _auto_finalizes(token: TokenRow, size: int) -> bool:
    return bool(token["auto_finalize"] == 1 and token["file_size"] and size == token["file_size"])


def _auto_finalize(call: ActionCall, token_id: str, cond: Any) -> int | None:
    _await_no_claim(call, token_id, cond)
    token = dict(tokens.must(call, token_id))
    size = tokens.data_size(token)
    if token["status"] in OPEN and _auto_finalizes(token, size):
        tokens.save(call, token_id, status=FULL, uploaded_file_size=size)
        return FULL
    return None


def _await_no_claim(call: ActionCall, token_id: str, cond: Any) -> None:
    """Wait until no in-place write is in flight on the token (``claims`` rule 2)."""
    while call.core.claims.active(token_id):
        cond.wait(1.0)


def _place(call: ActionCall, loaded: TokenRow, part: UploadedFile, cond: Any) -> Placed:
    """Place the part (rules 3 and 4) and return this request's view."""
    a = call.args
    final, resume_at = a["finalChunk"], a["resumeAt"]
    if not math.isfinite(resume_at):
        resume_at = FAR_OFFSET  # PHP's INF: a chunk that can never join the file
    if part.size == 0 and not final and resume_at > 0:
        return None, 0  # silently discarded; nothing is saved
    claim = part.claim
    if claim is None:
        return _place_file(call, loaded, part, int(resume_at), cond)
    holds = call.core.claims.holds(claim, loaded["id"], int(resume_at), final)
    if a["resume"] and resume_at >= 0 and holds:
        return _commit_claim(call, part, claim, cond)
    copied = claims.detach(claim, part.size, call.core.incoming_dir)
    detached = dataclasses.replace(part, path=copied, claim=None)
    call.core.claims.end(claim)
    try:
        return _place_file(call, loaded, detached, int(resume_at), cond)
    finally:
        detached.path.unlink(missing_ok=True)


def _place_file(
    call: ActionCall, loaded: TokenRow, part: UploadedFile, resume_at: int, cond: Any
) -> Placed:
    a = call.args
    token_id, final = loaded["id"], a["finalChunk"]
    done = FULL if final else PARTIAL
    path = tokens.data_path(call, token_id)
    if not a["resume"]:
        call.core.claims.drop(token_id)  # its bytes went to the replaced file (claims rule 3)
        os.replace(part.path, path)
        return done, part.size
    if not path.exists():
        raise KalturaApiException("UPLOAD_TOKEN_CANNOT_RESUME")
    if resume_at < 0:
        return done, _append(call, path, part, cond)
    if final and resume_at > 0:
        chunks.stash(path, part.path, resume_at)
        return _await_size(call, path, resume_at + part.size, cond)
    size = tokens.data_size(loaded)
    if call.core.claims.active(token_id):
        chunks.stash(path, part.path, resume_at)  # joins once the claim ends (claims rule 2)
        return done, size
    size = chunks.place(path, part.path, resume_at, chunks.append_at_end(path, size))
    return done, _kindly_joined(call, path, size)


def _kindly_joined(call: ActionCall, path: Path, size: int) -> int:
    """Append what the part made appendable, only under the kind switch (``races``)."""
    if call.core.settings.upload_races.join_pending_at_once:
        return chunks.append_pending(path, size)
    return size


def _append(call: ActionCall, path: Path, part: UploadedFile, cond: Any) -> int:
    """Append a sequential part (``resumeAt=-1``) at the end of the data; return the new end."""
    token_id = path.name
    _await_no_claim(call, token_id, cond)
    token = dict(tokens.must(call, token_id))
    _preconditions(call, token)
    end = tokens.data_size(token)
    return end + chunks.write_at(path, part.path, end)


def _commit_claim(call: ActionCall, part: UploadedFile, claim: Claim, cond: Any) -> Placed:
    """Count a part written in place: it starts at the end of the data (claims rule 1)."""
    size = claim.offset + part.size
    call.core.claims.end(claim)
    if claim.final and claim.offset > 0:
        tokens.set_data_size(call, claim.token_id, size)
        return _await_size(call, claim.path, size, cond)
    return (FULL if claim.final else PARTIAL), _kindly_joined(call, claim.path, size)


def _await_size(call: ActionCall, path: Path, expected: int, cond: Any) -> Placed:
    """Append pending chunks until the data is ``expected`` bytes long, waiting for gaps."""
    token_id = path.name
    deadline = time.monotonic() + call.core.settings.final_chunk_wait
    while True:
        if not call.core.claims.active(token_id):
            size = chunks.append_pending(path, tokens.data_size(tokens.must(call, token_id)))
            tokens.set_data_size(call, token_id, size)
            if size == expected:
                break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise KalturaApiException("UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")
        cond.wait(min(remaining, 1.0))
    if tokens.must(call, token_id)["status"] not in OPEN:
        raise KalturaApiException("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    return FULL, expected


def _finish(call: ActionCall, token_id: str) -> None:
    """Complete a pending attachment now that the token is FULL_UPLOAD (rule 5)."""
    token = tokens.must(call, token_id)
    if token["entry_id"]:
        with call.core.store.tx() as conn:
            content.complete(conn, call.core, token["entry_id"], token_id)
