"""Content from an upload token, per ``kUploadedFileTokenResource`` and ``kFlowHelper``.

Attaching a token (``baseEntry.addContent`` / ``updateContent`` with a
``KalturaUploadedFileTokenResource``):
- FULL_UPLOAD: the file is attached now, the entry goes to PRECONVERT (READY after the
  transcoding delay; an image at once) and the token is CLOSED;
- any other status (PENDING, PARTIAL, and also CLOSED): a pending resource, no error; the entry
  goes to IMPORT and waits for the token; when the token reaches FULL_UPLOAD (in the upload
  request that completes it) the file moves to the entry and the token is CLOSED. A CLOSED token
  never completes again: its entry waits in IMPORT for ever.
Deleting an attached token puts an entry waiting in IMPORT back to NO_CONTENT.
"""

from __future__ import annotations

from kaltura_mm.sandbox.errors import KalturaApiException
from simulation.model import flavors
from simulation.model.records import (
    ASSET_IMPORTING,
    ASSET_QUEUED,
    CLOSED,
    ERROR_CONVERTING,
    ERROR_IMPORTING,
    FULL_UPLOAD,
    IMAGE,
    IMPORT,
    NO_CONTENT,
    PENDING,
    TOKEN_DELETED,
    Entry,
    Token,
)
from simulation.model.state import State

_VIDEO_EXTENSIONS = ("mp4", "mov", "avi", "mkv", "webm", "flv", "wmv", "mpg", "mpeg", "m4v")
_IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp")
_AUDIO_EXTENSIONS = ("mp3", "wav", "m4a", "aac", "flac", "ogg", "wma")
_MEDIA_TYPES = {
    **dict.fromkeys(_VIDEO_EXTENSIONS, 1),
    **dict.fromkeys(_IMAGE_EXTENSIONS, IMAGE),
    **dict.fromkeys(_AUDIO_EXTENSIONS, 5),
}
_WAITING = (ERROR_CONVERTING, ERROR_IMPORTING, PENDING, NO_CONTENT)


def media_type_of(file_name: str) -> int | None:
    """Return the media type a file name's extension implies (``getMediaTypeFromFileExt``)."""
    _, dot, ext = file_name.rpartition(".")
    return _MEDIA_TYPES.get(ext.lower()) if dot else None


def attach_token(state: State, entry: Entry, token_id: str) -> None:
    """Give ``entry`` the content of an upload token, now or when the token completes."""
    token = state.tokens.get(token_id)
    if token is None or token.status == TOKEN_DELETED or token.partner_id != entry.partner_id:
        raise KalturaApiException("UPLOAD_TOKEN_NOT_FOUND")
    if entry.media_type is None and token.file_name:
        entry.media_type = media_type_of(token.file_name)
    token.entry_id = entry.id
    minted = state.mint_entry_id()  # drawn for every attachment, kept by a new asset only
    if entry.media_type == IMAGE:
        token.attached_type, token.attached_id = "entry", entry.id
    else:
        asset = flavors.source(state, entry, token.status != FULL_UPLOAD, minted)
        token.attached_type, token.attached_id = "flavorAsset", asset.id
    if token.status == FULL_UPLOAD:
        if token.data is None:
            raise KalturaApiException("UPLOADED_FILE_NOT_FOUND_BY_TOKEN")
        _give_content(state, entry, token)
    else:
        state.events["attach.pending_token"] += 1
        entry.pending_token = token.id
        if entry.status in _WAITING:
            entry.status = IMPORT
    token.updated_at = entry.updated_at = int(state.now())
    state.write_entry(entry)


def _give_content(state: State, entry: Entry, token: Token) -> None:
    entry.content = bytes(token.data or b"")
    entry.pending_token = None
    if entry.media_type == IMAGE:
        entry.version = flavors.image_version(entry)  # the entry's data file is its content
    else:
        flavors.filled(state, entry, token.file_name, len(entry.content))
    state.start_transcoding(entry)
    token.status = CLOSED


def waiting_entry(state: State, token: Token) -> Entry | None:
    """Return the entry waiting in IMPORT for ``token``, if any."""
    entry = state.entries.get(token.entry_id or "")
    if entry is None or entry.pending_token != token.id or entry.status != IMPORT:
        return None
    return entry


def upload_completed(state: State, token: Token) -> None:
    """React to a token reaching FULL_UPLOAD: hand its file to a waiting entry, close it."""
    entry = waiting_entry(state, token)
    if entry is None:
        return
    _give_content(state, entry, token)
    entry.updated_at = int(state.now())
    state.write_entry(entry)


def upload_canceled(state: State, token: Token) -> None:
    """React to an attached token's deletion (``kFlowHelper::handleUploadCanceled``)."""
    asset = state.assets.get(token.attached_id or "")
    if asset is not None and asset.status == ASSET_IMPORTING:
        asset.status = ASSET_QUEUED  # back to QUEUED, still empty
    entry = waiting_entry(state, token)
    if entry is None:
        return
    entry.status, entry.pending_token = NO_CONTENT, None
    entry.updated_at = int(state.now())
    state.write_entry(entry)
