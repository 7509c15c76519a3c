"""What an upload is asked to do (``UploadRequest``, ``UploadOptions``) and what it remembers.

``UploadState`` is the JSON-serialisable record an upload saves as it progresses: the file's
fingerprint, the deterministic referenceId, the entry and token it made, and the chunks the server
confirmed. ``resume_upload(state)`` continues from it; ``kaltura_mm.upload_state`` stores it.

The fingerprint is cheap on purpose: size, ``mtime_ns`` and the sha256 of the first and last MiB.
Hashing a whole 100 GiB file before every upload (and again before resuming) would cost more than
the upload on a fast link; size + mtime catch ordinary edits and the sampled hash catches a file
replaced by another of the same size. An edit confined to the middle that restores the mtime is
not detected; pass your own ``reference_id`` when content identity must be exact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from kaltura_mm.models import DocumentType, MediaType
from kaltura_mm.upload.plan import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EDGE_SIZE,
    ChunkBook,
    check_chunk_size,
)

STATE_VERSION = 1
SAMPLE_BYTES = 1024 * 1024
REFERENCE_PREFIX = "kmm-"
NAME_MARK = ".kmm"
# Keeps the token's fileName well inside the server's column, whatever the file is called.
TOKEN_STEM_CHARS = 80


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
    """How to upload: chunking, parallelism, retries, waiting and cancellation policy."""

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


@attrs.frozen(kw_only=True)
class FileFingerprint:
    """A cheap identity of a file: size, mtime and the sha256 of its first and last MiB."""

    size: int
    mtime_ns: int
    sample_sha256: str

    def differences(self, other: FileFingerprint) -> tuple[str, ...]:
        """Return the names of the properties that differ from ``other`` (empty if the same)."""
        names = ("size", "mtime_ns", "sample_sha256")
        return tuple(n for n in names if getattr(self, n) != getattr(other, n))


def sample_digest(size: int, head: bytes, tail: bytes) -> str:
    """Return the hex sha256 of a file's size, first MiB and last MiB."""
    digest = hashlib.sha256(str(size).encode())
    digest.update(head)
    digest.update(tail)
    return digest.hexdigest()


def reference_id_for(request: UploadRequest, fingerprint: FileFingerprint) -> str:
    """Return the request's referenceId: the given one, else one derived from file and target.

    Derived from the content sample, size, file name and target categories (never the mtime, so
    touching a file does not make it new): a re-run of the same upload finds the entry it made.
    """
    if request.reference_id:
        return request.reference_id
    key = ":".join(
        (
            fingerprint.sample_sha256,
            str(fingerprint.size),
            request.path.name,
            ",".join(str(c) for c in sorted(request.category_ids)),
        )
    )
    return REFERENCE_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:28]


def token_file_name(request: UploadRequest, fingerprint: FileFingerprint, reference_id: str) -> str:
    """Return the upload token's fileName: the file's name with a mark only this upload makes.

    ``uploadToken.list(fileNameEqual=...)`` finds the token by it after a crash that lost its id
    (the list reads the database, so a token is findable the moment it exists). The mark hashes
    the referenceId with the file's content sample and size, so a token is never mistaken for
    another file's, even under a referenceId given twice; the extension is kept, since the
    server derives the media type and the stored file's extension from it.
    """
    key = f"{reference_id}\0{fingerprint.sample_sha256}\0{fingerprint.size}"
    mark = hashlib.sha256(key.encode()).hexdigest()[:20]
    stem = request.path.stem[:TOKEN_STEM_CHARS]
    return f"{stem}{NAME_MARK}{mark}{request.path.suffix}"


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

    @property
    def token_file_name(self) -> str:
        """Return the fileName this upload's token carries (``token_file_name``)."""
        return token_file_name(self.request, self.fingerprint, self.reference_id)

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
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not an upload state saved by kaltura-mm: {exc}") from exc
