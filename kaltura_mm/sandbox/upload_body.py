"""Read request bodies: bounded in-memory bytes for JSON/forms, streamed multipart to disk.

File parts (those with a ``filename``) are written straight to files as they arrive, so a multi-GB
chunk never sits in memory: into a token's own file when ``claim_for`` grants an in-place write
(see ``claims``), else into a temporary file under the incoming folder (removed by ``cleanup``).
Other parts are small form fields.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from kaltura_mm.sandbox.actions import UploadedFile
from kaltura_mm.sandbox.claims import Claim
from kaltura_mm.sandbox.params import Params, merge, nest

MAX_FIELD_BYTES = 64 * 2**20

Block = bytes | bytearray
"""A piece of a request body (a reused buffer is only valid until the next one is read)."""

ClaimFor = Callable[[str, list[tuple[str, str]]], Claim | None]
"""Given a file part's name and the form fields before it, grant an in-place write or None."""


class BodyTooLarge(ValueError):
    """A non-file body or form field is larger than the sandbox keeps in memory."""


def read_all(blocks: Iterator[Block], limit: int = MAX_FIELD_BYTES) -> bytes:
    """Join a small body; refuse one over ``limit`` bytes."""
    data = bytearray()
    for block in blocks:
        data += block
        if len(data) > limit:
            for _ in blocks:  # drain so the connection stays usable
                pass
            raise BodyTooLarge(f"body over {limit} bytes")
    return bytes(data)


class _Parts:
    """Collect multipart parts: fields in memory, files on disk."""

    def __init__(self, incoming: Path, cleanup: ExitStack, claim_for: ClaimFor | None) -> None:
        self.incoming = incoming
        self.cleanup = cleanup
        self.claim_for = claim_for
        self.claimed: UploadedFile | None = None
        self._claim: Claim | None = None
        self.fields: list[tuple[str, str]] = []
        self.files: list[tuple[str, UploadedFile]] = []
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._filename: str | None = None
        self._buffer = bytearray()
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self._add_field(d[s:e]),
            "on_header_value": lambda d, s, e: self._add_value(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self._header_name, self._header_value = {}, b"", b""
        self._buffer = bytearray()
        self._size = 0

    def _add_field(self, data: bytes) -> None:
        self._header_name += data

    def _add_value(self, data: bytes) -> None:
        self._header_value += data

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        self._filename = None if raw_filename is None else raw_filename.decode("utf-8", "replace")
        if self._filename is None:
            return
        claim = self.claim_for(self._name, self.fields) if self.claim_for else None
        if claim is not None:
            self.claim_for = None  # one in-place write per request
            self._claim, self._fd, self._path = claim, claim.fd, claim.path
            return
        fd, name = tempfile.mkstemp(dir=self.incoming, prefix="part-")
        self._fd, self._path = fd, Path(name)
        self.cleanup.callback(self._path.unlink, missing_ok=True)

    def _data(self, data: bytes, start: int, end: int) -> None:
        self._size += end - start
        if self._fd is not None:
            view = memoryview(data)[start:end]
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        else:
            self._buffer += data[start:end]
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise BodyTooLarge("form field too large")

    def _end(self) -> None:
        if self._fd is not None and self._path is not None:
            self.close()
            name = os.path.basename(self._filename or "")
            part = UploadedFile(self._path, name, self._size, self._claim)
            if self._claim is not None:
                self.claimed, self._claim = part, None
            self.files.append((self._name, part))
        else:
            self.fields.append((self._name, self._buffer.decode("utf-8", "replace")))

    def close(self) -> None:
        """Close the open temporary file (a claim's file is closed when the claim ends)."""
        if self._fd is not None and self._claim is None:
            os.close(self._fd)
        self._fd = None


def read_multipart(
    blocks: Iterator[Block],
    content_type: str,
    incoming: Path,
    cleanup: ExitStack,
    claim_for: ClaimFor | None = None,
) -> tuple[Params, UploadedFile | None]:
    """Stream a multipart body; return params (``json`` field wins) merged with file parts,
    and the part written in place, if any."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        for _ in blocks:
            pass
        return {}, None
    parts = _Parts(incoming, cleanup, claim_for)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    try:
        for block in blocks:
            # A reused bytearray is fine: the parser only indexes, slices and searches each
            # block during this call and keeps no reference to it.
            parser.write(block)  # type: ignore[arg-type]
        parser.finalize()
    except Exception:
        for _ in blocks:
            pass
        return {}, None
    finally:
        parts.close()
    json_fields = [value for name, value in parts.fields if name == "json"]
    if json_fields:
        try:
            decoded: Any = json.loads(json_fields[-1])
        except ValueError:
            decoded = None
        body: Params = decoded if isinstance(decoded, dict) else {}
    else:
        body = nest(parts.fields)
    return merge(body, nest(parts.files)), parts.claimed
