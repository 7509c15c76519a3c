"""The typed verbs and bound services of both clients, each declared once over a flow or a call.

``client.upload(...)``, ``client.entries(...)``, ``client.base_entry.get(...)`` have the same names
and arguments on ``Client`` and ``AsyncClient``; under asyncio they return awaitables (and async
iterators for streams). Each is one line here, a descriptor over the pure builder that does the
work: ``runs`` a flow with a result, ``streams`` a flow of items, ``sends`` one call. The types
follow the builder's signature, so mypy checks a verb's arguments and knows what it returns.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Self, TypeVar, overload


class _Lazy:
    """A function of a module imported on first use (building a client stays fast)."""

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def resolve(self) -> Callable[..., Any]:
        """Return the function, importing its module."""
        return getattr(importlib.import_module(self.module), self.name)  # type: ignore[no-any-return]


class _LazyModule:
    """A module whose functions are ``_Lazy``: nothing is imported until a verb is used."""

    def __init__(self, module: str) -> None:
        self.module = module

    def __getattr__(self, name: str) -> _Lazy:
        return _Lazy(self.module, name)


if TYPE_CHECKING:
    from kaltura_mm.flows.categories import category_tree, resolve_category
    from kaltura_mm.flows.category_admin import create_category
    from kaltura_mm.flows.category_changes import delete_category, move_category, rename_category
    from kaltura_mm.flows.edits import update_entries
    from kaltura_mm.flows.entries import (
        add_to_category,
        delete_entries,
        detach_entries,
        get_entry,
        move_entries,
    )
    from kaltura_mm.flows.listing import entries
    from kaltura_mm.flows.recycle_bin import recycle_entries, restore_entries
    from kaltura_mm.protocol.calls import Call
    from kaltura_mm.runtime.effects import Flow, Stream
    from kaltura_mm.services import (
        app_token,
        base_entry,
        category,
        category_entry,
        session,
        upload_token,
        user_role,
    )
    from kaltura_mm.sync.flows import apply_sync, plan_sync
    from kaltura_mm.upload import upload, upload_many
    from kaltura_mm.upload.replace import replace_content
else:
    # The builders (and the models and codec under them) load with the first verb used, so that
    # ``import kaltura_mm`` and building a client stay fast (benchmarks/bench_import.py).
    category_tree = _Lazy("kaltura_mm.flows.categories", "category_tree")
    create_category = _Lazy("kaltura_mm.flows.category_admin", "create_category")
    rename_category = _Lazy("kaltura_mm.flows.category_changes", "rename_category")
    move_category = _Lazy("kaltura_mm.flows.category_changes", "move_category")
    delete_category = _Lazy("kaltura_mm.flows.category_changes", "delete_category")
    resolve_category = _Lazy("kaltura_mm.flows.categories", "resolve_category")
    add_to_category = _Lazy("kaltura_mm.flows.entries", "add_to_category")
    delete_entries = _Lazy("kaltura_mm.flows.entries", "delete_entries")
    detach_entries = _Lazy("kaltura_mm.flows.entries", "detach_entries")
    get_entry = _Lazy("kaltura_mm.flows.entries", "get_entry")
    update_entries = _Lazy("kaltura_mm.flows.edits", "update_entries")
    move_entries = _Lazy("kaltura_mm.flows.entries", "move_entries")
    entries = _Lazy("kaltura_mm.flows.listing", "entries")
    recycle_entries = _Lazy("kaltura_mm.flows.recycle_bin", "recycle_entries")
    restore_entries = _Lazy("kaltura_mm.flows.recycle_bin", "restore_entries")
    upload = _Lazy("kaltura_mm.upload.one", "upload")
    upload_many = _Lazy("kaltura_mm.upload.many", "upload_many")
    replace_content = _Lazy("kaltura_mm.upload.replace", "replace_content")
    plan_sync = _Lazy("kaltura_mm.sync.flows", "plan_sync")
    apply_sync = _Lazy("kaltura_mm.sync.flows", "apply_sync")
    base_entry = _LazyModule("kaltura_mm.services.base_entry")
    category = _LazyModule("kaltura_mm.services.category")
    category_entry = _LazyModule("kaltura_mm.services.category_entry")
    session = _LazyModule("kaltura_mm.services.session")
    app_token = _LazyModule("kaltura_mm.services.app_token")
    user_role = _LazyModule("kaltura_mm.services.user_role")
    upload_token = _LazyModule("kaltura_mm.services.upload_token")

P = ParamSpec("P")
T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a stream
M = TypeVar("M")


class Sync:
    """The verbs of a ``Client``: they return values and iterators."""


class Async:
    """The verbs of an ``AsyncClient``: they return awaitables and async iterators."""


class Surface(Generic[M]):
    """Something whose verbs run on a client: the client itself, or one of its services."""

    def _runner(self) -> Any:
        """Return the client the verbs run on."""
        raise NotImplementedError


def _bound(build: Callable[..., Any] | _Lazy, act: Callable[..., Any]) -> Callable[..., Any]:
    if isinstance(build, _Lazy):
        build = build.resolve()

    @functools.wraps(build)
    def verb(*args: Any, **kwargs: Any) -> Any:
        return act(build(*args, **kwargs))

    return verb


class runs(Generic[P, T]):
    """A verb that runs the flow ``build(...)`` builds and returns its result."""

    def __init__(self, build: Callable[P, Flow[T]]) -> None:
        """Run what ``build`` builds."""
        self._build = build

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Surface[Sync], owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Surface[Async], owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Surface[Any] | None, owner: type) -> Any:
        return self if obj is None else _bound(self._build, obj._runner().run)


class streams(Generic[P, I]):
    """A verb that iterates the stream ``build(...)`` builds, item by item."""

    def __init__(self, build: Callable[P, Stream[I]]) -> None:
        """Iterate what ``build`` builds."""
        self._build = build

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Surface[Sync], owner: type) -> Callable[P, Iterator[I]]: ...
    @overload
    def __get__(self, obj: Surface[Async], owner: type) -> Callable[P, AsyncIterator[I]]: ...
    def __get__(self, obj: Surface[Any] | None, owner: type) -> Any:
        return self if obj is None else _bound(self._build, obj._runner().iterate)


class sends(Generic[P, T]):
    """A verb that sends the call ``build(...)`` builds and returns its decoded result."""

    def __init__(self, build: Callable[P, Call[T]]) -> None:
        """Send what ``build`` builds."""
        self._build = build

    @overload
    def __get__(self, obj: None, owner: type) -> Self: ...
    @overload
    def __get__(self, obj: Surface[Sync], owner: type) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Surface[Async], owner: type) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Surface[Any] | None, owner: type) -> Any:
        return self if obj is None else _bound(self._build, obj._runner().call)


class _Service(Surface[M]):
    def __init__(self, client: Surface[M]) -> None:
        self._client = client

    def _runner(self) -> Any:
        return self._client._runner()


class BaseEntryService(_Service[M]):
    """``baseEntry``, bound to the client: each action of ``kaltura_mm.services.base_entry``."""

    add = sends(base_entry.add)
    get = sends(base_entry.get)
    get_by_ids = sends(base_entry.get_by_ids)
    list = sends(base_entry.list)
    count = sends(base_entry.count)
    update = sends(base_entry.update)
    add_content = sends(base_entry.add_content)
    update_content = sends(base_entry.update_content)
    delete = sends(base_entry.delete)
    recycle = sends(base_entry.recycle)
    restore_recycled = sends(base_entry.restore_recycled)


class UploadTokenService(_Service[M]):
    """``uploadToken``, bound to the client: ``kaltura_mm.services.upload_token``."""

    add = sends(upload_token.add)
    upload = sends(upload_token.upload)
    get = sends(upload_token.get)
    list = sends(upload_token.list)
    delete = sends(upload_token.delete)


class CategoryEntryService(_Service[M]):
    """``categoryEntry``, bound to the client: ``kaltura_mm.services.category_entry``."""

    add = sends(category_entry.add)
    delete = sends(category_entry.delete)
    list = sends(category_entry.list)


class CategoryService(_Service[M]):
    """``category``, bound to the client: ``kaltura_mm.services.category``."""

    get = sends(category.get)
    list = sends(category.list)
    add = sends(category.add)
    update = sends(category.update)
    delete = sends(category.delete)


class SessionService(_Service[M]):
    """``session``, bound to the client: ``kaltura_mm.services.session``."""

    start = sends(session.start)
    start_widget_session = sends(session.start_widget_session)


class AppTokenService(_Service[M]):
    """``appToken``, bound to the client: ``kaltura_mm.services.app_token``."""

    add = sends(app_token.add)
    get = sends(app_token.get)
    list = sends(app_token.list)
    delete = sends(app_token.delete)
    start_session = sends(app_token.start_session)


class UserRoleService(_Service[M]):
    """``userRole``, bound to the client: ``kaltura_mm.services.user_role``."""

    add = sends(user_role.add)
    get = sends(user_role.get)
    list = sends(user_role.list)


class Categories(_Service[M]):
    """Categories by id or full path, trees of them, and changes to them."""

    resolve = runs(resolve_category)
    """Return the category with this id, full path (``"Root>Courses"``) or unique name."""
    tree = runs(category_tree)
    """Return the tree under ``root`` (id or path) with entry counts; every root when None."""
    create = runs(create_category)
    """Make sure a path (``"A>B>C"``) exists, every missing level made; idempotent."""
    rename = runs(rename_category)
    """Rename a category (id or path); its sub-categories follow."""
    move = runs(move_category)
    """Move a category under a new parent (id, path, or None for the top level)."""
    delete = runs(delete_category)
    """Delete a category and its sub-categories (``force`` when they hold anything)."""


class Syncs(_Service[M]):
    """Keep a category in step with a folder or a manifest (``kaltura_mm.sync``)."""

    plan = runs(plan_sync)
    """Return the plan that makes a category look like a source; nothing is written."""
    apply = runs(apply_sync)
    """Check a plan against the server (refusing one that drifted), then apply it."""


class Verbs(Surface[M]):
    """The verbs both clients share (``Client``: values; ``AsyncClient``: awaitables)."""

    upload = runs(upload)
    """Upload a file (a path or an ``UploadRequest``) into ``category``; return the result."""
    upload_many = runs(upload_many)
    """Upload many files, a few at a time; one ``UploadOutcome`` per file, in order."""
    entries = streams(entries)
    """Iterate every entry matching ``query`` and ``filters`` (past 10,000), each once."""
    entry = runs(get_entry)
    """Return one entry, typed by kind (``EntryNotFoundError`` if it is missing)."""
    detach = runs(detach_entries)
    """Remove entries from a category (they stay); one ``EntryOutcome`` per entry."""
    delete = runs(delete_entries)
    """Delete entries; one ``EntryOutcome`` per entry."""
    recycle = runs(recycle_entries)
    """Move entries to the recycle bin (``RecycleBinDisabledError`` each on an account without
    one); one ``EntryOutcome`` per entry."""
    restore = runs(restore_entries)
    """Bring entries back from the recycle bin; one ``EntryOutcome`` per entry."""
    add = runs(add_to_category)
    """Assign entries to a category; one ``EntryOutcome`` per entry."""
    move = runs(move_entries)
    """Move entries from one category to another (add first, then detach)."""
    replace = runs(replace_content)
    """Replace an entry's content with a file, keeping the entry (id, embeds, categories)."""
    update = runs(update_entries)
    """Edit entries' metadata (``EntryEdit`` each): only what differs is sent; an outcome each."""

    def _runner(self) -> Any:
        return self

    @functools.cached_property
    def base_entry(self) -> BaseEntryService[M]:
        """Return ``baseEntry``'s actions, bound to this client."""
        return BaseEntryService(self)

    @functools.cached_property
    def upload_token(self) -> UploadTokenService[M]:
        """Return ``uploadToken``'s actions, bound to this client."""
        return UploadTokenService(self)

    @functools.cached_property
    def category_entry(self) -> CategoryEntryService[M]:
        """Return ``categoryEntry``'s actions, bound to this client."""
        return CategoryEntryService(self)

    @functools.cached_property
    def category(self) -> CategoryService[M]:
        """Return ``category``'s actions, bound to this client."""
        return CategoryService(self)

    @functools.cached_property
    def session(self) -> SessionService[M]:
        """Return ``session``'s actions, bound to this client."""
        return SessionService(self)

    @functools.cached_property
    def app_token(self) -> AppTokenService[M]:
        """Return ``appToken``'s actions, bound to this client."""
        return AppTokenService(self)

    @functools.cached_property
    def user_role(self) -> UserRoleService[M]:
        """Return ``userRole``'s actions, bound to this client."""
        return UserRoleService(self)

    @functools.cached_property
    def sync(self) -> Syncs[M]:
        """Return the sync's plan and apply, bound to this client."""
        return Syncs(self)

    @functools.cached_property
    def categories(self) -> Categories[M]:
        """Return category lookups (``resolve``, ``tree``), bound to this client."""
        return Categories(self)
