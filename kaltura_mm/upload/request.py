"""What an upload is asked to do (``UploadRequest``, ``UploadOptions``) and what it remembers.

``UploadState`` is the JSON-serialisable record an upload saves as it progresses: the file's
fingerprint, the deterministic referenceId, the entry and token it made, and the chunks the server
confirmed. ``resume_upload(state)`` continues from it; ``kaltura_mm.store.UploadStore`` stores it.

What identifies a file, and the names it gives the upload on the server, is in
``kaltura_mm.upload.identity``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.models import DocumentType, MediaType
from kaltura_mm.upload.identity import REFERENCE_PREFIX as REFERENCE_PREFIX
from kaltura_mm.upload.identity import SAMPLE_BYTES as SAMPLE_BYTES
from kaltura_mm.upload.identity import FileFingerprint as FileFingerprint
from kaltura_mm.upload.identity import TokenNames as TokenNames
from kaltura_mm.upload.identity import reference_id_for as reference_id_for
from kaltura_mm.upload.identity import sample_digest as sample_digest
from kaltura_mm.upload.identity import token_file_name as token_file_name
from kaltura_mm.upload.identity import token_names as token_names
from kaltura_mm.upload.plan import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EDGE_SIZE,
    ChunkBook,
    check_chunk_size,
)

STATE_VERSION = 1


def _category_ids(values: Iterable[int] | int) -> tuple[int, ...]:
    items = (values,) if isinstance(values, int) else tuple(values)
    for value in items:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"category ids must be positive integers such as 42, got {value!r}")
    return tuple(dict.fromkeys(items))


def _tags(values: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.split(",")
    return tuple(t.strip() for t in values if t.strip())


@attrs.frozen(kw_only=True)
class UploadRequest:
    """One file to upload and the entry to make of it.

    ``name`` defaults to the file name without its extension; ``entry_type`` overrides the type
    detected from the extension (a ``MediaType`` or, with documents enabled, a ``DocumentType``).
    """

    path: Path = attrs.field(converter=Path)
    category_ids: tuple[int, ...] = attrs.field(default=(), converter=_category_ids)
    name: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = attrs.field(default=(), converter=_tags)
    reference_id: str | None = None
    owner_user_id: str | None = None
    entry_type: MediaType | DocumentType | None = None

    @property
    def entry_name(self) -> str:
        """Return the entry's name: the given one, else the file name without its extension."""
        return self.name if self.name else self.path.stem or self.path.name


def _positive(_: Any, attribute: Any, value: float) -> None:
    if value <= 0:
        raise ValueError(f"UploadOptions.{attribute.name} must be > 0, got {value}")


def _chunk_size(_: Any, __: Any, value: int) -> None:
    check_chunk_size(value)


@attrs.frozen(kw_only=True)
class UploadOptions:
    """How to upload: chunking, parallelism, retries, waiting and cancellation policy.

    ``index_wait`` bounds how long a recovery waits for the search index to show an entry a
    create began to make (proved by its marker token, but not named by a receipt).
    ``require_reference_id`` refuses a session that may not set the entry's referenceId
    (``ReferenceIdNotWritableError``, before any of the file is sent; sync sets it, as it finds
    its entries by referenceId); without it such an upload goes on, found again by its tokens.
    """

    chunk_size: int = attrs.field(default=DEFAULT_CHUNK_SIZE, validator=_chunk_size)
    concurrency: int = attrs.field(default=6, validator=_positive)
    wait_ready: bool = False
    ready_timeout: float = attrs.field(default=600.0, validator=_positive)
    ready_poll_interval: float = attrs.field(default=2.0, validator=_positive)
    support_documents: bool = False
    keep_on_cancel: bool = False
    max_attempts: int = attrs.field(default=8, validator=_positive)
    backoff_base: float = attrs.field(default=0.5, validator=_positive)
    backoff_cap: float = attrs.field(default=30.0, validator=_positive)
    max_file_size: int | None = None
    edge_size: int = attrs.field(default=DEFAULT_EDGE_SIZE, validator=_positive)
    progress_interval: float = attrs.field(default=0.25, validator=_positive)
    index_wait: float = attrs.field(default=300.0, validator=_positive)
    require_reference_id: bool = False


def _request_json(request: UploadRequest) -> dict[str, Any]:
    data = attrs.asdict(request, recurse=False)
    data["path"] = str(request.path)
    data["category_ids"] = list(request.category_ids)
    data["tags"] = list(request.tags)
    entry_type = request.entry_type
    data["entry_type"] = (
        None if entry_type is None else [type(entry_type).__name__, int(entry_type)]
    )
    return data


def _request_from(data: Mapping[str, Any]) -> UploadRequest:
    fields = dict(data)
    kind = fields.pop("entry_type", None)
    entry_type: MediaType | DocumentType | None = None
    if kind is not None:
        entry_type = (DocumentType if kind[0] == "DocumentType" else MediaType)(kind[1])
    return UploadRequest(entry_type=entry_type, **fields)


@attrs.frozen(kw_only=True)
class UploadState:
    """What an upload has done so far; saved as it progresses, enough to resume after a crash."""

    request: UploadRequest
    fingerprint: FileFingerprint
    reference_id: str
    chunk_size: int
    edge_size: int = DEFAULT_EDGE_SIZE
    entry_id: str | None = None
    token_id: str | None = None
    confirmed_offsets: tuple[int, ...] = ()
    complete: bool = False
    marker_id: str | None = None

    @property
    def names(self) -> TokenNames:
        """Return the names this upload's tokens carry."""
        return token_names(self.request, self.fingerprint, self.reference_id)

    @property
    def token_file_name(self) -> str:
        """Return the marker token's fileName (``TokenNames.marker``)."""
        return self.names.marker

    @property
    def bytes_confirmed(self) -> int:
        """Return the bytes of the chunks the server confirmed."""
        return self.book().bytes_acked

    def book(self) -> ChunkBook:
        """Return the chunk book this state describes."""
        book = ChunkBook.for_file(self.fingerprint.size, self.chunk_size, self.edge_size)
        offsets = set(self.confirmed_offsets)
        book = book.confirm(c.index for c in book.chunks if c.offset in offsets)
        return attrs.evolve(book, complete=self.complete)

    def with_book(self, book: ChunkBook) -> UploadState:
        """Return the state with the confirmations of ``book``."""
        offsets = tuple(sorted(book.chunks[i].offset for i in book.acked))
        return attrs.evolve(self, confirmed_offsets=offsets, complete=book.complete)

    def to_json(self) -> str:
        """Return the state as a JSON document."""
        data = {
            "version": STATE_VERSION,
            "request": _request_json(self.request),
            "fingerprint": attrs.asdict(self.fingerprint),
            "reference_id": self.reference_id,
            "chunk_size": self.chunk_size,
            "edge_size": self.edge_size,
            "entry_id": self.entry_id,
            "token_id": self.token_id,
            "confirmed_offsets": list(self.confirmed_offsets),
            "bytes_confirmed": self.bytes_confirmed,
            "complete": self.complete,
            "marker_id": self.marker_id,
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> UploadState:
        """Read a state written by ``to_json``; raise ``ValueError`` naming what is wrong."""
        try:
            data = json.loads(text)
            if data.get("version") != STATE_VERSION:
                raise KeyError(f"version {data.get('version')!r}, expected {STATE_VERSION}")
            return cls(
                request=_request_from(data["request"]),
                fingerprint=FileFingerprint(**data["fingerprint"]),
                reference_id=data["reference_id"],
                chunk_size=data["chunk_size"],
                edge_size=data["edge_size"],
                entry_id=data["entry_id"],
                token_id=data["token_id"],
                confirmed_offsets=tuple(data["confirmed_offsets"]),
                complete=data["complete"],
                marker_id=data.get("marker_id"),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not an upload state saved by kaltura-mm: {exc}") from exc
