"""What identifies a file, and the names it gives its upload on the server.

What identifies a file (issue 11): the sha256 of **every byte** of it, with its size, its name, the
target categories and the owner (``UploadRequest.owner_user_id``). Two different files never share
an identity, so an upload never takes another file's entry for its own, and the clean-up only
ever deletes entries whose content the identity proves identical. It costs one read of the whole
file before the upload starts (sha256 runs at about 1.3 GB/s on the reference machine, so the
disk sets the pace), remembered for the process by path, inode, size and mtime. The fingerprint
kept for the checks during and after the upload is cheap on purpose: size, ``mtime_ns`` and the
sha256 of the first and last MiB, read at every acknowledgement and before the final chunk.

The identity names the upload on the server, where it can be read back exactly (the upload token
list reads the database, the entry list a lagging search index):

- the entry's ``referenceId``: ``kmm-`` and 28 hex of the identity (or the ``reference_id`` the
  caller gave);
- the upload token's ``fileName``, the *receipt*: ``{stem}.kmm{mark}.{entryId}{ext}``, the entry
  id written in by the server as the create request runs (a result reference), ``mark`` 20 hex
  of the identity; ``uploadToken.list(fileSizeEqual=size)`` finds it, and through it the entry;
- a *marker* token ``{stem}.kmm{mark}{ext}``, made first in the create request and deleted once
  the upload is done: a marker with no receipt after it proves a create began whose entry the
  token list cannot name.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from kaltura_mm.upload.request import UploadRequest

SAMPLE_BYTES = 1024 * 1024
REFERENCE_PREFIX = "kmm-"
NAME_MARK = ".kmm"
_ENTRY_ID = re.compile(r"^[0-9]+_[0-9a-zA-Z]+$")
# The server's column: upload_token.file_name is varchar(256), counted in UTF-8 bytes (spec 13).
# A longer name is cut by the server, and a cut receipt no longer names its entry.
TOKEN_NAME_BYTES = 256
# Room kept for the entry id the server writes into a receipt ("0_abcdefgh" is 10 bytes).
ENTRY_ID_BYTES = 40
# The extension is kept (the server derives the media type from it), up to this many bytes.
SUFFIX_BYTES = 32
MARK_HEX = 20
# Short names read better in token listings; the byte budget is what the column requires.
TOKEN_STEM_CHARS = 80


@attrs.frozen(kw_only=True)
class FileFingerprint:
    """What a file is: size, mtime, the sha256 of its first and last MiB (cheap, checked during
    the upload) and the sha256 of all of it (its identity; None until read, or in a state saved
    by a kaltura-mm that did not read it)."""

    size: int
    mtime_ns: int
    sample_sha256: str
    content_sha256: str | None = None

    def differences(self, other: FileFingerprint) -> tuple[str, ...]:
        """Return the names of the cheap properties that differ from ``other`` (empty if none)."""
        names = ("size", "mtime_ns", "sample_sha256")
        return tuple(n for n in names if getattr(self, n) != getattr(other, n))


def sample_digest(size: int, head: bytes, tail: bytes) -> str:
    """Return the hex sha256 of a file's size, first MiB and last MiB."""
    digest = hashlib.sha256(str(size).encode())
    digest.update(head)
    digest.update(tail)
    return digest.hexdigest()


def identity(request: UploadRequest, fingerprint: FileFingerprint) -> str:
    """Return the hex identity of an upload: the whole content, size, name, targets, owner."""
    if fingerprint.content_sha256 is None:
        raise ValueError("the file's content was not read: take its fingerprint with content")
    key = "\0".join(
        (
            "v2",
            fingerprint.content_sha256,
            str(fingerprint.size),
            request.path.name,
            ",".join(str(c) for c in sorted(request.category_ids)),
            request.owner_user_id or "",
            request.reference_id or "",
        )
    )
    return hashlib.sha256(key.encode()).hexdigest()


def reference_id_for(request: UploadRequest, fingerprint: FileFingerprint) -> str:
    """Return the request's referenceId: the given one, else ``kmm-`` and the identity's hex.

    Derived from the whole content, size, file name, target categories and owner (never the
    mtime or the folder: touching or moving a file does not make it new).
    """
    if request.reference_id:
        return request.reference_id
    return REFERENCE_PREFIX + identity(request, fingerprint)[:28]


def _clean(text: str) -> str:
    # The server substitutes a result reference up to the value's last "}": keep braces out.
    return text.replace("{", "_").replace("}", "_")


def cut_utf8(text: str, limit: int) -> str:
    """Return the longest start of ``text`` whose UTF-8 encoding is at most ``limit`` bytes.

    Cut on a character boundary, never inside one: an emoji is 4 bytes, a CJK character 3.
    """
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode("utf-8", "surrogatepass"))  # a lone surrogate: 3 bytes
        if used > limit:
            return text[:index]
    return text


def stem_budget(suffix: str) -> int:
    """Return the UTF-8 bytes a receipt's stem may take so the whole receipt fits the column."""
    fixed = len(NAME_MARK) + MARK_HEX + len(".") + ENTRY_ID_BYTES + len(suffix.encode("utf-8"))
    return TOKEN_NAME_BYTES - fixed


@attrs.frozen
class TokenNames:
    """The names an upload's tokens carry (the module docstring): marker and receipts."""

    prefix: str  # "{stem}.kmm{mark}"
    suffix: str  # the extension, kept: the server derives the media type from it

    @property
    def marker(self) -> str:
        """Return the marker token's fileName."""
        return self.prefix + self.suffix

    def receipt(self, entry_id: str) -> str:
        """Return the fileName of the receipt token of entry ``entry_id``."""
        return f"{self.prefix}.{entry_id}{self.suffix}"

    def receipt_parts(self) -> tuple[str, str]:
        """Return (before, after) the entry id in a receipt's fileName (for a result reference)."""
        return self.prefix + ".", self.suffix

    def entry_of(self, file_name: str | None) -> str | None:
        """Return the entry id a receipt's fileName names (None: not one of this upload's)."""
        before, after = self.receipt_parts()
        if not file_name or not file_name.startswith(before) or not file_name.endswith(after):
            return None
        entry_id = file_name[len(before) : len(file_name) - len(after)]
        return entry_id if _ENTRY_ID.match(entry_id) else None


def token_names(
    request: UploadRequest, fingerprint: FileFingerprint, reference_id: str
) -> TokenNames:
    """Return the names of an upload's tokens: its stem, a mark only this upload makes, its ext.

    The mark hashes the referenceId with the file's content and size, so a token is never taken
    for another file's, even under a referenceId given twice. The stem is cut by UTF-8 bytes on
    a character boundary so that a receipt (with an entry id of up to ``ENTRY_ID_BYTES``) is at
    most ``TOKEN_NAME_BYTES``: a long CJK or emoji name is never cut by the server, where the
    lookup would no longer recognise it.
    """
    content = fingerprint.content_sha256 or fingerprint.sample_sha256
    key = f"{reference_id}\0{content}\0{fingerprint.size}"
    mark = hashlib.sha256(key.encode()).hexdigest()[:MARK_HEX]
    suffix = cut_utf8(_clean(request.path.suffix), SUFFIX_BYTES)
    stem = cut_utf8(_clean(request.path.stem[:TOKEN_STEM_CHARS]), stem_budget(suffix))
    return TokenNames(f"{stem}{NAME_MARK}{mark}", suffix)


def token_file_name(request: UploadRequest, fingerprint: FileFingerprint, reference_id: str) -> str:
    """Return the marker token's fileName (``TokenNames.marker``)."""
    return token_names(request, fingerprint, reference_id).marker
