"""Ground truth read from the sandbox itself (its store and its content URLs), not the client.

The scenarios judge the client by what the server ended up holding: entries and their category
links, upload tokens, and the bytes the server serves for each entry.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from dataclasses import dataclass

import httpx

from kaltura_mm.sandbox import Sandbox

DELETED = 3
OPEN_TOKEN_STATUSES = (0, 1, 2)  # PENDING, PARTIAL_UPLOAD, FULL_UPLOAD (not yet attached)


def live_entries(sb: Sandbox, partner_id: int | None = None) -> list[sqlite3.Row]:
    """Return the partner's entries that are not deleted, oldest first."""
    pid = sb.partner_id if partner_id is None else partner_id
    return sb.core.store.all(
        "SELECT * FROM entries WHERE partner_id = ? AND status != ? ORDER BY seq", (pid, DELETED)
    )


def entry_count(sb: Sandbox) -> int:
    """Return the number of entries not deleted, over every partner."""
    row = sb.core.store.one("SELECT COUNT(*) FROM entries WHERE status != ?", (DELETED,))
    return int(row[0]) if row else 0


def token_count(sb: Sandbox) -> int:
    """Return the number of upload tokens ever made, over every partner."""
    row = sb.core.store.one("SELECT COUNT(*) FROM upload_tokens")
    return int(row[0]) if row else 0


def linked_entry_ids(sb: Sandbox, category_id: int) -> list[str]:
    """Return the ids of entries actively linked to a category (one item per link)."""
    rows = sb.core.store.all(
        "SELECT entry_id FROM category_entries WHERE category_id = ? AND status = 2",
        (category_id,),
    )
    return [str(r[0]) for r in rows]


def open_tokens(sb: Sandbox, partner_id: int | None = None) -> list[sqlite3.Row]:
    """Return the partner's tokens still open (pending, partial, or full but never attached)."""
    pid = sb.partner_id if partner_id is None else partner_id
    marks = ",".join("?" * len(OPEN_TOKEN_STATUSES))
    return sb.core.store.all(
        f"SELECT * FROM upload_tokens WHERE partner_id = ? AND status IN ({marks})",
        (pid, *OPEN_TOKEN_STATUSES),
    )


def served_sha256(sb: Sandbox, entry_id: str, partner_id: int | None = None) -> str | None:
    """Return the sha256 of the bytes the sandbox serves for an entry (None if it serves none)."""
    pid = sb.partner_id if partner_id is None else partner_id
    url = (
        f"{sb.service_url}/p/{pid}/sp/{pid}00/playManifest/entryId/{entry_id}"
        "/format/download/protocol/http/flavorParamIds/0"
    )
    digest = hashlib.sha256()
    with httpx.stream("GET", url, timeout=30) as response:
        if response.status_code != 200:
            return None
        for block in response.iter_bytes():
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Census:
    """What a batch upload left on the server, judged against the files it was given."""

    expected: int
    present: int
    missing: list[str]
    duplicates: list[str]
    strangers: list[str]
    corrupt: list[str]
    unlinked: list[str]
    open_tokens: int

    @property
    def intact(self) -> int:
        """Return how many files are present exactly once with identical bytes."""
        bad = set(self.missing) | set(self.duplicates) | set(self.corrupt)
        return self.expected - len(bad)


def census(sb: Sandbox, checksums: dict[str, str], category_id: int) -> Census:
    """Compare the partner's entries with ``checksums`` (entry name -> sha256 of the file)."""
    entries = live_entries(sb)
    names = Counter(str(e["name"]) for e in entries)
    linked = set(linked_entry_ids(sb, category_id))
    corrupt = [
        str(e["name"])
        for e in entries
        if str(e["name"]) in checksums
        and served_sha256(sb, str(e["id"])) != checksums[str(e["name"])]
    ]
    return Census(
        expected=len(checksums),
        present=sum(1 for n in checksums if names[n] >= 1),
        missing=sorted(n for n in checksums if names[n] == 0),
        duplicates=sorted(n for n, c in names.items() if c > 1),
        strangers=sorted(n for n in names if n not in checksums),
        corrupt=sorted(corrupt),
        unlinked=sorted(str(e["name"]) for e in entries if str(e["id"]) not in linked),
        open_tokens=len(open_tokens(sb)),
    )
