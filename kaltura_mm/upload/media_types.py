"""Which Kaltura entry a file becomes, from its name: media (video, audio, image) or document.

Detection is by extension, through the standard library's built-in MIME table (never the host's
``/etc/mime.types``, so the answer is the same on every machine) plus the extensions Kaltura
ingests that the table lacks. Content sniffing is not attempted: Kaltura itself types an upload by
its file name.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import DocumentType, EntryType, MediaType

_TABLE = mimetypes.MimeTypes(filenames=())
# Common media extensions Kaltura accepts that the built-in table does not know.
_EXTRA_MEDIA = {
    **dict.fromkeys(
        (
            "mkv",
            "flv",
            "f4v",
            "m4v",
            "wmv",
            "asf",
            "ts",
            "mts",
            "m2ts",
            "vob",
            "mxf",
            "ogv",
            "3gp",
            "3g2",
        ),
        MediaType.VIDEO,
    ),
    **dict.fromkeys(
        ("m4a", "flac", "ogg", "oga", "opus", "wma", "aiff", "aif", "amr"), MediaType.AUDIO
    ),
    **dict.fromkeys(("heic", "heif", "tif", "jfif"), MediaType.IMAGE),
}
_DOCUMENTS = {
    "pdf": DocumentType.PDF,
    "swf": DocumentType.SWF,
    **dict.fromkeys(
        (
            "doc", "docx", "dot", "dotx", "ppt", "pptx", "pps", "ppsx", "xls", "xlsx", "odt",
            "odp", "ods", "rtf", "txt", "csv", "key", "pages", "numbers",
        ),
        DocumentType.DOCUMENT,
    ),
}  # fmt: skip
_MIME_PREFIXES = {"video/": MediaType.VIDEO, "audio/": MediaType.AUDIO, "image/": MediaType.IMAGE}


@attrs.frozen
class EntryKind:
    """The entry a file becomes: its ``entry_type`` and media or document type."""

    entry_type: EntryType
    media_type: MediaType | None = None
    document_type: DocumentType | None = None


def _extension(name: str) -> str:
    return PurePath(name).suffix.lower().lstrip(".")


def _media_type(extension: str) -> MediaType | None:
    if extension in _EXTRA_MEDIA:
        return _EXTRA_MEDIA[extension]
    mime, _ = _TABLE.guess_type(f"file.{extension}", strict=False)
    for prefix, media_type in _MIME_PREFIXES.items():
        if mime and mime.startswith(prefix) and extension not in _DOCUMENTS:
            return media_type
    return None


def kind_of(
    name: str,
    *,
    support_documents: bool = False,
    override: MediaType | DocumentType | None = None,
) -> EntryKind:
    """Return the entry kind of a file called ``name``; raise ``ConfigError`` if none fits.

    ``override`` forces the type; documents are accepted only with ``support_documents`` (the
    widget's ``supportDocuments``).
    """
    if isinstance(override, DocumentType) or (override is None and _is_document(name)):
        document_type = override if isinstance(override, DocumentType) else _document_type(name)
        if not support_documents:
            raise ConfigError(
                f"{name!r} is a document and document upload is off: enable support_documents "
                "(--documents on the command line) if the partner has the document plugin"
            )
        return EntryKind(EntryType.DOCUMENT, document_type=document_type)
    media_type = override if isinstance(override, MediaType) else _media_type(_extension(name))
    if media_type is None:
        raise ConfigError(
            f"cannot tell what kind of media {name!r} is from its extension: rename it, or "
            "pass entry_type (e.g. MediaType.VIDEO) to upload it anyway"
        )
    return EntryKind(EntryType.MEDIA_CLIP, media_type=media_type)


def _is_document(name: str) -> bool:
    return _extension(name) in _DOCUMENTS


def _document_type(name: str) -> DocumentType:
    return _DOCUMENTS[_extension(name)]
