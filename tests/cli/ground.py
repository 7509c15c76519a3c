"""Ground truth for the command-line tests, read from the sandbox's own store (not the client)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

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


def as_role(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, name: str, permissions: Iterable[str]
) -> None:
    """Run the next commands with an app token whose sessions take a role of ``permissions``
    (``setrole``), and no admin secret."""
    role = sandbox.add_role(name, list(permissions))
    made = sandbox.add_app_token(
        hash_type="SHA256", session_type=2, session_privileges=f"setrole:{role}"
    )
    monkeypatch.delenv("KALTURA_ADMIN_SECRET")
    monkeypatch.setenv("KALTURA_APP_TOKEN_ID", made["id"])
    monkeypatch.setenv("KALTURA_APP_TOKEN", made["token"])
    monkeypatch.setenv("KALTURA_APP_TOKEN_HASH", "sha256")


def job_id(err: str) -> str:
    """Return the id of the job a ``--json`` run made (its ``job`` notice on stderr)."""
    notices = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    (job,) = [n for n in notices if n.get("notice") == "job"]
    return str(job["job"])
