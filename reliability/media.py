"""Test files for the scenarios: seeded random bytes of mixed sizes, and their checksums."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

SMALL = (2_000, 60_000)  # one chunk at the suite's 100 kB chunk size
LARGE = (150_000, 480_000)  # two to five chunks


def make_files(
    folder: Path, count: int, seed: int, large_share: float = 0.2, prefix: str = "lecture"
) -> list[Path]:
    """Write ``count`` files of seeded random bytes (a share of them multi-chunk); return them."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        low, high = LARGE if rng.random() < large_share else SMALL
        suffix = rng.choice((".mp4", ".wav", ".mov"))
        path = folder / f"{prefix}-{index:04d}{suffix}"
        path.write_bytes(rng.randbytes(rng.randint(low, high)))
        paths.append(path)
    return paths


def make_file(path: Path, size: int, seed: int) -> Path:
    """Write one file of ``size`` seeded random bytes and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
