"""An upload token's bytes on disk: the data file plus pending ``.chunk.{offset}`` files.

Rules (``kUploadTokenMgr``), applied under the token's lock:
1. A non-final chunk request first appends, at most 10 times, the pending chunk that starts
   exactly at the end of the data (``syncAppendAvailableChunks``), then places its own part, and
   appends nothing after it: a chunk its part made appendable waits for a later request.
2. A final chunk's wait appends every appendable pending chunk, in offset order: one with
   ``offset == 0`` or ``offset <= size < offset + len`` (``appendAvailableChunks``).
   An appended chunk is written at ``offset`` (overlaps overwritten) and removed; chunks wholly
   inside the data stay on disk for good, as on the real server (harmless duplicates).
3. A part that starts inside or at the end of the data is written in place; any other part
   (a gap, or a duplicate wholly inside) becomes a pending chunk.
4. The contiguous size never counts pending chunks. It is passed in and returned explicitly,
   never read from the file: bytes past it (an in-place write whose request failed, see
   ``claims``) are not data and are cut off when the token completes.
Bytes are copied file-to-file by the kernel (``copy_file_range``), never held whole in memory.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_APPENDS_PER_CALL = 10
_COPY_BLOCK = 64 * 2**20


def copy_range(src: int, target: Path, src_offset: int, length: int, dst_offset: int = 0) -> None:
    """Copy ``length`` bytes of open file ``src`` from ``src_offset`` into ``target``."""
    dst = os.open(target, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        copied = 0
        while copied < length:
            count = min(_COPY_BLOCK, length - copied)
            n = _copy(src, dst, count, src_offset + copied, dst_offset + copied)
            if n <= 0:
                break
            copied += n
    finally:
        os.close(dst)


def write_at(target: Path, source: Path, offset: int) -> int:
    """Copy all of ``source`` into ``target`` starting at ``offset``; return its length."""
    src = os.open(source, os.O_RDONLY)
    try:
        length = os.fstat(src).st_size
        copy_range(src, target, 0, length, offset)
    finally:
        os.close(src)
    return length


def _copy(src: int, dst: int, count: int, src_off: int, dst_off: int) -> int:
    try:
        return os.copy_file_range(src, dst, count, src_off, dst_off)
    except OSError:
        data = os.pread(src, min(count, 2**20), src_off)
        return os.pwrite(dst, data, dst_off)


def pending(path: Path) -> list[tuple[int, Path]]:
    """Return the pending chunks as (offset, file), in offset order."""
    prefix = path.name + ".chunk."
    found = []
    for item in path.parent.glob(prefix + "*"):
        tail = item.name[len(prefix) :]
        if tail.isdigit():
            found.append((int(tail), item))
    return sorted(found)


def stash(path: Path, part: Path, offset: int) -> None:
    """Keep ``part`` as the pending chunk at ``offset`` (a duplicate replaces the older one)."""
    os.replace(part, path.with_name(f"{path.name}.chunk.{offset}"))


def append_at_end(path: Path, size: int, limit: int = MAX_APPENDS_PER_CALL) -> int:
    """Append the pending chunks that start exactly at the end, at most ``limit`` (rule 1)."""
    for _ in range(limit):
        chunk = path.with_name(f"{path.name}.chunk.{size}")
        if not chunk.exists():
            break
        length = write_at(path, chunk, size)
        chunk.unlink()
        if length == 0:
            break
        size += length
    return size


def append_pending(path: Path, size: int) -> int:
    """Append every appendable pending chunk (rule 2); return the new size."""
    progress = True
    while progress:
        progress = False
        for offset, chunk in pending(path):
            length = chunk.stat().st_size
            if offset == 0 or offset <= size < offset + length:
                write_at(path, chunk, offset)
                chunk.unlink()
                size = max(size, offset + length)  # a chunk at 0 can be shorter than the data
                progress = True
                break
    return size


def place(path: Path, part: Path, offset: int, size: int) -> int:
    """Write ``part`` in place when it touches the data (rule 3), else stash it; return the size."""
    length = part.stat().st_size
    if offset <= size < offset + length:
        write_at(path, part, offset)
        part.unlink()
        return offset + length
    stash(path, part, offset)
    return size


def cut(path: Path, size: int) -> None:
    """Drop bytes past the contiguous ``size`` (left by in-place writes that never committed)."""
    if path.stat().st_size > size:
        os.truncate(path, size)


def discard(path: Path) -> None:
    """Remove a token's file and all its pending chunks."""
    for _, chunk in pending(path):
        chunk.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
