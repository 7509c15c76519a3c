"""A user's script, written the way the README teaches: it must pass ``mypy --strict``.

Resolve a category by path, upload into it with progress, list it, rename the entry, detach it,
delete it: once with ``Client``, once with ``AsyncClient``. No ``or 0``, no casts: what the
server returned carries its ids, and the verbs take the objects. ``tests/test_typing.py``
type-checks this file and runs it against the sandbox.
"""

from __future__ import annotations

from pathlib import Path

import kaltura_mm as kmm


def with_client(config: kmm.Config, path: Path, category: str) -> list[str | None]:
    """Run the script with the sync client; return what it saw, in order."""
    seen: list[str | None] = []
    options = kmm.UploadOptions(wait_ready=True)
    with kmm.Client(config) as client:
        folder = client.categories.resolve(category)
        done = client.upload(
            path, category=folder, options=options, on_progress=lambda p: seen.append("progress")
        )
        seen += [entry.name for entry in client.entries(category=folder)]
        renamed = client.base_entry.update(done.entry, kmm.BaseEntryParams(name="renamed"))
        seen.append(renamed.name)
        detached = client.detach([renamed], folder)
        deleted = client.delete(renamed)
        seen += [o.status for o in (*detached, *deleted)]
        try:
            client.entry(renamed)
        except kmm.EntryNotFoundError:
            seen.append("gone")
    return seen


async def with_async_client(config: kmm.Config, path: Path, category: str) -> list[str | None]:
    """Run the same script with the async client."""
    seen: list[str | None] = []
    options = kmm.UploadOptions(wait_ready=True)
    async with kmm.AsyncClient(config) as client:
        folder = await client.categories.resolve(category)
        done = await client.upload(
            path, category=folder, options=options, on_progress=lambda p: seen.append("progress")
        )
        seen += [entry.name async for entry in client.entries(category=folder)]
        renamed = await client.base_entry.update(done.entry, kmm.BaseEntryParams(name="renamed"))
        seen.append(renamed.name)
        detached = await client.detach([renamed], folder)
        deleted = await client.delete(renamed)
        seen += [o.status for o in (*detached, *deleted)]
        try:
            await client.entry(renamed)
        except kmm.EntryNotFoundError:
            seen.append("gone")
    return seen
