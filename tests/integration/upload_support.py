"""Helpers for the upload integration tests: run a flow under either client, make media, check.

Test media are random bytes with a real extension, written under pytest's tmp_path.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.flows.effects import Flow
from kaltura_mm.models import BaseEntryFilter, EntryStatus, Pager
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry

Run = Callable[..., Any]
KIB = 1024
MIB = 1024 * 1024


def config(sandbox: Sandbox, **overrides: Any) -> Config:
    """Return a client config for the sandbox with quick retries."""
    values: dict[str, Any] = {
        "service_url": sandbox.service_url,
        "partner_id": sandbox.partner_id,
        "admin_secret": sandbox.admin_secret,
        "retry": RetryPolicy(attempts=2, initial_backoff=0.01, max_backoff=0.05, jitter=0.01),
        "max_concurrency": 4,
    }
    return Config(**(values | overrides))


def runner(mode: str, sandbox: Sandbox) -> Run:
    """Return ``run(flow, **config_overrides)`` under the sync or the async client."""

    def run_sync(flow: Flow[Any], ks_provider: Any = None, **overrides: Any) -> Any:
        with Client(config(sandbox, **overrides), ks_provider=ks_provider) as client:
            return client.run(flow)

    def run_async(flow: Flow[Any], ks_provider: Any = None, **overrides: Any) -> Any:
        async def main() -> Any:
            async with AsyncClient(config(sandbox, **overrides), ks_provider=ks_provider) as client:
                return await client.run(flow)

        return asyncio.run(main())

    return run_sync if mode == "sync" else run_async


def media(folder: Path, name: str, size: int) -> Path:
    """Write ``size`` random bytes to ``folder/name`` and return the path."""
    path = folder / name
    with open(path, "wb") as handle:
        left = size
        while left:
            block = os.urandom(min(left, 4 * MIB))
            handle.write(block)
            left -= len(block)
    return path


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(4 * MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_download(url: str) -> str:
    """Return the hex sha256 of the bytes served at ``url`` (redirects followed, streamed)."""
    digest = hashlib.sha256()
    with httpx.stream("GET", url, follow_redirects=True, timeout=60) as response:
        response.raise_for_status()
        for block in response.iter_bytes():
            digest.update(block)
    return digest.hexdigest()


def entries_with_reference(run: Run, reference_id: str) -> list[Any]:
    """Return every non-deleted entry carrying ``reference_id``, whatever its status."""
    wanted = BaseEntryFilter(
        reference_id_equal=reference_id,
        status_in=tuple(s for s in EntryStatus if s is not EntryStatus.DELETED),
    )
    page = run(_single(base_entry.list(wanted, Pager(page_size=50))))
    return list(page.objects)


def _single(call: Any) -> Flow[Any]:
    result = yield call
    return result
