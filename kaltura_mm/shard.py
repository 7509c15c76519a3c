"""One part of a job split across machines with no shared store (``--shard K/N``). Pure.

Each item belongs to exactly one of the N shards: the sha256 of its key, as a number, modulo N
(shard K takes the items whose remainder is K - 1). The hash is the same on every machine and in
every Python (never ``hash()``, which is salted per process), so N runs of the same job, one per
shard, together take every item exactly once, without talking to each other.

The key is what the job already identifies an item by: an upload's referenceId (its identity:
the whole content, size, name, categories, owner), a sync item's key, an entry id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

import attrs

T = TypeVar("T")


@attrs.frozen
class Shard:
    """Shard ``index`` of ``count`` (1-based, as the user writes it: ``2/3``)."""

    index: int
    count: int

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index}/{self.count}: K must be from 1 to N")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """Return the shard ``K/N`` names, or raise ValueError saying the form."""
        index, slash, count = text.strip().partition("/")
        if not slash or not index.strip().isdigit() or not count.strip().isdigit():
            raise ValueError(f"{text!r} is not K/N: use e.g. 2/3 (the 2nd of 3 parts)")
        shard_index, shard_count = int(index), int(count)
        if not 1 <= shard_index <= shard_count:
            raise ValueError(
                f"{text!r}: K must be from 1 to N (1/{shard_count} .. {shard_count}/{shard_count})"
            )
        return cls(shard_index, shard_count)

    def owns(self, key: str) -> bool:
        """Return whether the item with ``key`` belongs to this shard."""
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        return int.from_bytes(digest, "big") % self.count == self.index - 1

    def pick(self, items: Iterable[T], key: Callable[[T], str]) -> list[T]:
        """Return the ``items`` of this shard, in their order."""
        return [item for item in items if self.owns(key(item))]

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"
