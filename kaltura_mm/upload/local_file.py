"""Check a local file before an upload touches the server, and take its fingerprint.

The only file reads a flow does (the client streams the bytes): a ``stat`` and the first and
last MiB for the fingerprint. Every refusal is a ``ConfigError`` naming the problem and the fix.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from kaltura_mm.errors import ConfigError
from kaltura_mm.upload.request import SAMPLE_BYTES, FileFingerprint, sample_digest


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist: check the path") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check its permissions") from None


def _sample(path: Path, size: int) -> str:
    try:
        with open(path, "rb") as handle:
            head = handle.read(SAMPLE_BYTES)
            handle.seek(max(0, size - SAMPLE_BYTES))
            tail = handle.read(SAMPLE_BYTES)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check its permissions") from None
    return sample_digest(size, head, tail)


def fingerprint(path: Path, max_size: int | None = None) -> FileFingerprint:
    """Return the fingerprint of the file at ``path``; refuse what cannot be uploaded."""
    info = _stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{path} is a directory: pass the files in it, not the directory")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path} is not a regular file: only regular files can be uploaded")
    if info.st_size == 0:
        raise ConfigError(f"{path} is empty (0 bytes): Kaltura cannot make an entry of it")
    if max_size is not None and info.st_size > max_size:
        raise ConfigError(
            f"{path} has {info.st_size} bytes, more than the server accepts ({max_size}): "
            "split or compress it first"
        )
    return FileFingerprint(
        size=info.st_size, mtime_ns=info.st_mtime_ns, sample_sha256=_sample(path, info.st_size)
    )


def quick_check(path: Path, expected: FileFingerprint) -> tuple[str, ...]:
    """Return which of size and mtime changed since ``expected`` (a stat, no read)."""
    try:
        info = path.stat()
    except OSError:
        return ("existence",)
    changed = []
    if info.st_size != expected.size:
        changed.append("size")
    if info.st_mtime_ns != expected.mtime_ns:
        changed.append("mtime_ns")
    return tuple(changed)


def full_check(path: Path, expected: FileFingerprint) -> tuple[str, ...]:
    """Return which fingerprint properties changed since ``expected`` (reads two MiB)."""
    try:
        current = fingerprint(path)
    except ConfigError:
        return ("existence",)
    return current.differences(expected)
