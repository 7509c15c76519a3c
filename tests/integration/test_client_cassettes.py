"""Replay the recorded cassettes in ``cassettes/`` with no server, under both clients.

Re-record against the sandbox with ``KALTURA_MM_RECORD=1 pytest tests/integration/
test_client_cassettes.py``, or against a real account by also setting ``KALTURA_SERVICE_URL``,
``KALTURA_PARTNER_ID`` and ``KALTURA_ADMIN_SECRET`` (see docs/cassettes.md).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.errors import EntryNotFoundError, UploadTokenNotFoundError
from kaltura_mm.models import (
    BaseEntryFilter,
    BaseEntryParams,
    Category,
    CategoryEntryFilter,
    CategoryFilter,
    CategoryParams,
    EntryStatus,
    MediaEntry,
    MediaEntryParams,
    MediaType,
    SessionType,
    UploadedFileTokenResource,
    UploadTokenFilter,
)
from kaltura_mm.protocol.calls import FilePart, MultiRequest
from kaltura_mm.recording import cassette, recording_requested
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, category, category_entry, session, upload_token

pytestmark = pytest.mark.timeout(60)
CASSETTES = Path(__file__).resolve().parents[2] / "cassettes"
MEDIA = b"kaltura-mm cassette media\n" * 4000  # fixed bytes, so requests match on replay
REPLAY = {"service_url": "http://127.0.0.1:9", "partner_id": 4242, "admin_secret": "replay"}
FAST = RetryPolicy(attempts=1, initial_backoff=0.0, max_backoff=0.0, jitter=0.0)


@pytest.fixture(scope="module")
def target() -> Iterator[dict[str, Any]]:
    """Yield the server settings: a sandbox or real account to record, nothing to replay."""
    if not recording_requested():
        yield dict(REPLAY)
    elif os.environ.get("KALTURA_SERVICE_URL"):
        yield {"service_url": os.environ["KALTURA_SERVICE_URL"]}  # the rest from KALTURA_*
    else:
        with Sandbox() as sandbox:
            yield {
                "service_url": sandbox.service_url,
                "partner_id": sandbox.partner_id,
                "admin_secret": sandbox.admin_secret,
            }


@pytest.fixture
def media(tmp_path: Path) -> Path:
    path = tmp_path / "cassette.mp4"
    path.write_bytes(MEDIA)
    return path


@pytest.fixture(params=["sync", "async"])
def replay(request: pytest.FixtureRequest, target: dict[str, Any]) -> Callable[..., Any]:
    """Return ``replay(name, flow) -> result`` running the flow inside cassette ``name``."""
    # When recording, the sync run records and the async run replays what it just recorded.
    record = recording_requested() and request.param == "sync"
    config = Config.from_env(**target, retry=FAST)

    def run(name: str, flow: Flow[Any]) -> Any:
        with cassette(CASSETTES / f"{name}.yaml", partner_id=config.partner_id, record=record):
            if request.param == "sync":
                with Client(config) as client:
                    return client.run(flow)

            async def main() -> Any:
                async with AsyncClient(config) as client:
                    return await client.run(flow)

            return asyncio.run(main())

    return run


def test_session_start(replay: Callable[..., Any], target: dict[str, Any]) -> None:
    config = Config.from_env(**target)
    assert config.admin_secret and config.partner_id
    call = session.start(config.admin_secret, config.partner_id, type=SessionType.ADMIN)
    ks = replay("session_start", iter_call(call))
    assert isinstance(ks, str) and ks  # the recorded KS itself is scrubbed


def iter_call(call: Any) -> Flow[Any]:
    return (yield call)


def test_category(replay: Callable[..., Any]) -> None:
    def flow() -> Flow[tuple[Category, Category, Any]]:
        created = yield category.add(CategoryParams(name="kaltura-mm cassettes"))
        fetched = yield category.get(created.id)
        listed = yield category.list(CategoryFilter(id_equal=created.id))
        return created, fetched, listed

    created, fetched, listed = replay("category", flow())
    assert fetched.id == created.id and fetched.full_name == "kaltura-mm cassettes"
    assert [c.id for c in listed.objects] == [created.id]


def test_base_entry(replay: Callable[..., Any]) -> None:
    def flow() -> Flow[dict[str, Any]]:
        added = yield base_entry.add(
            MediaEntryParams(name="cassette entry", media_type=MediaType.VIDEO)
        )
        fetched = yield base_entry.get(added.id)
        by_ids = yield base_entry.get_by_ids([added.id])
        updated = yield base_entry.update(added.id, BaseEntryParams(description="recorded"))
        listed = yield base_entry.list(
            BaseEntryFilter(id_equal=added.id, status_in=[EntryStatus.NO_CONTENT])
        )
        yield base_entry.delete(added.id)
        try:
            yield base_entry.get(added.id)
        except EntryNotFoundError as exc:
            gone = exc
        return locals()

    result = replay("base_entry", flow())
    assert isinstance(result["added"], MediaEntry) and result["fetched"].id == result["added"].id
    assert [e.id for e in result["by_ids"]] == [result["added"].id]
    assert result["updated"].description == "recorded"
    assert result["listed"].total_count == 1
    assert result["gone"].code == "ENTRY_ID_NOT_FOUND"


def test_upload_token(replay: Callable[..., Any], media: Path) -> None:
    def flow() -> Flow[dict[str, Any]]:
        token = yield upload_token.add(file_name="cassette.mp4", file_size=len(MEDIA))
        uploaded = yield upload_token.upload(token.id, FilePart(path=media))
        fetched = yield upload_token.get(token.id)
        listed = yield upload_token.list(UploadTokenFilter(id_equal=token.id))
        yield upload_token.delete(token.id)
        try:
            yield upload_token.get(token.id)
        except UploadTokenNotFoundError as exc:
            gone = exc
        return locals()

    result = replay("upload_token", flow())
    assert result["uploaded"].uploaded_file_size == len(MEDIA)
    assert result["fetched"].id == result["token"].id
    assert result["listed"].total_count == 1
    assert result["gone"].code == "UPLOAD_TOKEN_NOT_FOUND"


def test_category_entry(replay: Callable[..., Any]) -> None:
    def flow() -> Flow[dict[str, Any]]:
        folder = yield category.add(CategoryParams(name="kaltura-mm cassette links"))
        entry = yield base_entry.add(MediaEntryParams(name="linked", media_type=MediaType.VIDEO))
        link = yield category_entry.add(entry.id, folder.id)
        listed = yield category_entry.list(CategoryEntryFilter(entry_id_equal=entry.id))
        yield category_entry.delete(entry.id, folder.id)
        return locals()

    result = replay("category_entry", flow())
    assert result["link"].category_id == result["folder"].id
    assert [link.entry_id for link in result["listed"].objects] == [result["entry"].id]


def test_widget_upload_multirequest(replay: Callable[..., Any], media: Path) -> None:
    batch = MultiRequest()
    entry = batch.add(
        base_entry.add(MediaEntryParams(name="widget upload", media_type=MediaType.VIDEO))
    )
    token = batch.add(upload_token.add(file_name="cassette.mp4"))
    uploaded = batch.add(upload_token.upload(token.id, FilePart(path=media)))
    attached = batch.add(
        base_entry.add_content(entry.id, UploadedFileTokenResource(token=token.id))
    )

    def flow() -> Flow[Any]:
        return (yield batch)

    response = replay("widget_upload", flow())
    assert response.ok, response.errors
    assert response[uploaded].uploaded_file_size == len(MEDIA)
    assert response[attached].id == response[entry].id


def test_cassettes_hold_no_secrets() -> None:
    files = sorted(CASSETTES.glob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "djJ8" not in text, f"a KS in {path.name}"
        assert '"ks"' not in text and "admin_secret" not in text
