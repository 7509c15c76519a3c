"""A token's file on "disk" and its pending chunk files, per ``kUploadTokenMgr``.

- ``sync_append`` (``syncAppendAvailableChunks``): append ``{path}.chunk.{EOF}`` files, the ones
  that start exactly at the current end of file, up to ``limit`` of them;
- ``glob_append`` (``appendAvailableChunks`` / ``appendChunks``): in offset order, append any
  pending chunk that starts at 0 or overlaps the end of file and extends it, until none does;
  chunks wholly inside the file are left where they are (never cleaned up), chunks beyond EOF wait.
"""

from __future__ import annotations

from simulation.model.records import Token


def write_at(data: bytearray, offset: int, chunk: bytes) -> None:
    """Write ``chunk`` at ``offset`` (``offset <= len(data)``), extending the file."""
    data[offset : offset + len(chunk)] = chunk


def sync_append(token: Token, limit: int, expected: int | None = None) -> int:
    """Append pending chunks that start exactly at EOF; return the file's size."""
    data = token.data
    assert data is not None
    for _ in range(limit):
        size = len(data)
        if size not in token.pending or (expected and size == expected):
            break
        data.extend(token.pending.pop(size))
    return len(data)


def glob_append(token: Token) -> int:
    """Append every pending chunk that starts at 0 or overlaps EOF; return the file's size."""
    data = token.data
    assert data is not None
    while True:
        size = len(data)
        for offset in sorted(token.pending):
            chunk = token.pending[offset]
            if offset == 0 or offset <= size < offset + len(chunk):
                write_at(data, offset, token.pending.pop(offset))
                break
        else:
            return size


def store_part(token: Token, offset: int, part: bytes) -> int:
    """A non-final ``resumeAt`` part: append what waits at EOF (at most 10), then write the part
    in place if it overlaps EOF, else keep it as a pending chunk; return the file's size."""
    size = sync_append(token, limit=10)
    data = token.data
    assert data is not None
    if offset <= size < offset + len(part):
        write_at(data, offset, part)
    else:
        token.pending[offset] = part  # a gap before it, or a duplicate inside the file
    return len(data)
