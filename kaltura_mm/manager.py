"""MediaManager: the Kaltura Media Manager widget's runtime, headless.

Configured like the widget (settings ``contextType``, ``contextId``, ``ks``, ``partnerId``,
``supportDocuments``; visual settings ``mode`` and ``customizations.manage.itemActions``), and
running the same flows as everything else. Rules:

1. An action the mode or the item actions do not allow raises ``ActionNotAllowedError`` before any
   request: ``select`` mode only lists, selects and uploads; ``manage`` mode adds ``detach`` and
   ``delete`` when they are in ``item_actions``.
2. Select mode needs only ``baseEntry.list``/``get`` and ``category.get``, which a USER KS may call.
3. ``update_settings`` switches category or mode on the same object; ``set_session`` gives the
   client a new KS for later requests (the widget's ``session.setData``).

``AsyncMediaManager`` is the same object over an ``AsyncClient``. Both run on the client's verbs
(``client.entries``, ``client.entry``, ``client.upload``, ``client.detach``, ``client.delete``):
the manager adds the widget's settings and guards, nothing of the engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

import attrs

from kaltura_mm.client import AsyncClient, Client
from kaltura_mm.errors import ActionNotAllowedError, ConfigError
from kaltura_mm.flows.batch import EntryOutcome, Pace
from kaltura_mm.flows.listing import ANY_STATUS, EntryQuery
from kaltura_mm.models import BaseEntry, DocumentEntry, EntryType, MediaEntry
from kaltura_mm.refs import EntriesRef, EntryRef
from kaltura_mm.upload.request import UploadOptions, UploadRequest
from kaltura_mm.upload.result import UploadResult

Mode = Literal["select", "manage"]
ItemAction = Literal["delete", "detach"]
ITEM_ACTIONS: tuple[ItemAction, ...] = ("delete", "detach")


def _mode(_: Any, __: Any, value: str) -> None:
    if value not in ("select", "manage"):
        raise ConfigError(f"mode must be 'select' or 'manage' (as in the widget), got {value!r}")


def _actions(value: Iterable[str]) -> tuple[ItemAction, ...]:
    if isinstance(value, str):
        value = (value,)
    actions = tuple(dict.fromkeys(value))
    unknown = [a for a in actions if a not in ITEM_ACTIONS]
    if unknown:
        raise ConfigError(f"unknown item actions {unknown}: the widget knows 'delete', 'detach'")
    return actions  # type: ignore[return-value]


def _context(_: Any, __: Any, value: str) -> None:
    if value != "category":
        raise ConfigError(
            f"contextType must be 'category' (the only one the widget has), got {value!r}"
        )


@attrs.frozen(kw_only=True)
class ManagerSettings:
    """The widget's settings and visual settings, with Python names; the KS is never shown."""

    context_type: str = attrs.field(default="category", validator=_context)
    context_id: int | None = None
    ks: str | None = attrs.field(default=None, repr=False)
    partner_id: int | None = None
    support_documents: bool = False
    mode: Mode = attrs.field(default="select", validator=_mode)
    item_actions: tuple[ItemAction, ...] = attrs.field(default=ITEM_ACTIONS, converter=_actions)

    @classmethod
    def from_widget(
        cls, settings: Mapping[str, Any], visual: Mapping[str, Any] | None = None
    ) -> ManagerSettings:
        """Read the widget's own ``settings`` and ``visualSettings`` objects (camelCase)."""
        visual = visual or {}
        manage = visual.get("customizations", {}).get("manage", {})
        return cls(
            context_type=settings.get("contextType", "category"),
            context_id=settings.get("contextId"),
            ks=settings.get("ks"),
            partner_id=settings.get("partnerId"),
            support_documents=bool(settings.get("supportDocuments", False)),
            mode=visual.get("mode", "select"),
            item_actions=manage.get("itemActions", ITEM_ACTIONS),
        )


@attrs.frozen(kw_only=True)
class SelectedEntry:
    """What the widget's ``onRowSelected`` hands over about an entry."""

    id: str
    name: str | None
    description: str | None
    media_type: int | None
    created_at: int | None
    updated_at: int | None
    thumbnail_url: str | None
    duration: int | None
    plays: int | None
    views: int | None
    status: int | None
    entry: BaseEntry = attrs.field(repr=False, eq=False)

    @classmethod
    def of(cls, entry: BaseEntry) -> SelectedEntry:
        """Return the selection fields of ``entry`` (documents report their document type)."""
        media = entry if isinstance(entry, MediaEntry) else None
        kind: int | None = media.media_type if media else None
        if isinstance(entry, DocumentEntry):
            kind = entry.document_type
        return cls(
            id=entry.id,
            name=entry.name,
            description=entry.description,
            media_type=None if kind is None else int(kind),
            created_at=entry.created_at,
            updated_at=entry.updated_at,
            thumbnail_url=entry.thumbnail_url,
            duration=media.duration if media else None,
            plays=media.plays if media else None,
            views=media.views if media else None,
            status=None if entry.status is None else int(entry.status),
            entry=entry,
        )

    def as_widget(self) -> dict[str, Any]:
        """Return the fields under the widget's camelCase names."""
        names = {"media_type": "mediaType", "created_at": "createdAt", "updated_at": "updatedAt"}
        names["thumbnail_url"] = "thumbnailUrl"
        fields = attrs.asdict(self, filter=lambda a, _: a.name != "entry")
        return {names.get(k, k): v for k, v in fields.items()}


ClientT = TypeVar("ClientT", Client, AsyncClient)


class _Runtime(Generic[ClientT]):
    """What both managers share: settings, the session, the guards, each verb's arguments."""

    def __init__(self, client: ClientT, settings: ManagerSettings | None = None) -> None:
        """Drive ``client`` as a widget configured with ``settings``; use their KS if given."""
        self._settings = settings or ManagerSettings()
        self._client: ClientT = client
        if self._settings.ks:
            client.use_ks(self._settings.ks)

    def update_settings(self, **changes: Any) -> ManagerSettings:
        """Change settings (category, mode, item actions...) without rebuilding the manager."""
        self._settings = self._updated(changes)
        if "ks" in changes:
            self._client.use_ks(self._settings.ks)
        return self._settings

    def set_session(self, ks: str) -> None:
        """Use ``ks`` for every later request, as the widget's ``session.setData``."""
        self.update_settings(ks=ks)

    @property
    def settings(self) -> ManagerSettings:
        """Return the current settings."""
        return self._settings

    def _updated(self, changes: dict[str, Any]) -> ManagerSettings:
        unknown = sorted(set(changes) - {f.name for f in attrs.fields(ManagerSettings)})
        if unknown:
            raise ConfigError(f"unknown settings {unknown}: see ManagerSettings")
        return attrs.evolve(self._settings, **changes)

    def _query(self, query: EntryQuery | None) -> EntryQuery:
        base = query or EntryQuery(statuses=ANY_STATUS)
        types = base.entry_types
        if not self._settings.support_documents and not types:
            types = (EntryType.MEDIA_CLIP,)  # the widget hides documents unless enabled
        return attrs.evolve(base, category_id=self._settings.context_id, entry_types=types)

    def _allow(self, action: ItemAction) -> None:
        if self._settings.mode != "manage":
            raise ActionNotAllowedError(
                f"{action} is not available in {self._settings.mode!r} mode: "
                "set mode='manage' (update_settings) to manage entries"
            )
        if action not in self._settings.item_actions:
            raise ActionNotAllowedError(
                f"{action} is not among the item actions {list(self._settings.item_actions)}: "
                "add it to customizations.manage.itemActions"
            )
        if action == "detach" and self._settings.context_id is None:
            raise ActionNotAllowedError("detach needs a category: set contextId (update_settings)")

    def _detached_from(self) -> int:
        """Return the category to detach from, refusing a detach the settings do not allow."""
        self._allow("detach")
        assert self._settings.context_id is not None  # _allow refuses a detach without one
        return self._settings.context_id

    def _upload(
        self, path: str | Path, fields: dict[str, Any]
    ) -> tuple[UploadRequest, UploadOptions]:
        context = self._settings.context_id
        request = UploadRequest(
            path=path, category_ids=() if context is None else (context,), **fields
        )
        return request, UploadOptions(support_documents=self._settings.support_documents)


class MediaManager(_Runtime[Client]):
    """The widget runtime over a ``Client``: list, select, upload, detach and delete entries."""

    def entries(self, query: EntryQuery | None = None) -> Iterator[BaseEntry]:
        """Stream every entry of the context category (or all accessible entries)."""
        return self._client.entries(self._query(query))

    def select(self, entry_id: EntryRef) -> SelectedEntry:
        """Return the entry as the widget's ``onRowSelected`` gives it."""
        return SelectedEntry.of(self._client.entry(entry_id))

    def upload(self, path: str | Path, **fields: Any) -> UploadResult:
        """Upload a file into the context category (``name=``, ``tags=``... as UploadRequest)."""
        request, options = self._upload(path, fields)
        return self._client.upload(request, options=options)

    def detach(self, entry_ids: EntriesRef, *, pace: Pace | None = None) -> list[EntryOutcome]:
        """Remove entries from the context category (manage mode, ``detach`` item action)."""
        return self._client.detach(entry_ids, self._detached_from(), pace=pace)

    def delete(self, entry_ids: EntriesRef, *, pace: Pace | None = None) -> list[EntryOutcome]:
        """Delete entries (manage mode, ``delete`` item action)."""
        self._allow("delete")
        return self._client.delete(entry_ids, pace=pace)


class AsyncMediaManager(_Runtime[AsyncClient]):
    """``MediaManager`` over an ``AsyncClient``: the same verbs, awaited."""

    def entries(self, query: EntryQuery | None = None) -> AsyncIterator[BaseEntry]:
        """Stream every entry of the context category (or all accessible entries)."""
        return self._client.entries(self._query(query))

    async def select(self, entry_id: EntryRef) -> SelectedEntry:
        """Return the entry as the widget's ``onRowSelected`` gives it."""
        return SelectedEntry.of(await self._client.entry(entry_id))

    async def upload(self, path: str | Path, **fields: Any) -> UploadResult:
        """Upload a file into the context category (``name=``, ``tags=``... as UploadRequest)."""
        request, options = self._upload(path, fields)
        return await self._client.upload(request, options=options)

    async def detach(
        self, entry_ids: EntriesRef, *, pace: Pace | None = None
    ) -> list[EntryOutcome]:
        """Remove entries from the context category (manage mode, ``detach`` item action)."""
        return await self._client.detach(entry_ids, self._detached_from(), pace=pace)

    async def delete(
        self, entry_ids: EntriesRef, *, pace: Pace | None = None
    ) -> list[EntryOutcome]:
        """Delete entries (manage mode, ``delete`` item action)."""
        self._allow("delete")
        return await self._client.delete(entry_ids, pace=pace)
