"""Ground truth for the command-line tests, read from the sandbox's own store (not the client)."""

from __future__ import annotations

from typing import Any

DELETED = 3
OPEN_TOKEN_STATUSES = (0, 1, 2)  # pending, partial, full but never attached


def live_entries(sandbox: Any) -> list[dict[str, Any]]:
    """Return the default partner's entries that are not deleted."""
    rows = sandbox.core.store.all(
        "SELECT * FROM entries WHERE partner_id = ? AND status != ? ORDER BY seq",
        (sandbox.partner_id, DELETED),
    )
    return [dict(r) for r in rows]


def in_category(sandbox: Any, category_id: int) -> list[str]:
    """Return the ids of the entries actively linked to a category."""
    rows = sandbox.core.store.all(
        "SELECT entry_id FROM category_entries WHERE category_id = ? AND status = 2",
        (category_id,),
    )
    return sorted(str(r[0]) for r in rows)


def open_tokens(sandbox: Any) -> list[dict[str, Any]]:
    """Return the default partner's upload tokens still open."""
    marks = ",".join("?" * len(OPEN_TOKEN_STATUSES))
    rows = sandbox.core.store.all(
        f"SELECT * FROM upload_tokens WHERE partner_id = ? AND status IN ({marks})",
        (sandbox.partner_id, *OPEN_TOKEN_STATUSES),
    )
    return [dict(r) for r in rows]
