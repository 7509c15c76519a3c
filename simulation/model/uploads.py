"""``uploadToken`` actions (``UploadTokenService``, ``kUploadTokenMgr``), racing as on the server.

An ``upload`` request runs in steps with pauses between them, where other requests run:
1. begin: load the token row (the request's own copy: status, ``uploadedFileSize``, temp path)
   and check it (visible, not past the 7-day resume limit, PENDING or PARTIAL);
2. finish: act on the token's file (shared, as the disk is), noting the file's size then;
3. save: write its copy back: a column is written only when the request changed it from what
   IT loaded (Propel's modified columns).
So the last writer wins on ``uploadedFileSize``: a middle chunk that loaded early and finishes
after the final one writes its smaller size over the complete token, while its stale PARTIAL is
not written back over FULL_UPLOAD (unchanged from what it loaded). A ``resume`` request whose
copy has no temp path yet (it loaded before the first chunk saved) gets
``UPLOAD_TOKEN_CANNOT_RESUME``.

A final chunk (``resume``, ``finalChunk``, ``resumeAt > 0``) stores its part as a pending chunk,
then up to ``final_chunk_wait`` times, a virtual second apart, appends what it can; the file
must reach ``resumeAt + len(part)``, else ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE`` with its
part left pending (a later chunk at EOF appends it; a repeated final then finds the size right).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.schema import check_insert
from simulation.model import chunks, content
from simulation.model.actions import Action, Ctx, Param, cut, list_response, pager
from simulation.model.jobs import NotModelled, Pause, Steps
from simulation.model.records import (
    FULL_UPLOAD,
    PARTIAL_UPLOAD,
    TOKEN_DELETED,
    TOKEN_PENDING,
    Token,
)
from simulation.model.render import token_object
from simulation.model.request import FilePart
from simulation.model.state import State

_UPLOADABLE = (TOKEN_PENDING, PARTIAL_UPLOAD)


@dataclasses.dataclass(slots=True)
class TokenView:
    """A request's copy of a token row: the columns it loaded, and its own changes."""

    status: int
    size: int | None
    has_temp_path: bool
    updated_at: int
    loaded: tuple[int, int | None, bool]

    @classmethod
    def load(cls, token: Token) -> TokenView:
        """Copy the row as the request's ``retrieveByPK`` does."""
        columns = (token.status, token.uploaded_file_size, token.has_temp_path)
        return cls(*columns, token.updated_at, columns)

    def save(self, state: State, token: Token) -> None:
        """Write back only the columns this request changed from what it loaded."""
        status, size, has_temp_path = self.loaded
        changed = False
        if self.size != size:
            token.uploaded_file_size, changed = self.size, True
            if token.status in (FULL_UPLOAD, 3) and (self.size or 0) < len(token.data or b""):
                state.events["upload.stale_size_over_complete_token"] += 1
        if self.has_temp_path != has_temp_path:
            token.has_temp_path, changed = self.has_temp_path, True
        if self.status != status:
            token.status, changed = self.status, True
        if changed:
            token.updated_at = self.updated_at = int(state.now())
        if self.status != status and self.status == FULL_UPLOAD:
            content.upload_completed(state, token)
            self.status = token.status  # the same object: the answer may already say CLOSED

    def answer(self, token: Token) -> dict[str, Any]:
        """Return the token as this request sees it (``fromObject`` of its own copy)."""
        return token_object(
            dataclasses.replace(
                token, status=self.status, uploaded_file_size=self.size, updated_at=self.updated_at
            )
        )


def visible(ctx: Ctx, token_id: str) -> Token:
    """Return a token the caller may see (a USER KS sees its own), or ``UPLOAD_TOKEN_NOT_FOUND``."""
    token = ctx.state.tokens.get(token_id)
    if token is None or token.status == TOKEN_DELETED or token.partner_id != ctx.partner_id:
        raise KalturaApiException("UPLOAD_TOKEN_NOT_FOUND")
    if not ctx.is_admin and token.user_id != ctx.user_id:
        raise KalturaApiException("UPLOAD_TOKEN_NOT_FOUND")
    return token


def _check_uploadable(ctx: Ctx, token: Token) -> None:
    limit = ctx.state.knobs.max_resume_time
    if token.status == PARTIAL_UPLOAD and token.updated_at < ctx.now() - limit:
        raise KalturaApiException("UPLOAD_PASSED_MAX_RESUME_TIME_ALLOWED", limit)
    if token.status not in _UPLOADABLE:
        raise KalturaApiException("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")


def upload(ctx: Ctx) -> Steps[dict[str, Any]]:
    """Store one part of the token's file (see the module docstring for the two steps)."""
    token = visible(ctx, ctx.args["uploadTokenId"])
    _check_uploadable(ctx, token)
    view = TokenView.load(token)
    part: FilePart = ctx.args["fileData"]
    if not token.file_name and part.filename:
        token.file_name = part.filename  # updateFileName saves at once
    yield Pause()
    resume, final = ctx.args["resume"], ctx.args["finalChunk"]
    resume_at = int(ctx.args["resumeAt"])
    if not part.filename:
        if not resume and final:
            token.status = TOKEN_DELETED
            content.upload_canceled(ctx.state, token)
        raise KalturaApiException("UPLOAD_ERROR")
    if not part.data and not final and resume_at > 0:
        return view.answer(token)  # an empty middle part is dismissed
    if resume:
        view.size = yield from _resume(ctx, token, view, part.data, resume_at, final)
    else:
        token.data = bytearray(part.data)  # handleMoveFile: replaces any earlier data
        view.has_temp_path, view.size = True, len(part.data)
    yield Pause()  # the file is written; the row is saved a moment later
    _close_or_continue(token, view, resume, final)
    view.save(ctx.state, token)
    return view.answer(token)


def _close_or_continue(token: Token, view: TokenView, resume: bool, final: bool) -> None:
    if not final:
        view.status = PARTIAL_UPLOAD
        return
    if resume and token.status not in _UPLOADABLE:  # re-read under uploadToken_closure lock
        raise KalturaApiException("UPLOAD_TOKEN_INVALID_STATUS_FOR_UPLOAD")
    view.status = FULL_UPLOAD


def _resume(
    ctx: Ctx, token: Token, view: TokenView, part: bytes, resume_at: int, final: bool
) -> Steps[int]:
    if not view.has_temp_path or token.data is None:
        ctx.state.events["upload.cannot_resume"] += 1
        raise KalturaApiException("UPLOAD_TOKEN_CANNOT_RESUME")
    if resume_at == -1:
        token.data.extend(part)
        return len(token.data)
    if not (final and resume_at > 0):
        size = chunks.store_part(token, resume_at, part)
        if resume_at in token.pending:
            ctx.state.events["upload.part_left_pending"] += 1
        return size
    expected = resume_at + len(part)
    token.pending[resume_at] = part
    for attempt in range(ctx.state.knobs.final_chunk_wait):
        if attempt:
            ctx.state.events["upload.final_waited_a_second"] += 1
            yield Pause(ctx.now() + 1.0)
        chunks.sync_append(token, limit=1000, expected=expected)
        if chunks.glob_append(token) == expected:
            return expected
    ctx.state.events["upload.cannot_match_expected_size"] += 1
    raise KalturaApiException("UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE")


def add(ctx: Ctx) -> dict[str, Any]:
    """Create a PENDING token for the KS user."""
    obj = ctx.obj("uploadToken")
    if obj is not None:
        check_insert(obj)
        if obj.get("autoFinalize") == 1:
            if obj.get("fileSize") is None:
                raise KalturaApiException("UPLOAD_TOKEN_MISSING_FILE_SIZE")
            raise NotModelled("uploadToken.autoFinalize")
    now = int(ctx.now())
    token = Token(ctx.state.mint_token_id(), ctx.partner_id, ctx.user_id, TOKEN_PENDING, now, now)
    if obj is not None:
        token.file_name = str(obj.get("fileName") or "")
        token.file_size = obj.get("fileSize")
    ctx.state.tokens[token.id] = token
    return token_object(token)


def get(ctx: Ctx) -> dict[str, Any]:
    """Return a token (CLOSED ones too; DELETED ones are gone)."""
    return token_object(visible(ctx, ctx.args["uploadTokenId"]))


def delete(ctx: Ctx) -> None:
    """Delete a token in any status; an entry waiting for it goes back to NO_CONTENT."""
    token = visible(ctx, ctx.args["uploadTokenId"])
    token.status, token.updated_at = TOKEN_DELETED, int(ctx.now())
    content.upload_canceled(ctx.state, token)


_TOKEN_FILTERS = {"idEqual", "idIn", "userIdEqual", "statusEqual", "statusIn", "fileNameEqual"}


def list_tokens(ctx: Ctx) -> dict[str, Any]:
    """List tokens from the store (exact); ``fileNameEqual`` alone forces ``statusIn=0,1,2``."""
    filt = ctx.obj("filter")
    values = dict(filt.values) if filt else {}
    unknown = set(values) - _TOKEN_FILTERS - {"orderBy", "fileSizeEqual"}
    if unknown:
        raise NotModelled(f"uploadToken.list filter fields {sorted(unknown)}")
    if "fileNameEqual" in values and not {"statusEqual", "statusIn"} & set(values):
        values["statusIn"] = "0,1,2"
    tokens = [t for t in ctx.state.tokens.values() if _token_matches(ctx, t, values)]
    # no order of listAction's own: the table's (its id), which also breaks createdAt ties
    sign = {"+createdAt": 1, "-createdAt": -1}.get(values.get("orderBy") or "", 0)
    tokens.sort(key=lambda t: (sign * t.created_at, t.id))
    size, index = pager(ctx)
    page = tokens[(index - 1) * size : index * size]
    return list_response(
        "KalturaUploadTokenListResponse", [token_object(t) for t in page], len(tokens)
    )


def _token_matches(ctx: Ctx, token: Token, values: dict[str, Any]) -> bool:
    if token.status == TOKEN_DELETED or token.partner_id != ctx.partner_id:
        return False
    if not ctx.is_admin and token.user_id != ctx.user_id:
        return False
    limit = ctx.state.knobs.max_resume_time
    tests: dict[str, Callable[[Any], bool]] = {
        "idEqual": lambda v: token.id == v,
        "idIn": lambda v: token.id in cut(v, 500),
        "userIdEqual": lambda v: token.user_id == v,
        "statusEqual": lambda v: (
            token.status == v
            and not (
                v == PARTIAL_UPLOAD
                and "fileNameEqual" in values
                and token.updated_at < ctx.now() - limit
            )
        ),
        "statusIn": lambda v: str(token.status) in cut(v, 500),
        "fileNameEqual": lambda v: token.file_name == v,
        "fileSizeEqual": lambda v: token.file_size == v,
    }
    return all(tests[name](value) for name, value in values.items() if name in tests)


_ID = Param("uploadTokenId", required=True)
ACTIONS = {
    "add": Action(add, (Param("uploadToken", "object", type="KalturaUploadToken"),)),
    "get": Action(get, (_ID,)),
    "delete": Action(delete, (_ID,)),
    "list": Action(
        list_tokens,
        (
            Param("filter", "object", type="KalturaUploadTokenFilter"),
            Param("pager", "object", type="KalturaFilterPager"),
        ),
    ),
    "upload": Action(
        upload,
        (
            _ID,
            Param("fileData", "file", required=True),
            Param("resume", "bool", default=False),
            Param("finalChunk", "bool", default=True),
            Param("resumeAt", "float", default=-1.0),
        ),
    ),
}
