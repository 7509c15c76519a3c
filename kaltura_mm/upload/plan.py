"""Pure chunk planning and the chunk state machine of an upload token; no I/O, no clock.

The rules, enforced here and nowhere else (the server's behaviour they rest on is in
docs/upload.md):

1. A file of ``size`` bytes that fits in one chunk (``size <= chunk_size``) is sent as one part:
   ``resume=False, finalChunk=True``. A 0-byte file is refused before anything is created
   (``plan_chunks`` raises): Kaltura cannot make an entry of it and the server's 0-byte part rules
   would silently discard it.
2. A larger file is cut into a small *head* ``[0, edge)``, middle chunks of at most
   ``chunk_size`` bytes, and a small *tail* (the last ``edge`` bytes at most). The head is sent
   alone, so keeping it small keeps the serial part of the upload short; the middle carries the
   bulk in parallel. ``balanced_chunk_size`` evens the middle out into a multiple of the chunks in
   flight, so the last round of parallel chunks is as full as the others.
3. The head goes first and alone: ``resume=False, finalChunk=False, resumeAt=0``. A ``resume=False``
   part replaces whatever the token holds, so nothing else may be in flight while it is.
4. Middle chunks go only after the head is acknowledged, in any order and in parallel:
   ``resume=True, finalChunk=False, resumeAt=offset``.
5. The tail goes once every middle chunk is acknowledged or in flight (it takes a free slot like
   any chunk): ``resume=True, finalChunk=True, resumeAt=offset``. The server holds the final part
   until the parts before it have arrived (up to ~45 s), appends them and closes the file at
   ``resumeAt + len(tail)``, so the tail's round trip overlaps the last middle chunks instead of
   following them. ``UPLOAD_TOKEN_CANNOT_MATCH_EXPECTED_SIZE`` on it is retried.
6. An acknowledged chunk is never sent again, with one exception (rule 8).
7. After an uncertain failure (the request may or may not have arrived) the book is corrected from
   the server's truth (``uploadToken.get``): every chunk inside the contiguous ``uploadedFileSize``
   prefix is confirmed, acknowledged or not, but the tail (rule 9). A token that is FULL_UPLOAD or
   CLOSED is done whatever size it reports: last writer wins on ``uploadedFileSize`` (a middle
   chunk that finished after the final one saves its smaller view), and the server sets
   FULL_UPLOAD only once the file reached the size the final request expected.
   A token that holds less than the head has lost everything: all chunks go back to pending.
8. If the tail keeps failing to match the expected size, the server lost a pending part (it can,
   under concurrent appends): chunks acknowledged beyond the contiguous prefix are *distrusted* and
   sent again (duplicates and overlaps are harmless to the server).
9. The tail is acknowledged only by a finished token (its own answer, or the truth). A PARTIAL
   token can hold every byte (a final request refused with ``CANNOT_MATCH_EXPECTED_SIZE`` leaves
   its part pending, and a later chunk appends it): only a final request finishes it, so the
   tail is sent again.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from kaltura_mm.runtime.retry import full_jitter

# The TS client's floor; keeps request overhead sane and well inside any server minimum.
MIN_CHUNK_SIZE = 100_000
# PHP's upload_max_filesize (2000M) bounds one part.
MAX_CHUNK_SIZE = 2000 * 1024 * 1024
# Per-request costs (a round trip, the server's work on each part) are paid once per chunk: at
# 16 MiB a 10 MiB/s connection spends ~1.6 s sending and a 50 ms round trip is 3% of it. Chunks
# are streamed from disk, so their size costs no memory.
DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024
# Head and tail: small, since the head travels alone (a quarter MiB is ~25 ms at 10 MiB/s).
DEFAULT_EDGE_SIZE = 256 * 1024


@attrs.frozen(order=True)
class Chunk:
    """Bytes ``[offset, offset + length)`` of the file; ``index`` is its place in the plan."""

    index: int
    offset: int
    length: int

    @property
    def end(self) -> int:
        """Return the offset just past the chunk's last byte."""
        return self.offset + self.length


@attrs.frozen
class ChunkSend:
    """How one chunk is sent: the ``uploadToken.upload`` flags of rules 1, 3, 4 and 5."""

    chunk: Chunk
    resume: bool
    final_chunk: bool
    resume_at: int


def check_chunk_size(chunk_size: int) -> int:
    """Return ``chunk_size`` if it is within the server's limits, else raise ``ValueError``."""
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int):
        raise ValueError(f"chunk_size must be a number of bytes, got {chunk_size!r}")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(
            f"chunk_size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} bytes "
            f"(one part of at most 2000 MiB), got {chunk_size}"
        )
    return chunk_size


def plan_chunks(
    size: int, chunk_size: int = DEFAULT_CHUNK_SIZE, edge_size: int = DEFAULT_EDGE_SIZE
) -> tuple[Chunk, ...]:
    """Cut a file of ``size`` bytes into the head, middle and tail chunks of rules 1 and 2."""
    if size <= 0:
        raise ValueError(f"a file of {size} bytes cannot be uploaded: Kaltura needs content")
    check_chunk_size(chunk_size)
    if size <= chunk_size:
        return (Chunk(0, 0, size),)
    edge = max(1, min(edge_size, chunk_size))
    tail_length = min(edge, size - edge)
    tail_offset = size - tail_length
    spans = [(0, edge)]
    spans += [(o, min(chunk_size, tail_offset - o)) for o in range(edge, tail_offset, chunk_size)]
    spans.append((tail_offset, tail_length))
    return tuple(Chunk(i, offset, length) for i, (offset, length) in enumerate(spans))


def balanced_chunk_size(
    size: int, chunk_size: int, edge_size: int = DEFAULT_EDGE_SIZE, parallel: int = 1
) -> int:
    """Return the chunk size (at most ``chunk_size``) that cuts the middle into full rounds.

    The middle of the file is cut into the fewest chunks of at most ``chunk_size`` bytes whose
    count is a multiple of ``parallel``, so no round of parallel chunks runs half empty; never
    below ``MIN_CHUNK_SIZE``. A file that fits in one chunk keeps ``chunk_size`` (rule 1).
    """
    check_chunk_size(chunk_size)
    if size <= chunk_size or parallel <= 1:
        return chunk_size
    edge = max(1, min(edge_size, chunk_size))
    middle = size - edge - min(edge, size - edge)
    if middle <= 0:
        return chunk_size
    count = -(-middle // chunk_size)
    count = -(-count // parallel) * parallel
    return max(MIN_CHUNK_SIZE, min(chunk_size, -(-middle // count)))


class Phase(enum.Enum):
    """Where an upload stands (rules 3 to 5)."""

    HEAD = "head"
    MIDDLE = "middle"
    TAIL = "tail"
    DONE = "done"


@attrs.frozen
class ChunkBook:
    """Which chunks are acknowledged and which are in flight; moved with its methods.

    ``acked`` and ``in_flight`` hold chunk indexes. ``complete`` is set only by the server's word
    (an answer or a truth showing the token FULL_UPLOAD or CLOSED, whatever size it reports).
    """

    chunks: tuple[Chunk, ...]
    acked: frozenset[int] = frozenset()
    in_flight: frozenset[int] = frozenset()
    complete: bool = False

    @classmethod
    def for_file(
        cls, size: int, chunk_size: int = DEFAULT_CHUNK_SIZE, edge_size: int = DEFAULT_EDGE_SIZE
    ) -> ChunkBook:
        """Return the empty book of a file of ``size`` bytes."""
        return cls(plan_chunks(size, chunk_size, edge_size))

    @property
    def size(self) -> int:
        """Return the file size the plan covers."""
        return self.chunks[-1].end

    @property
    def head(self) -> Chunk:
        """Return the first chunk."""
        return self.chunks[0]

    @property
    def tail(self) -> Chunk:
        """Return the last chunk (the head itself for a one-chunk file)."""
        return self.chunks[-1]

    @property
    def phase(self) -> Phase:
        """Return the phase the next sends belong to."""
        if self.complete:
            return Phase.DONE
        if len(self.chunks) == 1 or self.head.index not in self.acked:
            return Phase.HEAD
        if len(self.acked) < len(self.chunks) - 1:
            return Phase.MIDDLE
        return Phase.TAIL

    @property
    def bytes_acked(self) -> int:
        """Return the bytes of all acknowledged chunks."""
        return sum(self.chunks[i].length for i in self.acked)

    def ready(self, limit: int | None = None) -> tuple[Chunk, ...]:
        """Return the chunks that may be sent now (rules 3 to 5), at most ``limit`` of them."""
        phase = self.phase
        if phase is Phase.DONE or (phase is not Phase.MIDDLE and self.in_flight):
            return ()
        if phase is Phase.HEAD:
            candidates: Iterable[Chunk] = (self.head,)
        elif phase is Phase.TAIL:
            candidates = () if self.tail.index in self.acked else (self.tail,)
        else:
            sent = self.acked | self.in_flight
            middle = self.chunks[1:-1]
            every_middle_sent = all(c.index in sent for c in middle)
            candidates = (*middle, self.tail) if every_middle_sent else middle
        free = [c for c in candidates if c.index not in self.acked | self.in_flight]
        return tuple(free if limit is None else free[: max(0, limit)])

    def send_for(self, chunk: Chunk) -> ChunkSend:
        """Return the flags ``chunk`` is sent with."""
        if chunk.index == 0:
            return ChunkSend(chunk, resume=False, final_chunk=len(self.chunks) == 1, resume_at=0)
        final = chunk.index == len(self.chunks) - 1
        return ChunkSend(chunk, resume=True, final_chunk=final, resume_at=chunk.offset)

    def start(self, chunk: Chunk) -> ChunkBook:
        """Record that ``chunk`` was sent; refuse a send the rules forbid."""
        if chunk not in self.ready():
            raise ValueError(f"chunk {chunk.index} may not be sent in phase {self.phase.value}")
        return attrs.evolve(self, in_flight=self.in_flight | {chunk.index})

    def ack(self, chunk: Chunk, *, completes: bool = False) -> ChunkBook:
        """Record the server's acknowledgement of ``chunk``; ``completes``: the answer shows a
        finished token (the file is whole, rule 7). The tail answered without one is pending
        again (rule 9)."""
        if completes:  # a finished token: the whole file is in (rule 7)
            every = frozenset(c.index for c in self.chunks)
            return attrs.evolve(
                self, acked=every, in_flight=self.in_flight - {chunk.index}, complete=True
            )
        if chunk.index == self.tail.index:
            return self.fail(chunk)
        return attrs.evolve(
            self, acked=self.acked | {chunk.index}, in_flight=self.in_flight - {chunk.index}
        )

    def fail(self, chunk: Chunk) -> ChunkBook:
        """Record that ``chunk`` failed; it is pending again."""
        return attrs.evolve(self, in_flight=self.in_flight - {chunk.index})

    def confirm(self, indexes: Iterable[int]) -> ChunkBook:
        """Return the book with chunks ``indexes`` acknowledged (a saved state's confirmations)."""
        known = {c.index for c in self.chunks}
        return attrs.evolve(self, acked=self.acked | (frozenset(indexes) & known))

    def recover(self, uploaded: int, finished: bool, *, distrust: bool = False) -> ChunkBook:
        """Correct the book from the server's truth (rules 7 to 9).

        ``uploaded`` is the token's contiguous ``uploadedFileSize``; ``finished`` says it is
        FULL_UPLOAD or CLOSED, which alone means done. ``distrust`` drops acknowledgements
        beyond the prefix (rule 8).
        """
        if finished:
            every = frozenset(c.index for c in self.chunks)
            return attrs.evolve(self, acked=every, complete=True)
        if uploaded < self.head.length:
            return attrs.evolve(self, acked=frozenset(), complete=False)
        inside = {c.index for c in self.chunks if c.end <= uploaded}
        kept = (
            frozenset(i for i in self.acked if self.chunks[i].offset < uploaded)
            if distrust
            else self.acked
        )
        acked = (kept | inside) - {self.tail.index}  # rule 9
        return attrs.evolve(self, acked=acked, complete=False)


def backoff_delay(attempt: int, unit: float, base: float, cap: float) -> float:
    """Return the pause before retry ``attempt`` (1-based): full jitter, ``unit`` in [0, 1)
    (the runtime's ``full_jitter``: one formula)."""
    return full_jitter(attempt, unit, base, cap)
