"""The verbs of both clients, declared once: which pure builder each one runs, and how.

``client.upload(...)``, ``client.entries(...)``, ``client.base_entry.get(...)`` are plain methods
with the builder's own parameters and the builder's result type: on ``Client`` they return
values and iterators, on ``AsyncClient`` they are coroutine functions (and async generators for
streams). The methods are written out in ``kaltura_mm/client/sync_verbs.py`` and
``async_verbs.py`` by ``.ci/gen_verbs.py`` from this table (a test keeps them in step), so
``help()``, ``inspect.signature``, an editor and mypy all see real signatures, and each verb is
still declared once here.

A verb ``run``s a flow with a result, ``stream``s a flow of items, or ``call``s one Kaltura
action. Names, so that none means two things:

- top-level verbs act on entries: ``upload``, ``entries``, ``entry``, ``update``, ``replace``,
  ``attach`` / ``detach`` (to or from a category), ``move``, ``delete``, ``recycle``, ``restore``,
  ``source_asset(s)`` (an entry's file as the server holds it: size, version);
- ``client.categories.*`` act on categories (``resolve``, ``tree``, ``create``, ``rename``,
  ``move``, ``delete``), ``client.sync.*`` on a sync (``plan``, ``apply``);
- ``client.<service>.<action>`` (``client.category.get``, ``client.base_entry.delete``) are
  Kaltura's own services and actions, one call each, under Kaltura's names in snake_case: the
  singular ``client.category`` is the raw service, the plural ``client.categories`` the flows.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["run", "stream", "call"]


class Verb(NamedTuple):
    """One verb: its name, the builder (``module:function``) and how its value is used."""

    name: str
    builder: str
    kind: Kind
    hidden: tuple[str, ...] = ()  # builder parameters the verb does not take


_ENTRIES = "kaltura_mm.flows.entries"  # a package: each verb from the module defining it
_CHANGES = "kaltura_mm.flows.category_changes"

VERBS: tuple[Verb, ...] = (
    Verb("upload", "kaltura_mm.upload.one:upload", "run"),
    Verb("upload_many", "kaltura_mm.upload.many:upload_many", "run"),
    Verb("entries", "kaltura_mm.flows.listing:entries", "stream"),
    Verb("entry", f"{_ENTRIES}.reads:get_entry", "run"),
    Verb("attach", f"{_ENTRIES}.links:add_to_category", "run", ("stream",)),
    Verb("detach", f"{_ENTRIES}.links:detach_entries", "run", ("stream",)),
    Verb("move", f"{_ENTRIES}.move:move_entries", "run", ("stream",)),
    Verb("delete", f"{_ENTRIES}.delete:delete_entries", "run", ("stream",)),
    Verb("recycle", "kaltura_mm.flows.recycle_bin:recycle_entries", "run"),
    Verb("restore", "kaltura_mm.flows.recycle_bin:restore_entries", "run"),
    Verb("replace", "kaltura_mm.upload.replace:replace_content", "run"),
    Verb("update", "kaltura_mm.flows.edits:update_entries", "run"),
    Verb("source_asset", "kaltura_mm.flows.flavors:source_asset", "run"),
    Verb("source_assets", "kaltura_mm.flows.flavors:source_assets", "run"),
)
"""The top-level verbs, on entries."""

GROUPS: dict[str, tuple[str, str, tuple[Verb, ...]]] = {
    "categories": (
        "Categories",
        "Categories by id, full path or object, trees of them, and changes to them.",
        (
            Verb("resolve", "kaltura_mm.flows.categories:resolve_category", "run"),
            Verb("tree", "kaltura_mm.flows.categories:category_tree", "run"),
            Verb("create", "kaltura_mm.flows.category_admin:create_category", "run"),
            Verb("rename", f"{_CHANGES}:rename_category", "run"),
            Verb("move", f"{_CHANGES}:move_category", "run"),
            Verb("delete", f"{_CHANGES}:delete_category", "run"),
        ),
    ),
    "sync": (
        "Syncs",
        "Keep a category in step with a folder or a manifest (``kaltura_mm.sync``).",
        (
            Verb("plan", "kaltura_mm.sync.flows:plan_sync", "run"),
            Verb("apply", "kaltura_mm.sync.flows:apply_sync", "run"),
        ),
    ),
}
"""Verbs grouped under an attribute of the client: attribute -> (class, docstring, verbs)."""


def _service(module: str, *actions: str) -> tuple[Verb, ...]:
    return tuple(
        Verb(action, f"kaltura_mm.services.{module}:{action}", "call") for action in actions
    )


SERVICES: dict[str, tuple[str, str, tuple[Verb, ...]]] = {
    "base_entry": (
        "BaseEntryService",
        "Kaltura's ``baseEntry`` actions (``kaltura_mm.services.base_entry``), one call each.",
        _service(
            "base_entry",
            "add",
            "get",
            "get_by_ids",
            "list",
            "count",
            "update",
            "add_content",
            "update_content",
            "delete",
            "recycle",
            "restore_recycled",
        ),
    ),
    "upload_token": (
        "UploadTokenService",
        "Kaltura's ``uploadToken`` actions (``kaltura_mm.services.upload_token``).",
        _service("upload_token", "add", "upload", "get", "list", "delete"),
    ),
    "flavor_asset": (
        "FlavorAssetService",
        "Kaltura's ``flavorAsset`` actions (``kaltura_mm.services.flavor_asset``).",
        _service("flavor_asset", "get", "list"),
    ),
    "category_entry": (
        "CategoryEntryService",
        "Kaltura's ``categoryEntry`` actions (``kaltura_mm.services.category_entry``).",
        _service("category_entry", "add", "delete", "list"),
    ),
    "category": (
        "CategoryService",
        "Kaltura's ``category`` actions (``kaltura_mm.services.category``).",
        _service("category", "get", "list", "add", "update", "delete"),
    ),
    "session": (
        "SessionService",
        "Kaltura's ``session`` actions (``kaltura_mm.services.session``).",
        _service("session", "start", "start_widget_session"),
    ),
    "app_token": (
        "AppTokenService",
        "Kaltura's ``appToken`` actions (``kaltura_mm.services.app_token``).",
        _service("app_token", "add", "get", "list", "delete", "start_session"),
    ),
    "user_role": (
        "UserRoleService",
        "Kaltura's ``userRole`` actions (``kaltura_mm.services.user_role``).",
        _service("user_role", "add", "get", "list"),
    ),
}
"""Kaltura's services under the client: attribute -> (class, docstring, actions)."""
