"""A user's script, written the way the README teaches: it must pass ``mypy --strict``.

Upload with progress, list a category, rename the entry, detach it, delete it: once with
``Client``, once with ``AsyncClient``. ``tests/test_typing.py`` type-checks this file and runs it
against the sandbox.
"""

from __future__ import annotations

from pathlib import Path

import kaltura_mm as kmm


def with_client(config: kmm.Config, path: Path, category: str) -> list[str]:
    """Run the script with the sync client; return what it saw, in order."""
    seen: list[str] = []
    options = kmm.UploadOptions(wait_ready=True)
    with kmm.Client(config) as client:
        done = client.upload(
            path, category=category, options=options, on_progress=lambda p: seen.append("progress")
        )
        seen += [entry.name or "" for entry in client.entries(category=category)]
        renamed = client.base_entry.update(done.entry_id, kmm.BaseEntry(name="renamed"))
        seen.append(renamed.name or "")
        folder = client.categories.resolve(category)
        detached = client.detach([done.entry_id], folder.id or 0)
        deleted = client.delete([done.entry_id])
        seen += [o.status for o in (*detached, *deleted)]
        try:
            client.entry(done.entry_id)
        except kmm.EntryNotFoundError:
            seen.append("gone")
    return seen


async def with_async_client(config: kmm.Config, path: Path, category: str) -> list[str]:
    """Run the same script with the async client."""
    seen: list[str] = []
    options = kmm.UploadOptions(wait_ready=True)
    async with kmm.AsyncClient(config) as client:
        done = await client.upload(
            path, category=category, options=options, on_progress=lambda p: seen.append("progress")
        )
        seen += [entry.name or "" async for entry in client.entries(category=category)]
        renamed = await client.base_entry.update(done.entry_id, kmm.BaseEntry(name="renamed"))
        seen.append(renamed.name or "")
        folder = await client.categories.resolve(category)
        detached = await client.detach([done.entry_id], folder.id or 0)
        deleted = await client.delete([done.entry_id])
        seen += [o.status for o in (*detached, *deleted)]
        try:
            await client.entry(done.entry_id)
        except kmm.EntryNotFoundError:
            seen.append("gone")
    return seen
