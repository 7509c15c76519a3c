"""The ``uploadToken`` service: server-side slots that receive a file in one or more parts."""

from __future__ import annotations

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import ListPage, Pager, UploadToken, UploadTokenFilter, UploadTokenParams
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call, FilePart
from kaltura_mm.services import arguments

SERVICE = "uploadToken"
# The final chunk may arrive before earlier ones were appended; the server says to retry it.
FINAL_CHUNK_RETRY = frozenset({"UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE"})


def add(
    file_name: str | None = None, file_size: int | None = None, auto_finalize: bool | None = None
) -> Call[UploadToken]:
    """Build the call creating an upload token; not idempotent."""
    if file_size is not None and (isinstance(file_size, bool) or file_size < 0):
        raise ConfigError(f"file_size must be a byte count >= 0, got {file_size!r}")
    token = UploadTokenParams(file_name=file_name, file_size=file_size, auto_finalize=auto_finalize)
    return Call(
        service=SERVICE,
        action="add",
        params={"uploadToken": token},
        decoder=codec.decoder_for(UploadToken),
        idempotent=False,
    )


def upload(
    token_id: str,
    part: FilePart,
    *,
    resume: bool = False,
    final_chunk: bool = True,
    resume_at: int = -1,
) -> Call[UploadToken]:
    """Build the call sending ``part`` into a token.

    The first part is ``resume=False``; later parts ``resume=True`` at their ``resume_at``
    offset; the last one ``final_chunk=True``. Re-sending a part is harmless (the server accepts
    duplicates), so the call is idempotent.
    """
    arguments.instance("part", part, FilePart)
    params = {
        "uploadTokenId": arguments.text_id("token_id", token_id, "0_c96c9533ce6c61f0dd432a66f79"),
        "resume": resume,
        "finalChunk": final_chunk,
        "resumeAt": resume_at,
    }
    retry = FINAL_CHUNK_RETRY if resume and final_chunk else frozenset()
    return Call(
        service=SERVICE,
        action="upload",
        params=params,
        decoder=codec.decoder_for(UploadToken),
        file=part,
        retry_codes=retry,
    )


def get(token_id: str) -> Call[UploadToken]:
    """Build the call fetching a token (``uploaded_file_size`` says where to resume)."""
    params = {"uploadTokenId": arguments.text_id("token_id", token_id)}
    return Call(
        service=SERVICE, action="get", params=params, decoder=codec.decoder_for(UploadToken)
    )


def list(
    filter: UploadTokenFilter | None = None, pager: Pager | None = None
) -> Call[ListPage[UploadToken]]:
    """Build the call listing tokens (a user session sees only its own)."""
    arguments.instance("filter", filter, UploadTokenFilter)
    arguments.instance("pager", pager, Pager)
    return Call(
        service=SERVICE,
        action="list",
        params={"filter": filter, "pager": pager},
        decoder=codec.list_decoder(UploadToken),
    )


def delete(token_id: str) -> Call[None]:
    """Build the call deleting a token (an attached entry falls back to no content)."""
    params = {"uploadTokenId": arguments.text_id("token_id", token_id)}
    return Call(service=SERVICE, action="delete", params=params, decoder=codec.decode_none)
