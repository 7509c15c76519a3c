"""Every service over real HTTP to the sandbox, under both Client and AsyncClient.

Each scenario is a flow, so the same code runs under the sync and the async client.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config, RetryPolicy
from kaltura_mm.errors import (
    CategoryEntryExistsError,
    DependencyError,
    EntryNotFoundError,
    EntryNotInCategoryError,
    InvalidKsError,
    UploadTokenNotFoundError,
)
from kaltura_mm.ks import generate_v2
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
    Pager,
    SessionType,
    UploadedFileTokenResource,
    UploadTokenFilter,
    UploadTokenStatus,
)
from kaltura_mm.protocol.calls import FilePart, MultiRequest
from kaltura_mm.runtime.effects import Flow, NextDone, Start
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, category, category_entry, session, upload_token

pytestmark = pytest.mark.timeout(60)
Run = Callable[..., Any]
_names = itertools.count()


def _config(sandbox: Sandbox, **overrides: Any) -> Config:
    values: dict[str, Any] = {
        "service_url": sandbox.service_url,
        "partner_id": sandbox.partner_id,
        "admin_secret": sandbox.admin_secret,
        "retry": RetryPolicy(attempts=2, initial_backoff=0.01, max_backoff=0.05, jitter=0.01),
    }
    return Config(**(values | overrides))


@pytest.fixture(params=["sync", "async"])
def run(request: pytest.FixtureRequest, kaltura_sandbox_session: Sandbox) -> Run:
    """Return ``run(flow, **config) -> result`` on the sandbox with the sync or async client."""
    sandbox = kaltura_sandbox_session

    def run_sync(flow: Flow[Any], **overrides: Any) -> Any:
        progress = overrides.pop("progress", None)
        with Client(_config(sandbox, **overrides)) as client:
            return client.run(flow, progress=progress)

    def run_async(flow: Flow[Any], **overrides: Any) -> Any:
        progress = overrides.pop("progress", None)

        async def main() -> Any:
            async with AsyncClient(_config(sandbox, **overrides)) as client:
                return await client.run(flow, progress=progress)

        return asyncio.run(main())

    return run_sync if request.param == "sync" else run_async


def _unique(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def test_session_start_returns_a_ks_the_server_accepts(
    run: Run, kaltura_sandbox_session: Sandbox
) -> None:
    sandbox = kaltura_sandbox_session

    def flow() -> Flow[int]:
        ks = yield session.start(sandbox.admin_secret, sandbox.partner_id, type=SessionType.ADMIN)
        assert isinstance(ks, str) and len(ks) > 20
        page = yield category.list(pager=Pager(page_size=1))
        return int(page.total_count)

    assert run(flow()) >= 0


def test_category_add_get_list(run: Run, kaltura_sandbox_session: Sandbox) -> None:
    name = _unique("cat")

    def flow() -> Flow[tuple[Category, Category, int]]:
        created = yield category.add(CategoryParams(name=name, description="seeded"))
        fetched = yield category.get(created.id)
        kaltura_sandbox_session.index.settle()  # lists lag writes: wait, as a real test polls
        listed = yield category.list(CategoryFilter(full_name_equal=name))
        return created, fetched, listed.total_count

    created, fetched, count = run(flow())
    assert created.id and fetched.full_name == name and fetched.description == "seeded"
    assert count == 1


def test_base_entry_lifecycle(run: Run, kaltura_sandbox_session: Sandbox) -> None:
    name = _unique("entry")

    def flow() -> Flow[dict[str, Any]]:
        added = yield base_entry.add(
            MediaEntryParams(name=name, media_type=MediaType.VIDEO, tags="ab,cd", description="d")
        )
        fetched = yield base_entry.get(added.id)
        updated = yield base_entry.update(
            added.id, BaseEntryParams(name=name + "!"), clear=["description"]
        )
        by_ids = yield base_entry.get_by_ids([added.id, "0_zzzzzzzz"])
        kaltura_sandbox_session.index.settle()  # lists lag writes: wait, as a real test polls
        listed = yield base_entry.list(
            BaseEntryFilter(id_equal=added.id, status_in=[EntryStatus.NO_CONTENT])
        )
        yield base_entry.delete(added.id)
        try:
            yield base_entry.get(added.id)
        except EntryNotFoundError as gone:
            missing = gone
        return locals()

    result = run(flow())
    assert isinstance(result["added"], MediaEntry)
    assert result["added"].status is EntryStatus.NO_CONTENT
    assert result["fetched"].tags == "ab, cd"  # as the server stores tags (ktagword)
    assert result["updated"].name == result["added"].name + "!"
    assert not result["updated"].description
    assert [e.id for e in result["by_ids"]] == [result["added"].id]
    assert [e.id for e in result["listed"].objects] == [result["added"].id]
    assert result["missing"].code == "ENTRY_ID_NOT_FOUND"


def test_chunked_upload_and_content(run: Run, tmp_path: Path) -> None:
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"\x00\x01kaltura" * 50_000)
    size = media.stat().st_size
    half = size // 2
    progress: list[int] = []

    def flow() -> Flow[dict[str, Any]]:
        token = yield upload_token.add(file_name="clip.mp4", file_size=size)
        first = yield upload_token.upload(
            token.id,
            FilePart(path=media, length=half),
            resume=False,
            final_chunk=False,
            resume_at=0,
        )
        final = yield upload_token.upload(
            token.id,
            FilePart(path=media, offset=half),
            resume=True,
            final_chunk=True,
            resume_at=half,
        )
        fetched = yield upload_token.get(token.id)
        listed = yield upload_token.list(UploadTokenFilter(id_equal=token.id))
        entry = yield base_entry.add(
            MediaEntryParams(name=_unique("up"), media_type=MediaType.VIDEO)
        )
        attached = yield base_entry.add_content(entry.id, UploadedFileTokenResource(token=token.id))
        spare = yield upload_token.add(file_name="spare.mp4")
        yield upload_token.delete(spare.id)
        try:
            yield upload_token.get(spare.id)
        except UploadTokenNotFoundError as gone:
            deleted = gone
        return locals()

    result = run(flow(), progress=lambda part, sent: progress.append(sent))
    assert result["first"].uploaded_file_size == half
    assert result["final"].uploaded_file_size == size
    assert result["fetched"].status in (UploadTokenStatus.FULL_UPLOAD, UploadTokenStatus.CLOSED)
    assert [t.id for t in result["listed"].objects] == [result["token"].id]
    assert result["attached"].status is not EntryStatus.NO_CONTENT
    assert isinstance(result["deleted"], UploadTokenNotFoundError)
    assert half in progress and size - half in progress


def test_category_entry_add_list_delete(run: Run, kaltura_sandbox_session: Sandbox) -> None:
    category_id = kaltura_sandbox_session.create_category(_unique("Root>Links"))

    def flow() -> Flow[dict[str, Any]]:
        entry = yield base_entry.add(
            MediaEntryParams(name=_unique("linked"), media_type=MediaType.VIDEO)
        )
        link = yield category_entry.add(entry.id, category_id)
        try:
            yield category_entry.add(entry.id, category_id)
        except CategoryEntryExistsError as exc:
            duplicate = exc
        listed = yield category_entry.list(CategoryEntryFilter(category_id_equal=category_id))
        yield category_entry.delete(entry.id, category_id)
        try:
            yield category_entry.delete(entry.id, category_id)
        except EntryNotInCategoryError as exc:
            again = exc
        return locals()

    result = run(flow())
    assert (result["link"].entry_id, result["link"].category_id) == (
        result["entry"].id,
        category_id,
    )
    assert [link.entry_id for link in result["listed"].objects] == [result["entry"].id]
    assert result["duplicate"].code == "CATEGORY_ENTRY_ALREADY_EXISTS"
    assert result["again"].code == "ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY"


def test_widget_upload_multirequest(
    run: Run, kaltura_sandbox_session: Sandbox, tmp_path: Path
) -> None:
    category_id = kaltura_sandbox_session.create_category(_unique("Root>Widget"))
    media = tmp_path / "widget.mp4"
    media.write_bytes(b"widget-bytes" * 1000)
    batch = MultiRequest()
    entry = batch.add(base_entry.add(MediaEntryParams(name="widget", media_type=MediaType.VIDEO)))
    token = batch.add(upload_token.add(file_name="widget.mp4"))
    uploaded = batch.add(upload_token.upload(token.id, FilePart(path=media)))
    attached = batch.add(
        base_entry.add_content(entry.id, UploadedFileTokenResource(token=token.id))
    )
    linked = batch.add(category_entry.add(entry.id, category_id))

    def flow() -> Flow[Any]:
        response = yield batch
        return response

    response = run(flow())
    assert response.ok, response.errors
    assert response[uploaded].uploaded_file_size == media.stat().st_size
    assert response[attached].id == response[entry].id
    assert response[linked].category_id == category_id


def test_failed_item_fails_its_dependents_in_a_real_batch(run: Run) -> None:
    batch = MultiRequest()
    missing = batch.add(base_entry.get("0_nothere"))
    dependent = batch.add(base_entry.update(missing.id, BaseEntryParams(name="x")))
    fine = batch.add(category.list(pager=Pager(page_size=1)))

    def flow() -> Flow[Any]:
        return (yield batch)

    response = run(flow())
    assert isinstance(response.outcome(missing), EntryNotFoundError)
    failed = response.outcome(dependent)
    assert isinstance(failed, DependencyError) and failed.dependency == 1
    assert response[fine].total_count >= 0


def test_background_calls_run_concurrently(run: Run) -> None:
    def flow() -> Flow[set[str]]:
        for index in range(6):
            yield Start(index, base_entry.add(MediaEntryParams(name=f"bg-{index}")))
        names = set()
        for _ in range(6):
            _tag, outcome = yield NextDone()
            names.add(outcome.name)
        return names

    assert run(flow(), max_concurrency=3) == {f"bg-{i}" for i in range(6)}


class _ExpiredFirst:
    """A KS provider whose first KS is already expired, as after a long idle period."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.ks = generate_v2(
            sandbox.partner_id,
            sandbox.admin_secret,
            session_type=SessionType.ADMIN,
            expiry=1,
            now=1_000_000,
        )
        self.renewals = 0

    def current(self) -> str:
        return self.ks

    def renew(self) -> bool:
        self.renewals += 1
        self.ks = generate_v2(
            self.sandbox.partner_id, self.sandbox.admin_secret, session_type=SessionType.ADMIN
        )
        return True


def test_expired_ks_is_renewed_against_the_server(kaltura_sandbox_session: Sandbox) -> None:
    provider = _ExpiredFirst(kaltura_sandbox_session)
    with Client(_config(kaltura_sandbox_session), ks_provider=provider) as client:
        page = client.call(category.list(pager=Pager(page_size=1)))
    assert page.total_count >= 0 and provider.renewals == 1

    client = Client(_config(kaltura_sandbox_session, admin_secret=None, ks="garbage"))
    with client, pytest.raises(InvalidKsError) as caught:
        client.call(category.list())
    assert "garbage" not in str(caught.value)
