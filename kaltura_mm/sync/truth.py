"""Content truth kept on the server: what an entry a sync made was made from, in its referenceId.

Kaltura keeps no checksum of an entry's file that a client can read, and the sync's local
records are lost with the state folder (another machine, a CI job). So an entry whose identity
is derived from its path (``sync-`` and 28 hex, ``kaltura_mm.sync.source.derived_key``) carries
what the sync last wrote into it in its referenceId, which the category listing returns with
every entry (no extra request):

``sync-<key>.<content>[.v<version>[.f<source>[+]]]``

- ``<content>``: the first 16 hex of the sha256 of every byte of the file the entry was last
  made, replaced or taken over from (64 bits: a collision by chance is out of reach);
- ``<version>``: the entry's ``version`` as the sync left it at that write. Kaltura raises an
  entry's ``version`` when its data file changes (``entry::setData``, a new image; the sandbox
  models it), never for metadata or categories; a ``version`` above it
  means content another tool put in since (``media.updateContent``, a replacement in the KMC):
  a *conflict*. Never the reverse: the sync's own write is never taken for another tool's.
- ``<source>``: the ``version`` of the entry's source flavor asset (``kaltura_mm.flows.
  flavors``). A video's or audio's replacement leaves ``entry.version`` and swaps the new file
  into the source asset, raising *its* version (``kReplacementHelper::relinkAsset`` ->
  ``asset::linkFromAsset`` -> ``incrementVersion``); so a source above this is another tool's
  replacement too. ``+``: the sync's own write (an add, a replacement still converting) swaps
  into the source once after ``<source>``, so one step more is the sync's own. A step is
  ``kDataCenterMgr::incrementVersion``: ``ceil(v / 10) * 10 + 2 - dc`` (dc the data center, 0 or
  1), so one step from ``v`` reaches at most ``ceil(v / 10) * 10 + 2`` and two steps at least
  ``ceil(v / 10) * 10 + 10``: ``one_step``.

The referenceId has no length limit in the server (it lives in the entry's ``custom_data``;
``validatePropertyMinLength`` asks 2 characters at least) and these characters travel in every
filter (no comma). Lookups by referenceId are by exact value (``referenceIdEqual``/``In`` match
an md5 of the whole value in the search index: ``entry::getReferenceIdWithMd5``), so the sync
finds an entry by the identity part: from the listing of its category, or by
``referenceIdIn`` on the identity alone (an entry made before this, ``sync-<key>``) and the
identity with the file's current content. A manifest row's own referenceId is the user's: it
is never rewritten, and its content truth is the local records only.
"""

from __future__ import annotations

import math
import re

import attrs

from kaltura_mm.upload.request import FileFingerprint

CONTENT_HEX = 16
_DERIVED = re.compile(
    r"^(sync-[0-9a-f]{28})(?:\.([0-9a-f]{16})(?:\.v(\d{1,18})(?:\.f(\d{1,18})(\+?))?)?)?$"
)


@attrs.frozen
class Truth:
    """What a derived referenceId says: the identity, and what the entry was last made from."""

    key: str
    content: str | None = None
    version: int | None = None
    source: SourceMark | None = None


@attrs.frozen
class SourceMark:
    """What a referenceId keeps of the entry's source flavor asset: its ``version`` at the
    sync's write, and whether the sync's own write swaps into it once more after that
    (``ours``: an add, or a replacement not swapped in yet)."""

    version: int
    ours: bool = False

    def __str__(self) -> str:
        return f"{self.version}" + ("+" if self.ours else "")

    def moved(self, now: int | None) -> bool:
        """Return whether a source at version ``now`` holds a file another tool put in."""
        if now is None:
            return False
        return now > (one_step(self.version) if self.ours else self.version)


def one_step(version: int) -> int:
    """Return the highest version one swap of a file into an asset at ``version`` gives
    (``kDataCenterMgr::incrementVersion``: ``ceil(v / 10) * 10 + 2 - dc``, dc 0 or 1)."""
    return math.ceil(version / 10) * 10 + 2


def read(reference_id: str | None) -> Truth | None:
    """Return what ``reference_id`` says, if it is a derived one (else None: the user's own)."""
    found = _DERIVED.match(reference_id or "")
    if found is None:
        return None
    key, content, version, source, ours = found.groups()
    kept = SourceMark(int(source), ours == "+") if source is not None else None
    return Truth(key, content, int(version) if version is not None else None, kept)


def identity(reference_id: str | None) -> str:
    """Return the identity ``reference_id`` names (a derived one without what follows it)."""
    truth = read(reference_id)
    return truth.key if truth is not None else reference_id or ""


def content_of(print_: FileFingerprint | None) -> str | None:
    """Return what a referenceId keeps of a file's content (None: every byte was not read)."""
    if print_ is None or not print_.content_sha256:
        return None
    return print_.content_sha256[:CONTENT_HEX]


def stamped(
    key: str,
    print_: FileFingerprint | None,
    version: int | None = None,
    source: SourceMark | None = None,
) -> str:
    """Return the referenceId an entry of ``key`` holding ``print_``'s file carries: the key
    itself for a user's own referenceId, or where the content was not read. ``source`` is kept
    only with a ``version``."""
    content = content_of(print_)
    if read(key) is None or content is None:
        return key
    if version is None:
        return f"{identity(key)}.{content}"
    return f"{identity(key)}.{content}.v{version}" + (f".f{source}" if source else "")


def candidates(key: str, print_: FileFingerprint | None) -> list[str]:
    """Return the referenceIds an entry of ``key`` can be found by exactly: the key (made
    before the content was kept in it) and the key with the file's content."""
    written = stamped(key, print_)
    return [key] if written == key else [key, written]


def moved(truth: Truth | None, version: int | None, source: int | None = None) -> bool:
    """Return whether the entry's content changed on the server since the sync's last write:
    its ``version`` is above the one the referenceId keeps, or its source flavor asset's
    (``source``, None: not read or none) is beyond what the sync's own write gives it."""
    if truth is None:
        return False
    if truth.source is not None and truth.source.moved(source):
        return True
    return truth.version is not None and version is not None and version > truth.version
