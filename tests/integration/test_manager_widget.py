"""MediaManager against the sandbox, sync and async: USER vs ADMIN KS, guards, settings, actions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.config import Config
from kaltura_mm.errors import ActionNotAllowedError, InvalidKsError
from kaltura_mm.manager import AsyncMediaManager, ManagerSettings, MediaManager
from kaltura_mm.models import MediaEntryParams
from kaltura_mm.sandbox import Sandbox
from kaltura_mm.services import base_entry, category_entry


class Widget:
    """The same manager calls under ``MediaManager`` or ``AsyncMediaManager``."""

    def __init__(self, mode: str, sb: Sandbox, settings: ManagerSettings) -> None:
        self.mode, self.sb, self.settings = mode, sb, settings

    def do(self, action: str, *args: Any, **kwargs: Any) -> Any:
        """Run one manager method (``entries`` returns a list) under a fresh client."""
        config = Config(service_url=self.sb.service_url, partner_id=self.sb.partner_id)
        if self.mode == "sync":
            with Client(config) as client:
                manager = MediaManager(client, self.settings)
                result = getattr(manager, action)(*args, **kwargs)
                return list(result) if action == "entries" else result
        return asyncio.run(self._ado(config, action, *args, **kwargs))

    async def _ado(self, config: Config, action: str, *args: Any, **kwargs: Any) -> Any:
        async with AsyncClient(config) as client:
            manager = AsyncMediaManager(client, self.settings)
            if action == "entries":
                return [e async for e in manager.entries(*args, **kwargs)]
            result = getattr(manager, action)(*args, **kwargs)
            return await result if asyncio.iscoroutine(result) else result


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def setup(kaltura_sandbox: Sandbox) -> Iterator[tuple[int, list[str], list[str]]]:
    """A category with 4 entries owned by nobody in particular and 2 owned by the user 'ann'."""
    category_id = kaltura_sandbox.create_category("Site>Channel")
    others = kaltura_sandbox.seed_entries(category_id, 4)
    with Client(
        service_url=kaltura_sandbox.service_url, ks=kaltura_sandbox.ks(admin=True)
    ) as admin:
        anns = []
        for n in range(2):
            entry = admin.call(base_entry.add(MediaEntryParams(name=f"ann {n}", user_id="ann")))
            assert entry.id
            admin.call(category_entry.add(entry.id, category_id))
            anns.append(entry.id)
    kaltura_sandbox.index.settle()  # lists lag writes: the set-up waits for the index
    yield category_id, others, anns


def _ids(entries: list[Any]) -> set[str]:
    return {e.id for e in entries}


def test_select_mode_works_with_a_user_ks(
    mode: str, kaltura_sandbox: Sandbox, setup: tuple[int, list[str], list[str]]
) -> None:
    category_id, others, anns = setup
    user_ks = kaltura_sandbox.ks(user_id="ann", admin=False)
    widget = Widget(mode, kaltura_sandbox, ManagerSettings(context_id=category_id, ks=user_ks))
    assert _ids(widget.do("entries")) == set(anns), "a USER KS lists its own entries only"
    selected = widget.do("select", others[0])
    assert selected.id == others[0] and selected.media_type == 1 and selected.status == 2
    assert selected.duration == 60
    admin = Widget(
        mode, kaltura_sandbox, ManagerSettings(context_id=category_id, ks=kaltura_sandbox.ks())
    )
    assert _ids(admin.do("entries")) == set(others) | set(anns)


def test_user_ks_cannot_delete_others_entries_but_admin_can(
    mode: str, kaltura_sandbox: Sandbox, setup: tuple[int, list[str], list[str]]
) -> None:
    category_id, others, anns = setup
    settings = ManagerSettings(
        context_id=category_id, mode="manage", ks=kaltura_sandbox.ks(user_id="ann", admin=False)
    )
    outcomes = Widget(mode, kaltura_sandbox, settings).do("delete", [anns[0], others[0]])
    assert [o.status for o in outcomes] == ["done", "failed"]
    assert isinstance(outcomes[1].error, InvalidKsError)
    admin = ManagerSettings(context_id=category_id, mode="manage", ks=kaltura_sandbox.ks())
    assert [o.status for o in Widget(mode, kaltura_sandbox, admin).do("delete", others)] == [
        "done"
    ] * 4


def test_guards_send_nothing(
    mode: str, kaltura_sandbox: Sandbox, setup: tuple[int, list[str], list[str]]
) -> None:
    category_id, others, _ = setup
    kaltura_sandbox.stats.reset()
    select = ManagerSettings(context_id=category_id, ks=kaltura_sandbox.ks())
    with pytest.raises(ActionNotAllowedError, match="select"):
        Widget(mode, kaltura_sandbox, select).do("detach", others)
    no_delete = ManagerSettings(
        context_id=category_id, mode="manage", item_actions=["detach"], ks=kaltura_sandbox.ks()
    )
    with pytest.raises(ActionNotAllowedError, match="delete"):
        Widget(mode, kaltura_sandbox, no_delete).do("delete", others)
    assert kaltura_sandbox.stats.http_requests == 0


def test_switching_category_and_session_without_rebuilding(
    mode: str, kaltura_sandbox: Sandbox, setup: tuple[int, list[str], list[str]], tmp_path: Path
) -> None:
    category_id, others, anns = setup
    second = kaltura_sandbox.create_category("Site>Other")
    extra = kaltura_sandbox.seed_entries(second, 2)
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2048))
    expired = kaltura_sandbox.ks(expiry=-10)
    config = Config(service_url=kaltura_sandbox.service_url, partner_id=kaltura_sandbox.partner_id)
    settings = ManagerSettings(context_id=category_id, mode="manage", ks=expired)

    def scenario(manager: Any, listed: Any, run: Any) -> None:
        with pytest.raises(InvalidKsError):
            listed()
        manager.set_session(kaltura_sandbox.ks())
        assert _ids(listed()) == set(others) | set(anns)
        manager.update_settings(context_id=second)
        assert _ids(listed()) == set(extra)
        uploaded = run(manager.upload(media, name="fresh"))
        kaltura_sandbox.index.settle()  # lists lag writes: wait, as a real test polls
        assert _ids(listed()) == set(extra) | {uploaded.entry.id}
        assert [o.status for o in run(manager.detach(extra))] == ["done", "done"]
        kaltura_sandbox.index.settle()
        assert _ids(listed()) == {uploaded.entry.id}

    if mode == "sync":
        with Client(config) as client:
            manager = MediaManager(client, settings)
            scenario(manager, lambda: list(manager.entries()), lambda value: value)
        return

    async def main() -> None:
        async with AsyncClient(config) as client:
            manager = AsyncMediaManager(client, settings)
            loop = asyncio.get_running_loop()

            async def collect() -> list[Any]:
                return [e async for e in manager.entries()]

            def listed() -> list[Any]:
                return asyncio.run_coroutine_threadsafe(collect(), loop).result(30)

            def run(awaitable: Any) -> Any:
                return asyncio.run_coroutine_threadsafe(awaitable, loop).result(60)

            await loop.run_in_executor(None, scenario, manager, listed, run)

    asyncio.run(main())
