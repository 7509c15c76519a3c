"""The typed verbs and bound services, against the sandbox, under both clients.

Each test is written once: ``both(use)`` calls ``use(client)`` with a ``Client`` or an
``AsyncClient`` and resolves what it returns (awaitables awaited, iterators listed).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm import (
    AsyncClient,
    BaseEntryParams,
    CategoryParams,
    Client,
    EntryNotFoundError,
    MediaEntryParams,
    Pager,
    UploadRequest,
)
from kaltura_mm.flows.listing import ANY_STATUS
from kaltura_mm.models import CategoryEntryFilter, CategoryFilter, UploadTokenFilter
from kaltura_mm.protocol.calls import FilePart
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.testing import config_for

Both = Callable[[Callable[[Any], Any]], Any]


async def _resolved(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    if isinstance(value, AsyncIterator):
        return [item async for item in value]
    return value


@pytest.fixture(params=["sync", "async"])
def both(request: pytest.FixtureRequest, kaltura_sandbox: Sandbox) -> Both:
    """Return ``both(use)``: ``use(client)`` under the sync or the async client, resolved."""
    config = config_for(kaltura_sandbox)

    def run(use: Callable[[Any], Any]) -> Any:
        if request.param == "sync":
            with Client(config) as client:
                value = use(client)
                return list(value) if isinstance(value, Iterator) else value

        async def main() -> Any:
            async with AsyncClient(config) as client:
                return await _resolved(use(client))

        return asyncio.run(main())

    return run


def _media(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42" + name.encode() * 2000)
    return path


def test_upload_by_path_into_a_category_path_with_progress(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    folder = kaltura_sandbox.create_category("Root>Talks")
    heard: list[float] = []
    result = both(
        lambda c: c.upload(
            _media(tmp_path, "talk.mp4"),
            category="Root>Talks",
            on_progress=lambda p: heard.append(p.fraction),
        )
    )
    assert heard[-1] == 1.0 and result.entry.name == "talk"
    kaltura_sandbox.index.settle()  # lists read the search index: let it see the upload
    listed = both(lambda c: c.entries(category="Root>Talks", statuses=ANY_STATUS))
    assert [e.id for e in listed] == [result.entry_id]
    assert both(lambda c: c.entry(result.entry_id)).id == result.entry_id
    assert both(lambda c: c.categories.resolve(folder)).full_name == "Root>Talks"


def test_upload_many_takes_paths_and_requests(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    folder = kaltura_sandbox.create_category("Root>Many")
    asked = [_media(tmp_path, "a.mp4"), UploadRequest(path=_media(tmp_path, "b.mp4"), name="B")]
    outcomes = both(lambda c: c.upload_many(asked, category=folder))
    assert [o.ok for o in outcomes] == [True, True]
    assert [o.result.entry.name for o in outcomes if o.result] == ["a", "B"]
    tree = both(lambda c: c.categories.tree("Root"))
    assert [node.category.full_name for node in tree[0].walk()] == ["Root", "Root>Many"]


def test_attach_move_detach_delete_report_each_entry(both: Both, kaltura_sandbox: Sandbox) -> None:
    source = kaltura_sandbox.create_category("Source")
    target = kaltura_sandbox.create_category("Target")
    ids = kaltura_sandbox.seed_entries(source, 3)
    assert [o.status for o in both(lambda c: c.attach(ids[:1], target))] == ["done"]
    moved = both(lambda c: c.move(ids[1:], source, target))
    assert [o.status for o in moved] == ["done", "done"]
    assert [o.status for o in both(lambda c: c.detach(ids, target))] == ["done"] * 3
    assert [o.status for o in both(lambda c: c.delete(ids))] == ["done"] * 3
    with pytest.raises(EntryNotFoundError):
        both(lambda c: c.entry(ids[0]))


def test_verbs_take_the_objects_the_server_returned(both: Both, kaltura_sandbox: Sandbox) -> None:
    kaltura_sandbox.create_category("Objects")
    target = kaltura_sandbox.create_category("Objects>Target")
    first, second = kaltura_sandbox.seed_entries(target, 2)
    folder = both(lambda c: c.categories.resolve("Objects>Target"))
    assert both(lambda c: c.categories.resolve(folder)) == folder  # already resolved: as it is
    entry = both(lambda c: c.entry(first))
    assert both(lambda c: c.entry(entry)).id == first
    listed = both(lambda c: c.entries(category=folder, statuses=ANY_STATUS))
    assert sorted(e.id for e in listed) == sorted([first, second])
    assert [o.status for o in both(lambda c: c.detach([entry], folder))] == ["done"]
    assert [o.status for o in both(lambda c: c.attach(entry, folder.id))] == ["done"]
    assert [o.status for o in both(lambda c: c.delete(entry))] == ["done"]
    with pytest.raises(EntryNotFoundError):
        both(lambda c: c.entry(entry))


def test_bound_services_send_kaltura_s_actions(
    both: Both, kaltura_sandbox: Sandbox, tmp_path: Path
) -> None:
    made = both(lambda c: c.category.add(CategoryParams(name="Bound", parent_id=0)))
    assert both(lambda c: c.category.get(made.id)).name == "Bound"
    kaltura_sandbox.index.settle()  # category.list reads the search index
    found = both(lambda c: c.category.list(CategoryFilter(full_name_equal="Bound"), Pager()))
    assert [c.id for c in found.objects] == [made.id]
    entry = both(lambda c: c.base_entry.add(MediaEntryParams(name="clip", media_type=1)))
    renamed = both(lambda c: c.base_entry.update(entry.id, BaseEntryParams(name="renamed")))
    assert renamed.name == "renamed"
    assert [e.id for e in both(lambda c: c.base_entry.get_by_ids([entry.id]))] == [entry.id]
    both(lambda c: c.category_entry.add(entry.id, made.id))
    links = both(lambda c: c.category_entry.list(CategoryEntryFilter(entry_id_equal=entry.id)))
    assert [link.category_id for link in links.objects] == [made.id]
    token = both(lambda c: c.upload_token.add("clip.mp4", 4))
    (tmp_path / "clip.mp4").write_bytes(b"abcd")
    sent = both(lambda c: c.upload_token.upload(token.id, FilePart(path=tmp_path / "clip.mp4")))
    assert sent.uploaded_file_size == 4
    assert both(lambda c: c.upload_token.get(token.id)).id == token.id
    tokens = both(lambda c: c.upload_token.list(UploadTokenFilter(file_name_equal="clip.mp4")))
    assert token.id in [t.id for t in tokens.objects]
    both(lambda c: c.upload_token.delete(token.id))
    both(lambda c: c.category_entry.delete(entry.id, made.id))
    both(lambda c: c.base_entry.delete(entry.id))
    ks = both(lambda c: c.session.start(kaltura_sandbox.admin_secret, kaltura_sandbox.partner_id))
    assert isinstance(ks, str) and ks


def test_both_clients_have_the_same_verbs() -> None:
    def public(cls: type) -> set[str]:
        return {name for name in dir(cls) if not name.startswith("_")}

    assert public(Client) - {"close"} == public(AsyncClient) - {"aclose"}
    for name in ("upload", "upload_many", "entries", "entry", "detach", "delete", "attach", "move"):
        assert getattr(Client, name).__doc__, name
