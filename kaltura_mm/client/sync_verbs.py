"""The verbs of ``Client``, written by ``.ci/gen_verbs.py`` from ``kaltura_mm.verbs``.

Do not edit: run ``python .ci/gen_verbs.py``. Each method imports its builder when first called,
so that building a client stays fast. The docstrings are the builders' own.
"""

# ruff: noqa: E501

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from kaltura_mm.enums import SessionType

if TYPE_CHECKING:
    import builtins
    import os
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from pathlib import Path

    from kaltura_mm.enums import EntryType
    from kaltura_mm.flows.batch_outcomes import EntryOutcome
    from kaltura_mm.flows.batch_pace import Pace
    from kaltura_mm.flows.categories import CategoryNode
    from kaltura_mm.flows.category_admin import CreatedCategory
    from kaltura_mm.flows.category_changes import CategoryDeletion
    from kaltura_mm.flows.edits import EditOutcome, EntryEdit
    from kaltura_mm.flows.query import EntryQuery
    from kaltura_mm.models.categories import Category, CategoryEntry, CategoryParams
    from kaltura_mm.models.entries import BaseEntry, BaseEntryParams, Resource
    from kaltura_mm.models.filters import (
        AppTokenFilter,
        BaseEntryFilter,
        CategoryEntryFilter,
        CategoryFilter,
        FlavorAssetFilter,
        UploadTokenFilter,
        UserRoleFilter,
    )
    from kaltura_mm.models.flavor_assets import FlavorAsset
    from kaltura_mm.models.pages import ListPage, Pager
    from kaltura_mm.models.sessions import (
        AppToken,
        AppTokenParams,
        SessionInfo,
        UserRole,
        UserRoleParams,
        WidgetSession,
    )
    from kaltura_mm.models.upload_tokens import UploadToken
    from kaltura_mm.protocol.calls import Call, FilePart, Progress
    from kaltura_mm.refs import CategoryOrPath, CategoryRef, EntriesRef, EntryRef
    from kaltura_mm.runtime.effects import Flow, Stream
    from kaltura_mm.sync.apply import Resume
    from kaltura_mm.sync.content import OnConflict
    from kaltura_mm.sync.ledger import ApplyHooks, ItemOutcome
    from kaltura_mm.sync.model import Plan, Prune
    from kaltura_mm.sync.records import SyncRecord
    from kaltura_mm.sync.source import Source
    from kaltura_mm.upload.job import CancelSignal, OnProgress, OnState
    from kaltura_mm.upload.many import OnOutcome, OnStart
    from kaltura_mm.upload.replace_result import ReplaceResult
    from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
    from kaltura_mm.upload.result import UploadOutcome, UploadResult

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type of a stream


class SyncRunner(Protocol):
    """What the verbs of a ``Client`` run on: its ``run``, ``iterate`` and ``call``."""

    def run(self, flow: Flow[T], *, progress: Progress | None = None) -> T: ...
    def iterate(self, flow: Stream[I], *, progress: Progress | None = None) -> Iterator[I]: ...
    def call(self, call: Call[T], *, progress: Progress | None = None) -> T: ...


class SyncVerbs(SyncRunner):
    """The verbs of ``Client`` (``kaltura_mm.verbs`` says which is which)."""

    def upload(
        self,
        path_or_request: str | os.PathLike[str] | UploadRequest,
        *,
        category: CategoryOrPath | Sequence[CategoryOrPath] = (),
        options: UploadOptions | None = None,
        on_progress: OnProgress | None = None,
        on_state: OnState | None = None,
        cancel: CancelSignal | None = None,
    ) -> UploadResult:
        """Upload a file (a path, or an ``UploadRequest``) into ``category`` (ids or full paths)."""
        from kaltura_mm.upload.one import upload as _build

        return self.run(
            _build(
                path_or_request,
                category=category,
                options=options,
                on_progress=on_progress,
                on_state=on_state,
                cancel=cancel,
            )
        )

    def upload_many(
        self,
        requests: Sequence[UploadRequest | str | os.PathLike[str]],
        options: UploadOptions | None = None,
        max_files_in_flight: int = 4,
        on_state: OnState | None = None,
        on_progress: OnProgress | None = None,
        cancel: CancelSignal | None = None,
        *,
        category: CategoryOrPath | Sequence[CategoryOrPath] = (),
        states: Sequence[UploadState | None] | None = None,
        on_start: OnStart | None = None,
        on_outcome: OnOutcome | None = None,
        categories_checked: bool = False,
        max_requests_in_flight: int | None = None,
    ) -> list[UploadOutcome]:
        """Upload many files at once; one file's failure stops no other.

        ``max_requests_in_flight`` is the batch's requests in flight (default
        ``max_files_in_flight`` x ``options.concurrency``, 24 at the defaults). A file of one part is
        one request, so up to that many of them run at once; files of several parts run
        ``max_files_in_flight`` at a time, ``options.concurrency`` chunks each. The client's
        ``max_concurrency`` caps the requests of both together.

        ``requests`` are paths or ``UploadRequest``s; ``category`` (ids or full paths) is added to
        each. ``on_progress`` hears each file (``path`` set) and the total (``path`` None).
        ``states`` (one per request, None for a fresh upload) resumes saved uploads as
        ``resume_upload`` does. ``on_start`` hears a file when its turn comes, ``on_outcome`` as
        soon as it ends. Once ``cancel`` is set no file starts: those left end in
        ``UploadCancelledError`` with nothing sent. ``categories_checked`` skips the check that the
        categories exist, for a caller that has just read them itself (as ``upload_file``'s).
        """
        from kaltura_mm.upload.many import upload_many as _build

        return self.run(
            _build(
                requests,
                options,
                max_files_in_flight,
                on_state,
                on_progress,
                cancel,
                category=category,
                states=states,
                on_start=on_start,
                on_outcome=on_outcome,
                categories_checked=categories_checked,
                max_requests_in_flight=max_requests_in_flight,
            )
        )

    def entries(
        self,
        query: EntryQuery | None = None,
        *,
        category: CategoryOrPath | None = None,
        **filters: Any,
    ) -> Iterator[BaseEntry]:
        """Stream every entry of ``query`` with ``filters`` (``EntryQuery`` fields) set, each once.

        ``category`` is a category id or full path (``"Root>Lectures"``), resolved first, or a
        ``Category``.
        """
        from kaltura_mm.flows.listing import entries as _build

        return self.iterate(_build(query, category=category, **filters))

    def entry(self, entry_id: EntryRef) -> BaseEntry:
        """Return one entry (by id, or fresh for an entry), typed by kind (``EntryNotFoundError``
        if missing or deleted).
        """
        from kaltura_mm.flows.entries.reads import get_entry as _build

        return self.run(_build(entry_id))

    def attach(
        self, entry_ids: EntriesRef, category_id: CategoryRef, *, pace: Pace | None = None
    ) -> list[EntryOutcome]:
        """Assign existing entries to a category; already assigned counts as done."""
        from kaltura_mm.flows.entries.links import add_to_category as _build

        return self.run(_build(entry_ids, category_id, pace=pace))

    def detach(
        self, entry_ids: EntriesRef, category_id: CategoryRef, *, pace: Pace | None = None
    ) -> list[EntryOutcome]:
        """Remove entries from a category (the entries stay); one outcome per distinct id."""
        from kaltura_mm.flows.entries.links import detach_entries as _build

        return self.run(_build(entry_ids, category_id, pace=pace))

    def move(
        self,
        entry_ids: EntriesRef,
        from_category: CategoryRef,
        to_category: CategoryRef,
        *,
        pace: Pace | None = None,
    ) -> list[EntryOutcome]:
        """Move entries between categories: add to the target, then detach from the source."""
        from kaltura_mm.flows.entries.move import move_entries as _build

        return self.run(_build(entry_ids, from_category, to_category, pace=pace))

    def delete(
        self, entry_ids: EntriesRef, *, pace: Pace | None = None, known_to_exist: bool = False
    ) -> list[EntryOutcome]:
        """Delete entries; "not found" counts as already done only after a possible earlier try
        or when ``known_to_exist`` (the ids came from a listing).
        """
        from kaltura_mm.flows.entries.delete import delete_entries as _build

        return self.run(_build(entry_ids, pace=pace, known_to_exist=known_to_exist))

    def recycle(self, entry_ids: EntriesRef, *, pace: Pace | None = None) -> list[EntryOutcome]:
        """Move entries to the recycle bin; one outcome per entry, in the order given."""
        from kaltura_mm.flows.recycle_bin import recycle_entries as _build

        return self.run(_build(entry_ids, pace=pace))

    def restore(self, entry_ids: EntriesRef, *, pace: Pace | None = None) -> list[EntryOutcome]:
        """Bring entries back from the recycle bin; one outcome per entry, in the order given."""
        from kaltura_mm.flows.recycle_bin import restore_entries as _build

        return self.run(_build(entry_ids, pace=pace))

    def replace(
        self,
        entry_id: str,
        path: str | Path,
        options: UploadOptions | None = None,
        state: UploadState | None = None,
        on_state: OnState | None = None,
        on_progress: OnProgress | None = None,
        cancel: CancelSignal | None = None,
        *,
        approve: bool = False,
        fresh: bool = False,
    ) -> ReplaceResult:
        """Replace the content of ``entry_id`` with the file at ``path`` (rules 1 to 6).

        ``fresh``: the entry is known to hold other content than the file now (another tool
        replaced it since this file went in): a CLOSED token of this entry and content says
        nothing of it any more, is deleted, and the file is sent again (rule 3 would send nothing).

        ``state`` (from ``on_state``) resumes an interrupted replacement; ``options.wait_ready``
        waits until the server swapped the new content in (at most ``options.ready_timeout``);
        ``approve`` approves the replacement where the partner requires approval
        (``media.approveReplace``), else it ends ``awaiting_approval``.
        """
        from kaltura_mm.upload.replace import replace_content as _build

        return self.run(
            _build(
                entry_id,
                path,
                options,
                state,
                on_state,
                on_progress,
                cancel,
                approve=approve,
                fresh=fresh,
            )
        )

    def update(
        self, edits: Iterable[EntryEdit], *, pace: Pace | None = None, dry_run: bool = False
    ) -> list[EditOutcome]:
        """Edit entries' metadata (rules 1 to 4); one ``EditOutcome`` per entry, in order.

        ``dry_run`` reads and compares, and sends nothing (``would_change`` with before and after).
        """
        from kaltura_mm.flows.edits import update_entries as _build

        return self.run(_build(edits, pace=pace, dry_run=dry_run))

    def source_asset(self, entry_id: EntryRef) -> FlavorAsset | None:
        """Return the entry's source flavor asset: the file it was made or last replaced from, its
        ``size`` (KB), ``size_in_bytes`` and ``version``; None when it has none (an image, a
        document, an entry without content yet).
        """
        from kaltura_mm.flows.flavors import source_asset as _build

        return self.run(_build(entry_id))

    def source_assets(self, entry_ids: Iterable[str]) -> dict[str, FlavorAsset]:
        """Return the source flavor asset of each of ``entry_ids`` that has one, by entry id."""
        from kaltura_mm.flows.flavors import source_assets as _build

        return self.run(_build(entry_ids))

    @functools.cached_property
    def categories(self) -> Categories:
        """Categories by id, full path or object, trees of them, and changes to them."""
        return Categories(self)

    @functools.cached_property
    def sync(self) -> Syncs:
        """Keep a category in step with a folder or a manifest (``kaltura_mm.sync``)."""
        return Syncs(self)

    @functools.cached_property
    def base_entry(self) -> BaseEntryService:
        """Kaltura's ``baseEntry`` actions (``kaltura_mm.services.base_entry``), one call each."""
        return BaseEntryService(self)

    @functools.cached_property
    def upload_token(self) -> UploadTokenService:
        """Kaltura's ``uploadToken`` actions (``kaltura_mm.services.upload_token``)."""
        return UploadTokenService(self)

    @functools.cached_property
    def flavor_asset(self) -> FlavorAssetService:
        """Kaltura's ``flavorAsset`` actions (``kaltura_mm.services.flavor_asset``)."""
        return FlavorAssetService(self)

    @functools.cached_property
    def category_entry(self) -> CategoryEntryService:
        """Kaltura's ``categoryEntry`` actions (``kaltura_mm.services.category_entry``)."""
        return CategoryEntryService(self)

    @functools.cached_property
    def category(self) -> CategoryService:
        """Kaltura's ``category`` actions (``kaltura_mm.services.category``)."""
        return CategoryService(self)

    @functools.cached_property
    def session(self) -> SessionService:
        """Kaltura's ``session`` actions (``kaltura_mm.services.session``)."""
        return SessionService(self)

    @functools.cached_property
    def app_token(self) -> AppTokenService:
        """Kaltura's ``appToken`` actions (``kaltura_mm.services.app_token``)."""
        return AppTokenService(self)

    @functools.cached_property
    def user_role(self) -> UserRoleService:
        """Kaltura's ``userRole`` actions (``kaltura_mm.services.user_role``)."""
        return UserRoleService(self)


class Categories:
    """Categories by id, full path or object, trees of them, and changes to them."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def resolve(self, id_or_path: CategoryOrPath) -> Category:
        """Return the category with this id, full path (``Root>Courses``) or unique name; a
        ``Category`` as it is (already resolved).
        """
        from kaltura_mm.flows.categories import resolve_category as _build

        return self._client.run(_build(id_or_path))

    def tree(self, root: CategoryOrPath | None = None) -> list[CategoryNode]:
        """Return the tree under ``root`` (id or path) with entry counts; every root when None."""
        from kaltura_mm.flows.categories import category_tree as _build

        return self._client.run(_build(root))

    def create(
        self, path: str, *, known: Mapping[str, int] | None = None, wait_for_index: float = 300.0
    ) -> CreatedCategory:
        """Make sure the category ``path`` (``"A>B>C"``) exists, every missing level made; return it.

        ``known`` maps full names to ids made or seen earlier (read exactly with ``category.get``).
        """
        from kaltura_mm.flows.category_admin import create_category as _build

        return self._client.run(_build(path, known=known, wait_for_index=wait_for_index))

    def rename(
        self, id_or_path: CategoryOrPath, new_name: str, *, wait_for_index: float = 300.0
    ) -> Category:
        """Rename a category (its sub-categories' full names follow in a server batch job)."""
        from kaltura_mm.flows.category_changes import rename_category as _build

        return self._client.run(_build(id_or_path, new_name, wait_for_index=wait_for_index))

    def move(
        self,
        id_or_path: CategoryOrPath,
        new_parent: CategoryOrPath | None,
        *,
        wait_for_index: float = 300.0,
    ) -> Category:
        """Move a category under ``new_parent`` (id or path; None: to the top level)."""
        from kaltura_mm.flows.category_changes import move_category as _build

        return self._client.run(_build(id_or_path, new_parent, wait_for_index=wait_for_index))

    def delete(
        self,
        id_or_path: CategoryOrPath,
        *,
        force: bool = False,
        move_entries_to_parent: bool = True,
        dry_run: bool = False,
    ) -> CategoryDeletion:
        """Delete a category and its sub-categories (rule 5); return what it held and where it went.

        A category holding entries or sub-categories is refused unless ``force``; ``dry_run``
        returns the same account and changes nothing. A category already gone is
        ``CategoryNotFoundError``.
        """
        from kaltura_mm.flows.category_changes import delete_category as _build

        return self._client.run(
            _build(
                id_or_path,
                force=force,
                move_entries_to_parent=move_entries_to_parent,
                dry_run=dry_run,
            )
        )


class Syncs:
    """Keep a category in step with a folder or a manifest (``kaltura_mm.sync``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def plan(
        self,
        source: Source,
        category: CategoryOrPath,
        *,
        records: Mapping[str, SyncRecord] | None = None,
        prune: Prune = None,
        create_categories: bool = False,
        known_categories: Mapping[str, int] | None = None,
        on_conflict: OnConflict = None,
    ) -> Plan:
        """Return the plan that makes ``category`` (and what is below it) look like ``source``.

        ``records`` (by referenceId) are what earlier syncs of this category made: their entry ids
        are read exactly (the search index may not show them yet) and their content compared with
        the files. ``known_categories`` (full name to id) are categories made a moment ago, read by
        id for the same reason. ``on_conflict`` (``keep-server``, ``keep-local``) resolves the
        entries whose content another tool replaced since the sync wrote it (None: each is a
        ``conflict`` item, left alone). Nothing is written.
        """
        from kaltura_mm.sync.flows import plan_sync as _build

        return self._client.run(
            _build(
                source,
                category,
                records=records,
                prune=prune,
                create_categories=create_categories,
                known_categories=known_categories,
                on_conflict=on_conflict,
            )
        )

    def apply(
        self,
        plan: Plan,
        *,
        records: Mapping[str, SyncRecord] | None = None,
        check: bool = True,
        options: UploadOptions | None = None,
        pace: Pace | None = None,
        files_in_flight: int = 4,
        resume: Resume | None = None,
        hooks: ApplyHooks | None = None,
        recycle: bool = True,
    ) -> list[ItemOutcome]:
        """Apply ``plan``; with ``check`` (a plan made earlier), refuse it when the server changed
        underneath (``StalePlanError`` naming the entries), and skip what is already done.
        ``recycle``: entries the plan deletes go to the recycle bin where the account has one.
        """
        from kaltura_mm.sync.flows import apply_sync as _build

        return self._client.run(
            _build(
                plan,
                records=records,
                check=check,
                options=options,
                pace=pace,
                files_in_flight=files_in_flight,
                resume=resume,
                hooks=hooks,
                recycle=recycle,
            )
        )


class BaseEntryService:
    """Kaltura's ``baseEntry`` actions (``kaltura_mm.services.base_entry``), one call each."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def add(self, entry: BaseEntryParams, type: EntryType | None = None) -> BaseEntry:
        """Send the call creating ``entry`` (``MediaEntryParams``, ``DocumentEntryParams``...: its
        type); read-only fields of a returned entry given here are not sent. Not idempotent.
        """
        from kaltura_mm.services.base_entry import add as _build

        return self._client.call(_build(entry, type))

    def get(self, entry_id: EntryRef, version: int | None = None) -> BaseEntry:
        """Send the call fetching one entry (``EntryNotFoundError`` if missing or deleted)."""
        from kaltura_mm.services.base_entry import get as _build

        return self._client.call(_build(entry_id, version))

    def get_by_ids(self, entry_ids: Sequence[str]) -> builtins.list[BaseEntry]:
        """Send the call fetching several entries at once; unknown ids are skipped."""
        from kaltura_mm.services.base_entry import get_by_ids as _build

        return self._client.call(_build(entry_ids))

    def list(
        self, filter: BaseEntryFilter | None = None, pager: Pager | None = None
    ) -> ListPage[BaseEntry]:
        """Send the call listing entries (only READY ones unless the filter sets a status)."""
        from kaltura_mm.services.base_entry import list as _build

        return self._client.call(_build(filter, pager))

    def count(self, filter: BaseEntryFilter | None = None) -> int:
        """Send the call counting the entries ``filter`` matches (the search index's count)."""
        from kaltura_mm.services.base_entry import count as _build

        return self._client.call(_build(filter))

    def update(
        self, entry_id: EntryRef, entry: BaseEntryParams, clear: Iterable[str] = ()
    ) -> BaseEntry:
        """Send the call changing the set fields of ``entry``; ``clear`` names fields to empty."""
        from kaltura_mm.services.base_entry import update as _build

        return self._client.call(_build(entry_id, entry, clear))

    def add_content(self, entry_id: EntryRef, resource: Resource) -> BaseEntry:
        """Send the call attaching content (an upload token, a URL) to an entry without content."""
        from kaltura_mm.services.base_entry import add_content as _build

        return self._client.call(_build(entry_id, resource))

    def update_content(
        self, entry_id: EntryRef, resource: Resource, conversion_profile_id: int | None = None
    ) -> BaseEntry:
        """Send the call replacing an entry's content (attached directly if it has none)."""
        from kaltura_mm.services.base_entry import update_content as _build

        return self._client.call(_build(entry_id, resource, conversion_profile_id))

    def delete(self, entry_id: EntryRef) -> None:
        """Send the call deleting an entry (a second delete answers ``EntryNotFoundError``)."""
        from kaltura_mm.services.base_entry import delete as _build

        return self._client.call(_build(entry_id))

    def recycle(self, entry_id: EntryRef) -> BaseEntry:
        """Send the call moving an entry to the recycle bin (``displayInSearch`` -2): lists leave it
        out, its category links stay, ``restore_recycled`` brings it back. ``RecycleBinDisabledError``
        when the account has no bin; ``INVALID_ENTRY_STATUS_FOR_RECYCLE`` when it is there already.
        """
        from kaltura_mm.services.base_entry import recycle as _build

        return self._client.call(_build(entry_id))

    def restore_recycled(self, entry_id: EntryRef) -> BaseEntry:
        """Send the call bringing an entry back from the recycle bin
        (``INVALID_ENTRY_STATUS_FOR_RESTORE`` when it is not there).
        """
        from kaltura_mm.services.base_entry import restore_recycled as _build

        return self._client.call(_build(entry_id))


class UploadTokenService:
    """Kaltura's ``uploadToken`` actions (``kaltura_mm.services.upload_token``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def add(
        self,
        file_name: str | None = None,
        file_size: int | None = None,
        auto_finalize: bool | None = None,
    ) -> UploadToken:
        """Send the call creating an upload token; not idempotent."""
        from kaltura_mm.services.upload_token import add as _build

        return self._client.call(_build(file_name, file_size, auto_finalize))

    def upload(
        self,
        token_id: str,
        part: FilePart,
        *,
        resume: bool = False,
        final_chunk: bool = True,
        resume_at: int = -1,
    ) -> UploadToken:
        """Send the call sending ``part`` into a token.

        The first part is ``resume=False``; later parts ``resume=True`` at their ``resume_at``
        offset; the last one ``final_chunk=True``. Re-sending a part is harmless (the server accepts
        duplicates), so the call is idempotent.
        """
        from kaltura_mm.services.upload_token import upload as _build

        return self._client.call(
            _build(token_id, part, resume=resume, final_chunk=final_chunk, resume_at=resume_at)
        )

    def get(self, token_id: str) -> UploadToken:
        """Send the call fetching a token (``uploaded_file_size`` says where to resume)."""
        from kaltura_mm.services.upload_token import get as _build

        return self._client.call(_build(token_id))

    def list(
        self, filter: UploadTokenFilter | None = None, pager: Pager | None = None
    ) -> ListPage[UploadToken]:
        """Send the call listing tokens (a user session sees only its own)."""
        from kaltura_mm.services.upload_token import list as _build

        return self._client.call(_build(filter, pager))

    def delete(self, token_id: str) -> None:
        """Send the call deleting a token (an attached entry falls back to no content)."""
        from kaltura_mm.services.upload_token import delete as _build

        return self._client.call(_build(token_id))


class FlavorAssetService:
    """Kaltura's ``flavorAsset`` actions (``kaltura_mm.services.flavor_asset``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def get(self, id: str) -> FlavorAsset:
        """Send the call fetching one flavor asset by its id (``FLAVOR_ASSET_ID_NOT_FOUND`` when
        it is missing or deleted).
        """
        from kaltura_mm.services.flavor_asset import get as _build

        return self._client.call(_build(id))

    def list(
        self, filter: FlavorAssetFilter | None = None, pager: Pager | None = None
    ) -> ListPage[FlavorAsset]:
        """Send the call listing flavor assets; the filter must name the entries
        (``entry_id_equal`` or ``entry_id_in``: the server refuses a list of every asset).
        """
        from kaltura_mm.services.flavor_asset import list as _build

        return self._client.call(_build(filter, pager))


class CategoryEntryService:
    """Kaltura's ``categoryEntry`` actions (``kaltura_mm.services.category_entry``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def add(self, entry_id: EntryRef, category_id: CategoryRef) -> CategoryEntry:
        """Send the call assigning an entry to a category; not idempotent (a second one fails)."""
        from kaltura_mm.services.category_entry import add as _build

        return self._client.call(_build(entry_id, category_id))

    def delete(self, entry_id: EntryRef, category_id: CategoryRef) -> None:
        """Send the call removing an entry from a category (the entry itself stays)."""
        from kaltura_mm.services.category_entry import delete as _build

        return self._client.call(_build(entry_id, category_id))

    def list(
        self, filter: CategoryEntryFilter | None = None, pager: Pager | None = None
    ) -> ListPage[CategoryEntry]:
        """Send the call listing memberships; filter on an entry or a category."""
        from kaltura_mm.services.category_entry import list as _build

        return self._client.call(_build(filter, pager))


class CategoryService:
    """Kaltura's ``category`` actions (``kaltura_mm.services.category``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def get(self, category_id: CategoryRef) -> Category:
        """Send the call fetching one category (``CategoryNotFoundError`` if missing)."""
        from kaltura_mm.services.category import get as _build

        return self._client.call(_build(category_id))

    def list(
        self, filter: CategoryFilter | None = None, pager: Pager | None = None
    ) -> ListPage[Category]:
        """Send the call listing categories (up to 1500 without a pager, 500 with one)."""
        from kaltura_mm.services.category import list as _build

        return self._client.call(_build(filter, pager))

    def add(self, category: CategoryParams) -> Category:
        """Send the call creating a category (admin session only); not idempotent."""
        from kaltura_mm.services.category import add as _build

        return self._client.call(_build(category))

    def update(self, category_id: CategoryRef, category: CategoryParams) -> Category:
        """Send the call changing the set fields of a category: ``name`` renames it, ``parent_id``
        moves it (its descendants follow in a server batch job); admin session only.
        """
        from kaltura_mm.services.category import update as _build

        return self._client.call(_build(category_id, category))

    def delete(self, category_id: CategoryRef, move_entries_to_parent: bool = True) -> None:
        """Send the call deleting a category and its sub-categories; their entries move to the
        parent (or, with ``move_entries_to_parent=False`` or at the root, lose those categories).
        """
        from kaltura_mm.services.category import delete as _build

        return self._client.call(_build(category_id, move_entries_to_parent))


class SessionService:
    """Kaltura's ``session`` actions (``kaltura_mm.services.session``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def start(
        self,
        secret: str,
        partner_id: int,
        user_id: str = "",
        type: SessionType = SessionType.USER,
        expiry: int = 86400,
        privileges: str | None = None,
    ) -> str:
        """Send the call returning a new KS; the secret goes in the body and is never logged."""
        from kaltura_mm.services.session import start as _build

        return self._client.call(_build(secret, partner_id, user_id, type, expiry, privileges))

    def start_widget_session(self, widget_id: str, expiry: int | None = None) -> WidgetSession:
        """Send the call starting an anonymous widget session (``"_<partnerId>"`` is the partner's
        default widget); the first step of an app token session. Needs no KS.
        """
        from kaltura_mm.services.session import start_widget_session as _build

        return self._client.call(_build(widget_id, expiry))


class AppTokenService:
    """Kaltura's ``appToken`` actions (``kaltura_mm.services.app_token``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def add(self, token: AppTokenParams) -> AppToken:
        """Send the call creating an app token; the answer holds its id and (once) its token."""
        from kaltura_mm.services.app_token import add as _build

        return self._client.call(_build(token))

    def get(self, token_id: str) -> AppToken:
        """Send the call reading one app token (``APP_TOKEN_ID_NOT_FOUND`` if there is none)."""
        from kaltura_mm.services.app_token import get as _build

        return self._client.call(_build(token_id))

    def list(
        self, filter: AppTokenFilter | None = None, pager: Pager | None = None
    ) -> ListPage[AppToken]:
        """Send the call listing the partner's app tokens."""
        from kaltura_mm.services.app_token import list as _build

        return self._client.call(_build(filter, pager))

    def delete(self, token_id: str) -> None:
        """Send the call revoking an app token: every session made from it stops working."""
        from kaltura_mm.services.app_token import delete as _build

        return self._client.call(_build(token_id))

    def start_session(
        self,
        token_id: str,
        token_hash: str,
        widget_ks: str,
        *,
        user_id: str | None = None,
        type: SessionType | None = None,
        expiry: int | None = None,
        session_privileges: str | None = None,
    ) -> SessionInfo:
        """Send the call starting a session from an app token; sent with ``widget_ks``.

        The token's own session type, user and privileges win over these (spec 13.1); the session
        ends at the earlier of ``expiry`` seconds and the token's ``session_duration`` and expiry.
        """
        from kaltura_mm.services.app_token import start_session as _build

        return self._client.call(
            _build(
                token_id,
                token_hash,
                widget_ks,
                user_id=user_id,
                type=type,
                expiry=expiry,
                session_privileges=session_privileges,
            )
        )


class UserRoleService:
    """Kaltura's ``userRole`` actions (``kaltura_mm.services.user_role``)."""

    def __init__(self, client: SyncRunner) -> None:
        """Bind the actions to ``client``."""
        self._client = client

    def add(self, role: UserRoleParams) -> UserRole:
        """Send the call creating a role (``ROLE_NAME_ALREADY_EXISTS`` for a name in use)."""
        from kaltura_mm.services.user_role import add as _build

        return self._client.call(_build(role))

    def get(self, role_id: int) -> UserRole:
        """Send the call reading one role (``INVALID_OBJECT_ID`` if there is none)."""
        from kaltura_mm.services.user_role import get as _build

        return self._client.call(_build(role_id))

    def list(
        self, filter: UserRoleFilter | None = None, pager: Pager | None = None
    ) -> ListPage[UserRole]:
        """Send the call listing the partner's roles (and the shared ones it may use)."""
        from kaltura_mm.services.user_role import list as _build

        return self._client.call(_build(filter, pager))
