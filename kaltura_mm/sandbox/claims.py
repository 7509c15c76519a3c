"""In-place chunk writes: a chunk that starts exactly at a token's contiguous end is written
straight into the token's file while its request body arrives, instead of into a temporary file
that is then copied (the copy halved ingest speed).

Rules, applied under the token's lock (``Core.token_condition``):
1. A token has at most one live claim, taken when the part's headers arrive, only for a
   ``resume=true, resumeAt=<contiguous size>`` part of a PENDING/PARTIAL token whose request
   passed the dispatcher's KS and access checks.
2. While a claim is live nothing else extends the token's data or finalises it: other chunks wait
   as pending chunk files, sequential appends and finalisation wait for the claim to end.
   Bytes past the contiguous size are not data until the claimant's action commits them, so an
   aborted or refused request leaves only ignorable bytes beyond the end (cut off at
   finalisation).
3. A claim whose assumptions no longer hold when its action runs (another action, offset or token;
   the file replaced or deleted) is detached: its bytes are copied to a temporary file and the part
   is placed by the ordinary rules, as if it had never been written in place.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kaltura_mm.sandbox import chunks


@dataclass(eq=False)
class Claim:
    """The right of one request to write its chunk at ``offset`` in a token's file."""

    token_id: str
    path: Path
    offset: int
    final: bool
    fd: int
    inode: tuple[int, int]
    closed: bool = False


class Claims:
    """The live claims of every token (every method is called under the token's condition)."""

    def __init__(self) -> None:
        self._live: dict[str, Claim] = {}

    def active(self, token_id: str) -> bool:
        """Return True while a claim on ``token_id`` is live."""
        return token_id in self._live

    def take(self, token_id: str, path: Path, offset: int, final: bool) -> Claim | None:
        """Open ``path`` for writing at ``offset`` and record the claim (None when taken)."""
        if token_id in self._live or not path.exists():
            return None
        fd = os.open(path, os.O_RDWR)
        os.lseek(fd, offset, os.SEEK_SET)
        stat = os.fstat(fd)
        claim = Claim(token_id, path, offset, final, fd, (stat.st_dev, stat.st_ino))
        self._live[token_id] = claim
        return claim

    def holds(self, claim: Claim, token_id: str, offset: int, final: bool) -> bool:
        """Return True when ``claim`` is live and matches the action's token, offset and mode."""
        if self._live.get(token_id) is not claim:
            return False
        if (claim.offset, claim.final) != (offset, final):
            return False
        try:
            stat = claim.path.stat()
        except FileNotFoundError:
            return False
        return (stat.st_dev, stat.st_ino) == claim.inode

    def drop(self, token_id: str) -> None:
        """Forget a token's claim (its file is being replaced or removed)."""
        self._live.pop(token_id, None)

    def end(self, claim: Claim) -> None:
        """End ``claim`` and close its file (idempotent)."""
        if self._live.get(claim.token_id) is claim:
            del self._live[claim.token_id]
        if not claim.closed:
            claim.closed = True
            os.close(claim.fd)


def detach(claim: Claim, size: int, incoming: Path) -> Path:
    """Copy the ``size`` claimed bytes into a new temporary file and return its path."""
    fd, name = tempfile.mkstemp(dir=incoming, prefix="part-")
    os.close(fd)
    chunks.copy_range(claim.fd, Path(name), claim.offset, size)
    return Path(name)
