"""An upload token's bytes on disk: the contiguous file plus pending ``.chunk.{offset}`` files.

Rules (``kUploadTokenMgr``), applied under the token's lock:
1. A pending chunk is appendable iff ``offset == 0`` or ``offset <= size < offset + len``; it is
   written at ``offset`` (overlaps overwritten) and removed. Chunks wholly inside the data stay.
2. A part that starts inside or at the end of the data is written in place; any other part
   (a gap, or a duplicate wholly inside) becomes a pending chunk.
3. The contiguous size (``uploadedFileSize``) never counts pending chunks.
Bytes are copied file-to-file by the kernel (``copy_file_range``), never held whole in memory.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_APPENDS_PER_CALL = 10
_COPY_BLOCK = 8 * 2**20


def size_of(path: Path) -> int:
    """Return the contiguous size (0 when the file does not exist)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def write_at(target: Path, source: Path, offset: int) -> None:
    """Copy all of ``source`` into ``target`` starting at ``offset``."""
    length = source.stat().st_size
    flags = os.O_WRONLY | os.O_CREAT
    src = os.open(source, os.O_RDONLY)
    try:
        dst = os.open(target, flags, 0o644)
        try:
            copied = 0
            while copied < length:
                n = _copy(src, dst, min(_COPY_BLOCK, length - copied), copied, offset + copied)
                if n <= 0:
                    break
                copied += n
        finally:
            os.close(dst)
    finally:
        os.close(src)


def _copy(src: int, dst: int, count: int, src_off: int, dst_off: int) -> int:
    try:
        return os.copy_file_range(src, dst, count, src_off, dst_off)
    except OSError:
        data = os.pread(src, count, src_off)
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


def append_pending(path: Path, limit: int = MAX_APPENDS_PER_CALL) -> int:
    """Append every appendable pending chunk (rule 1), at most ``limit``; return the new size."""
    size = size_of(path)
    done = 0
    progress = True
    while progress and done < limit:
        progress = False
        for offset, chunk in pending(path):
            length = chunk.stat().st_size
            if offset == 0 or offset <= size < offset + length:
                write_at(path, chunk, offset)
                chunk.unlink()
                size = size_of(path)
                done += 1
                progress = True
                break
    return size


def place(path: Path, part: Path, offset: int) -> None:
    """Write ``part`` in place when it touches the data (rule 2), else stash it."""
    size = size_of(path)
    length = part.stat().st_size
    if offset <= size < offset + length:
        write_at(path, part, offset)
        part.unlink()
    else:
        stash(path, part, offset)


def discard(path: Path) -> None:
    """Remove a token's file and all its pending chunks."""
    for _, chunk in pending(path):
        chunk.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
