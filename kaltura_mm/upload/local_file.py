"""Check a local file before an upload touches the server, and take its fingerprint.

The only file reads a flow does (the client streams the bytes): a ``stat``, the first and last
MiB for the fingerprint, and once per file the whole content for its identity
(``kaltura_mm.upload.request``), hashed in blocks between which a flow lets others run. A
content hash and a sample are remembered for the process by path, device, inode, size and
``mtime_ns``, so a file hashed to plan an upload is not read again to run it; a file of at most
a MiB is its own sample, so one read gives both (a small file was read and hashed five times on
its way through ``kaltura-mm upload``, issue 20). ``full_check`` always reads: it is the check
that the bytes did not change under an unchanged stat. Every refusal is a ``ConfigError``
naming the problem and the fix.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.runtime.effects import Flow, Sleep
from kaltura_mm.upload.request import SAMPLE_BYTES, FileFingerprint, sample_digest

HASH_BLOCK = 8 * 1024 * 1024
_MIN_BLOCK = 64 * 1024
_YIELD_EVERY = 8  # blocks: a flow hashing a big file lets other flows run every 64 MiB
_REMEMBERED = 4096
_Key = tuple[str, int, int, int, int]
_digests: OrderedDict[_Key, str] = OrderedDict()  # content sha256, by the file's stat
_samples: OrderedDict[_Key, str] = OrderedDict()  # sample sha256, by the file's stat
_digests_lock = threading.Lock()


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{path} does not exist: check the path") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check its permissions") from None


def _sample(path: Path, info: os.stat_result, key: _Key) -> str:
    """Read the sample of the file; remember it (and a small file's content hash) by ``key``."""
    # Reads of the size the file has: asked for a MiB, a read of a small file costs a MiB's
    # allocation each time; and the tail of a file of at most a MiB is its head, read once.
    size = info.st_size
    try:
        with open(path, "rb") as handle:
            head = handle.read(min(size, SAMPLE_BYTES))
            if size <= SAMPLE_BYTES:
                tail = head
            else:
                handle.seek(size - SAMPLE_BYTES)
                tail = handle.read(SAMPLE_BYTES)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check its permissions") from None
    sample = sample_digest(size, head, tail)
    if _key(path, _stat(path)) == key:  # unchanged while read: remembered
        if _remembered(_samples, key) not in (None, sample):  # new bytes under the same stat:
            _forget(_digests, key)  # the content hash remembered is not theirs
        _remember(_samples, key, sample)
        if len(head) == size and _remembered(_digests, key) is None:  # the whole file
            _remember(_digests, key, hashlib.sha256(head).hexdigest())
    return sample


def fingerprint(path: Path, max_size: int | None = None, *, fresh: bool = False) -> FileFingerprint:
    """Return the fingerprint of the file at ``path``; refuse what cannot be uploaded.

    The sample is read unless this process read it for the same stat; ``fresh`` reads it always.
    """
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
    key = _key(path, info)
    sample = None if fresh else _remembered(_samples, key)
    if sample is None:
        sample = _sample(path, info, key)
    return FileFingerprint(size=info.st_size, mtime_ns=info.st_mtime_ns, sample_sha256=sample)


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
        current = fingerprint(path, fresh=True)
    except ConfigError:
        return ("existence",)
    return current.differences(expected)


def _key(path: Path, info: os.stat_result) -> _Key:
    return (str(path.resolve()), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _remembered(memo: OrderedDict[_Key, str], key: _Key) -> str | None:
    with _digests_lock:
        return memo.get(key)


def _forget(memo: OrderedDict[_Key, str], key: _Key) -> None:
    with _digests_lock:
        memo.pop(key, None)


def _remember(memo: OrderedDict[_Key, str], key: _Key, digest: str) -> None:
    with _digests_lock:
        memo[key] = digest
        while len(memo) > _REMEMBERED:
            memo.popitem(last=False)


def _blocks(path: Path, size: int) -> Iterator[memoryview]:
    """Yield the file's content block by block, each a view of one buffer read into in place.

    One buffer per file, not a fresh 8 MiB ``bytes`` per block: hashing a 2 GiB file made 256 of
    them, which the allocator kept around (issue 20). A block is valid until the next is read.
    The buffer is no bigger than the file (``size``, as stat saw it; a file that grows is read
    on in more blocks): 8 MiB zeroed for each 256 KiB file was a sixth of a small-file run's CPU.
    """
    buffer = bytearray(min(HASH_BLOCK, max(size, _MIN_BLOCK)))
    view = memoryview(buffer)
    try:
        with open(path, "rb", buffering=0) as handle:
            while count := handle.readinto(buffer):
                yield view[:count]
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; check its permissions") from None


def with_content(path: Path, print_: FileFingerprint) -> Flow[FileFingerprint]:
    """Return ``print_`` with the sha256 of every byte of the file (its identity).

    Read in blocks, letting other flows run between them; remembered for the process. A file
    that changes while it is read is refused.
    """
    info = _stat(path)
    key = _key(path, info)
    digest = _remembered(_digests, key)
    if digest is None:
        hasher = hashlib.sha256()
        for count, block in enumerate(_blocks(path, info.st_size), start=1):
            hasher.update(block)
            if count % _YIELD_EVERY == 0:
                yield Sleep(0)
        if quick_check(path, print_) or _key(path, _stat(path)) != key:
            raise ConfigError(f"{path} changed while it was read: upload it once it is written")
        digest = hasher.hexdigest()
        _remember(_digests, key, digest)
    return attrs.evolve(print_, content_sha256=digest)


def content_fingerprint(path: Path, max_size: int | None = None) -> FileFingerprint:
    """Return the fingerprint of the file at ``path`` with its content hash (outside a flow)."""
    flow = with_content(path, fingerprint(path, max_size))
    try:
        while True:
            next(flow)  # only Sleep(0): nothing to wait for outside a runtime
    except StopIteration as done:
        result: FileFingerprint = done.value
        return result
