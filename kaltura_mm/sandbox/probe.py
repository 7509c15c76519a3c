"""Cheap facts about an uploaded file: media type from its extension, duration from its header.

Duration is read from an MP4/MOV ``mvhd`` box or a WAV header when present (a few reads, never the
whole file); otherwise it is simulated from the size (about 1 Mbit/s), so lists show a value.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Protocol

VIDEO, IMAGE, AUDIO = 1, 2, 5
DOCUMENT_TYPES = {"pdf": 13, "swf": 12}
_VIDEO_EXT = "mp4 mov avi mkv webm flv wmv m4v mpg mpeg 3gp ts mts m2ts mxf ogv vob asf"
_IMAGE_EXT = "jpg jpeg png gif bmp tif tiff webp heic svg"
_AUDIO_EXT = "mp3 wav aac m4a flac ogg oga wma aif aiff opus amr"
_EXT_MEDIA = {
    **dict.fromkeys(_VIDEO_EXT.split(), VIDEO),
    **dict.fromkeys(_IMAGE_EXT.split(), IMAGE),
    **dict.fromkeys(_AUDIO_EXT.split(), AUDIO),
}
_DOCS = {"doc", "docx", "ppt", "pptx", "xls", "xlsx", "txt", "rtf", "odt", "odp", "ods", "pdf"}


def extension(file_name: str | None) -> str:
    """Return the lower-case extension of a file name ("" when none)."""
    name = (file_name or "").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def media_type_for(file_name: str | None) -> int | None:
    """Infer ``KalturaMediaType`` from a file name's extension (None when unknown)."""
    return _EXT_MEDIA.get(extension(file_name))


def is_document(file_name: str | None) -> bool:
    """Return True for document extensions (entries of type DOCUMENT)."""
    return extension(file_name) in _DOCS


class _Readable(Protocol):
    def seek(self, offset: int, /) -> object: ...
    def read(self, n: int, /) -> bytes: ...


def _mp4_duration(f: _Readable, end: int) -> float | None:
    offset = 0
    while offset + 8 <= end:
        f.seek(offset)
        header = f.read(16)
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header[:8])
        body = offset + 8
        if size == 1 and len(header) >= 16:
            size, body = struct.unpack(">Q", header[8:16])[0], offset + 16
        elif size == 0:
            size = end - offset
        if size < 8:
            return None
        if kind == b"moov":
            return _mp4_duration(_Window(f, body), offset + size - body)
        if kind == b"mvhd":
            f.seek(body)
            data = f.read(32)
            if data[:1] == b"\x01":
                timescale, duration = struct.unpack(">IQ", data[20:32])
            else:
                timescale, duration = struct.unpack(">II", data[12:20])
            return duration / timescale if timescale else None
        offset += size
    return None


class _Window:
    """A file view shifted by ``base`` so box offsets are relative."""

    def __init__(self, f: _Readable, base: int) -> None:
        self._f, self._base = f, base

    def seek(self, offset: int) -> None:
        self._f.seek(self._base + offset)

    def read(self, n: int) -> bytes:
        return self._f.read(n)


def _wav_duration(f: _Readable) -> float | None:
    f.seek(0)
    head = f.read(44)
    if len(head) < 44 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    byte_rate = struct.unpack("<I", head[28:32])[0]
    data_size = struct.unpack("<I", head[40:44])[0]
    return data_size / byte_rate if byte_rate else None


def duration_of(path: Path, size: int) -> float:
    """Return the media duration in seconds: from the header when cheap, else simulated."""
    try:
        with path.open("rb") as f:
            found = _wav_duration(f) or _mp4_duration(f, size)
    except (OSError, struct.error):
        found = None
    if found is not None and found > 0:
        return found
    return max(1.0, size / 125_000)
