"""The sync as two flows: ``plan_sync`` (read, compare, decide; sends no write) and ``apply_sync``
(check the plan against the server, then apply it). ``client.sync.plan`` and ``.apply`` run them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from kaltura_mm.errors import CategoryNotFoundError, ConfigError
from kaltura_mm.flows.batch import Pace
from kaltura_mm.flows.categories import normalize_path, resolve_category
from kaltura_mm.models import Category
from kaltura_mm.refs import CategoryOrPath
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.sync import truth
from kaltura_mm.sync.apply import Resume, apply_plan
from kaltura_mm.sync.check import check_plan
from kaltura_mm.sync.content import CONFLICT_CHOICES, OnConflict
from kaltura_mm.sync.ledger import ApplyHooks, ItemOutcome
from kaltura_mm.sync.model import Plan, Prune
from kaltura_mm.sync.plan import build_plan
from kaltura_mm.sync.records import SyncRecord, fingerprint
from kaltura_mm.sync.server import ServerView, read_server
from kaltura_mm.sync.source import Source, SyncItem
from kaltura_mm.upload.request import FileFingerprint, UploadOptions


@attrs.define
class _Prints:
    """Fingerprints the source's files, each read at most once per plan (the lookup of the
    referenceIds the listing did not show needs some before the plan compares them)."""

    items: dict[str, SyncItem]
    records: Mapping[str, SyncRecord]
    known: dict[Path, FileFingerprint] = attrs.field(factory=dict)

    def __call__(self, item: SyncItem, record: SyncRecord | None) -> FileFingerprint:
        found = self.known.get(item.path)
        if found is None or (record is None and not found.content_sha256):
            found = self.known[item.path] = fingerprint(item.path, record)
        return found

    def aliases(self, key: str) -> list[str]:
        """Return the exact referenceIds the entry of ``key`` may carry (``truth.candidates``)."""
        item = self.items.get(key)
        if item is None or truth.read(key) is None:
            return [key]
        return truth.candidates(key, self(item, self.records.get(key)))


def plan_sync(
    source: Source,
    category: CategoryOrPath,
    *,
    records: Mapping[str, SyncRecord] | None = None,
    prune: Prune = None,
    create_categories: bool = False,
    known_categories: Mapping[str, int] | None = None,
    on_conflict: OnConflict = None,
) -> Flow[Plan]:
    """Return the plan that makes ``category`` (and what is below it) look like ``source``.

    ``records`` (by referenceId) are what earlier syncs of this category made: their entry ids
    are read exactly (the search index may not show them yet) and their content compared with
    the files. ``known_categories`` (full name to id) are categories made a moment ago, read by
    id for the same reason. ``on_conflict`` (``keep-server``, ``keep-local``) resolves the
    entries whose content another tool replaced since the sync wrote it (None: each is a
    ``conflict`` item, left alone). Nothing is written.
    """
    if prune not in (None, "detach", "delete"):
        raise ConfigError(f"prune must be None, 'detach' or 'delete', got {prune!r}")
    if on_conflict not in (None, *CONFLICT_CHOICES):
        raise ConfigError(
            f"on_conflict must be None, 'keep-server' or 'keep-local', got {on_conflict!r}"
        )
    records = records or {}
    top = yield from _scope(category, create_categories)
    prints = _Prints({}, records)
    if top is None:
        view = ServerView(None)
        name = normalize_path(str(category))
    else:
        keys = [item.key(top.id) for item in source.items]
        prints.items.update(zip(keys, source.items, strict=True))
        known = {r.reference_id: r.entry_id for r in records.values()}
        view = yield from read_server(top, keys, known, known_categories, prints.aliases)
        name = top.full_name
    return build_plan(
        source,
        view,
        records,
        prints,
        scope_name=name,
        prune=prune,
        create_categories=create_categories,
        on_conflict=on_conflict,
    )


def _scope(category: CategoryOrPath, create: bool) -> Flow[Category | None]:
    try:
        found: Category = yield from resolve_category(category)
    except CategoryNotFoundError:
        if not create or isinstance(category, int) or str(category).strip().isdigit():
            raise
        return None
    return found


def apply_sync(
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
) -> Flow[list[ItemOutcome]]:
    """Apply ``plan``; with ``check`` (a plan made earlier), refuse it when the server changed
    underneath (``StalePlanError`` naming the entries), and skip what is already done.
    ``recycle``: entries the plan deletes go to the recycle bin where the account has one."""
    if check:
        plan = yield from check_plan(plan, records)
    return (
        yield from apply_plan(
            plan,
            options=options,
            pace=pace,
            files_in_flight=files_in_flight,
            resume=resume,
            hooks=hooks,
            recycle=recycle,
        )
    )
