"""The verbs are plain methods: real signatures and result types, coroutine functions under
asyncio, async generators for streams, nothing built per attribute access, and the generated
modules are what ``.ci/gen_verbs.py`` writes from ``kaltura_mm.verbs``."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from kaltura_mm import AsyncClient, Client
from kaltura_mm.client.async_verbs import AsyncBaseEntryService, AsyncCategories
from kaltura_mm.client.sync_verbs import BaseEntryService, Categories
from kaltura_mm.verbs import GROUPS, SERVICES, VERBS

ROOT = Path(__file__).resolve().parents[2]
GROUPED = [(attr, verb) for attr, (_, _, verbs) in {**GROUPS, **SERVICES}.items() for verb in verbs]


def _async_method(attr: str | None, name: str) -> object:
    owner = AsyncClient if attr is None else type(getattr(AsyncClient(), attr))
    return getattr(owner, name)


@pytest.mark.parametrize("verb", VERBS, ids=lambda v: v.name)
def test_each_verb_is_a_method_of_both_clients_with_the_same_parameters(verb: object) -> None:
    name = verb.name  # type: ignore[attr-defined]
    sync, asynchronous = getattr(Client, name), getattr(AsyncClient, name)
    assert inspect.isfunction(sync) and inspect.isfunction(asynchronous)
    assert inspect.signature(sync) == inspect.signature(asynchronous).replace(
        return_annotation=inspect.signature(sync).return_annotation
    )
    if verb.kind == "stream":  # type: ignore[attr-defined]
        assert inspect.isasyncgenfunction(asynchronous)
        assert inspect.signature(sync).return_annotation.startswith("Iterator[")
        assert inspect.signature(asynchronous).return_annotation.startswith("AsyncIterator[")
    else:
        assert inspect.iscoroutinefunction(asynchronous)
        assert not inspect.iscoroutinefunction(sync)


@pytest.mark.parametrize(("attr", "verb"), GROUPED, ids=lambda x: getattr(x, "name", x))
def test_grouped_verbs_and_services_are_coroutine_functions_under_asyncio(
    attr: str, verb: object
) -> None:
    assert inspect.iscoroutinefunction(_async_method(attr, verb.name))  # type: ignore[attr-defined]


def test_signatures_show_real_parameters_and_results() -> None:
    upload = inspect.signature(Client.upload)
    assert list(upload.parameters)[:3] == ["self", "path_or_request", "category"]
    assert upload.return_annotation == "UploadResult"
    detach = inspect.signature(AsyncClient.detach)
    assert "stream" not in detach.parameters  # the flow's own switch is not the verb's
    assert detach.return_annotation == "list[EntryOutcome]"
    assert inspect.signature(Client.categories.func).return_annotation == "Categories"  # type: ignore[attr-defined]
    get = inspect.signature(BaseEntryService.get)
    assert list(get.parameters) == ["self", "entry_id", "version"]
    assert get.return_annotation == "BaseEntry"
    assert inspect.iscoroutinefunction(AsyncBaseEntryService.get)
    assert "Return the category with this id" in (Categories.resolve.__doc__ or "")
    assert "Send the call fetching" in (BaseEntryService.get.__doc__ or "")
    assert inspect.iscoroutinefunction(AsyncCategories.resolve)


def test_no_closure_is_built_per_attribute_access() -> None:
    client = Client(service_url="http://127.0.0.1:9", ks="djJ8fixed")
    assert client.upload.__func__ is Client.upload  # a bound plain method
    assert client.base_entry is client.base_entry  # the service, once per client
    assert client.base_entry.get.__func__ is BaseEntryService.get
    client.close()


def test_the_generated_verbs_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "gen_verbs.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
