"""kaltura-mm: Kaltura's Media Manager, headless.

A typed client for the Kaltura API v3 services the Media Manager widget uses (baseEntry,
uploadToken, categoryEntry, category, session), the widget's flows (upload, list, detach,
delete) without a browser, a command line and a local Kaltura-compatible sandbox.

Names are imported on first use, so ``import kaltura_mm`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "ANY_STATUS": "kaltura_mm.flows.query",
    "ActionBlockedError": "kaltura_mm.errors",
    "ActionNotAllowedError": "kaltura_mm.errors",
    "AmbiguousCategoryError": "kaltura_mm.errors",
    "AnswerTimeoutError": "kaltura_mm.errors",
    "AnswerTooLargeError": "kaltura_mm.errors",
    "ApiError": "kaltura_mm.errors",
    "AsyncClient": "kaltura_mm.client.asynchronous",
    "AsyncMediaManager": "kaltura_mm.manager",
    "BaseEntry": "kaltura_mm.models",
    "BaseEntryFilter": "kaltura_mm.models",
    "Call": "kaltura_mm.protocol.calls",
    "Category": "kaltura_mm.models",
    "CategoryEntry": "kaltura_mm.models",
    "CategoryEntryExistsError": "kaltura_mm.errors",
    "CategoryEntryFilter": "kaltura_mm.models",
    "CategoryEntryStatus": "kaltura_mm.enums",
    "CategoryFilter": "kaltura_mm.models",
    "CategoryLookupError": "kaltura_mm.errors",
    "CategoryNode": "kaltura_mm.flows.categories",
    "CategoryNotFoundError": "kaltura_mm.errors",
    "CategoryStatus": "kaltura_mm.enums",
    "Client": "kaltura_mm.client.sync",
    "Config": "kaltura_mm.config",
    "ConfigError": "kaltura_mm.errors",
    "DataEntry": "kaltura_mm.models",
    "DependencyError": "kaltura_mm.errors",
    "DocumentEntry": "kaltura_mm.models",
    "DocumentType": "kaltura_mm.enums",
    "Draw": "kaltura_mm.runtime.effects",
    "Emit": "kaltura_mm.runtime.effects",
    "EntryNotFoundError": "kaltura_mm.errors",
    "EntryNotInCategoryError": "kaltura_mm.errors",
    "EntryOutcome": "kaltura_mm.flows.batch",
    "EntryQuery": "kaltura_mm.flows.query",
    "EntryStatus": "kaltura_mm.enums",
    "EntryType": "kaltura_mm.enums",
    "FileChangedError": "kaltura_mm.errors",
    "FilePart": "kaltura_mm.protocol.calls",
    "FixedKs": "kaltura_mm.ks",
    "Flow": "kaltura_mm.runtime.effects",
    "InvalidKsError": "kaltura_mm.errors",
    "KalturaError": "kaltura_mm.errors",
    "KsProvider": "kaltura_mm.ks",
    "ListPage": "kaltura_mm.models",
    "ListingError": "kaltura_mm.errors",
    "LiveStreamEntry": "kaltura_mm.models",
    "ManagerSettings": "kaltura_mm.manager",
    "MediaEntry": "kaltura_mm.models",
    "MediaEntryFilter": "kaltura_mm.models",
    "MediaManager": "kaltura_mm.manager",
    "MediaType": "kaltura_mm.enums",
    "MissingKsError": "kaltura_mm.errors",
    "MultiRequest": "kaltura_mm.protocol.calls",
    "MultiResponse": "kaltura_mm.protocol.calls",
    "NextDone": "kaltura_mm.runtime.effects",
    "Now": "kaltura_mm.runtime.effects",
    "Pace": "kaltura_mm.flows.batch",
    "Pager": "kaltura_mm.models",
    "PlaylistEntry": "kaltura_mm.models",
    "Ref": "kaltura_mm.protocol.calls",
    "ResponseError": "kaltura_mm.errors",
    "RetryPolicy": "kaltura_mm.runtime.retry",
    "SecretKs": "kaltura_mm.ks",
    "SelectedEntry": "kaltura_mm.manager",
    "ServiceForbiddenError": "kaltura_mm.errors",
    "SessionType": "kaltura_mm.enums",
    "Sleep": "kaltura_mm.runtime.effects",
    "Start": "kaltura_mm.runtime.effects",
    "Stream": "kaltura_mm.runtime.effects",
    "Timeouts": "kaltura_mm.config",
    "TransportError": "kaltura_mm.errors",
    "UnknownObjectTypeWarning": "kaltura_mm.protocol.codec",
    "UploadCancelledError": "kaltura_mm.errors",
    "UploadError": "kaltura_mm.errors",
    "UploadOptions": "kaltura_mm.upload.request",
    "UploadOutcome": "kaltura_mm.upload.result",
    "UploadProgress": "kaltura_mm.upload.result",
    "UploadRequest": "kaltura_mm.upload.request",
    "UploadResult": "kaltura_mm.upload.result",
    "UploadState": "kaltura_mm.upload.request",
    "UploadStateStore": "kaltura_mm.upload_state",
    "UploadToken": "kaltura_mm.models",
    "UploadTokenFilter": "kaltura_mm.models",
    "UploadTokenNotFoundError": "kaltura_mm.errors",
    "UploadTokenStatus": "kaltura_mm.enums",
    "UploadedFileTokenResource": "kaltura_mm.models",
    "UrlResource": "kaltura_mm.models",
    "add_to_category": "kaltura_mm.flows.entries",
    "category_tree": "kaltura_mm.flows.categories",
    "delete_entries": "kaltura_mm.flows.entries",
    "delete_where": "kaltura_mm.flows.entries",
    "detach_entries": "kaltura_mm.flows.entries",
    "detach_where": "kaltura_mm.flows.entries",
    "get_entries": "kaltura_mm.flows.entries",
    "get_entry": "kaltura_mm.flows.entries",
    "interleave": "kaltura_mm.runtime.effects",
    "list_entries": "kaltura_mm.flows.listing",
    "list_page": "kaltura_mm.flows.listing",
    "move_entries": "kaltura_mm.flows.entries",
    "resolve_category": "kaltura_mm.flows.categories",
    "resume_upload": "kaltura_mm.upload.one",
    "upload_file": "kaltura_mm.upload.one",
    "upload_many": "kaltura_mm.upload.many",
}
# Older names of the same classes: importable, not listed in ``__all__``.
_ALIASES: dict[str, str] = {
    "ActionNotAllowed": "kaltura_mm.errors",
    "AmbiguousCategory": "kaltura_mm.errors",
    "CategoryNotFound": "kaltura_mm.errors",
}

__all__ = [
    "ANY_STATUS",
    "ActionBlockedError",
    "ActionNotAllowedError",
    "AmbiguousCategoryError",
    "AnswerTimeoutError",
    "AnswerTooLargeError",
    "ApiError",
    "AsyncClient",
    "AsyncMediaManager",
    "BaseEntry",
    "BaseEntryFilter",
    "Call",
    "Category",
    "CategoryEntry",
    "CategoryEntryExistsError",
    "CategoryEntryFilter",
    "CategoryEntryStatus",
    "CategoryFilter",
    "CategoryLookupError",
    "CategoryNode",
    "CategoryNotFoundError",
    "CategoryStatus",
    "Client",
    "Config",
    "ConfigError",
    "DataEntry",
    "DependencyError",
    "DocumentEntry",
    "DocumentType",
    "Draw",
    "Emit",
    "EntryNotFoundError",
    "EntryNotInCategoryError",
    "EntryOutcome",
    "EntryQuery",
    "EntryStatus",
    "EntryType",
    "FileChangedError",
    "FilePart",
    "FixedKs",
    "Flow",
    "InvalidKsError",
    "KalturaError",
    "KsProvider",
    "ListPage",
    "ListingError",
    "LiveStreamEntry",
    "ManagerSettings",
    "MediaEntry",
    "MediaEntryFilter",
    "MediaManager",
    "MediaType",
    "MissingKsError",
    "MultiRequest",
    "MultiResponse",
    "NextDone",
    "Now",
    "Pace",
    "Pager",
    "PlaylistEntry",
    "Ref",
    "ResponseError",
    "RetryPolicy",
    "SecretKs",
    "SelectedEntry",
    "ServiceForbiddenError",
    "SessionType",
    "Sleep",
    "Start",
    "Stream",
    "Timeouts",
    "TransportError",
    "UnknownObjectTypeWarning",
    "UploadCancelledError",
    "UploadError",
    "UploadOptions",
    "UploadOutcome",
    "UploadProgress",
    "UploadRequest",
    "UploadResult",
    "UploadState",
    "UploadStateStore",
    "UploadToken",
    "UploadTokenFilter",
    "UploadTokenNotFoundError",
    "UploadTokenStatus",
    "UploadedFileTokenResource",
    "UrlResource",
    "__version__",
    "add_to_category",
    "category_tree",
    "delete_entries",
    "delete_where",
    "detach_entries",
    "detach_where",
    "get_entries",
    "get_entry",
    "interleave",
    "list_entries",
    "list_page",
    "move_entries",
    "resolve_category",
    "resume_upload",
    "upload_file",
    "upload_many",
]

if TYPE_CHECKING:
    from kaltura_mm.client import AsyncClient, Client
    from kaltura_mm.config import Config, Timeouts
    from kaltura_mm.enums import (
        CategoryEntryStatus,
        CategoryStatus,
        DocumentType,
        EntryStatus,
        EntryType,
        MediaType,
        SessionType,
        UploadTokenStatus,
    )
    from kaltura_mm.errors import (
        ActionBlockedError,
        ActionNotAllowedError,
        AmbiguousCategoryError,
        AnswerTimeoutError,
        AnswerTooLargeError,
        ApiError,
        CategoryEntryExistsError,
        CategoryLookupError,
        CategoryNotFoundError,
        ConfigError,
        DependencyError,
        EntryNotFoundError,
        EntryNotInCategoryError,
        FileChangedError,
        InvalidKsError,
        KalturaError,
        ListingError,
        MissingKsError,
        ResponseError,
        ServiceForbiddenError,
        TransportError,
        UploadCancelledError,
        UploadError,
        UploadTokenNotFoundError,
    )
    from kaltura_mm.errors import (
        ActionNotAllowed as ActionNotAllowed,
    )
    from kaltura_mm.errors import (
        AmbiguousCategory as AmbiguousCategory,
    )
    from kaltura_mm.errors import (
        CategoryNotFound as CategoryNotFound,
    )
    from kaltura_mm.flows.batch import EntryOutcome, Pace
    from kaltura_mm.flows.categories import CategoryNode, category_tree, resolve_category
    from kaltura_mm.flows.entries import (
        add_to_category,
        delete_entries,
        delete_where,
        detach_entries,
        detach_where,
        get_entries,
        get_entry,
        move_entries,
    )
    from kaltura_mm.flows.listing import list_entries, list_page
    from kaltura_mm.flows.query import ANY_STATUS, EntryQuery
    from kaltura_mm.ks import FixedKs, KsProvider, SecretKs
    from kaltura_mm.manager import (
        AsyncMediaManager,
        ManagerSettings,
        MediaManager,
        SelectedEntry,
    )
    from kaltura_mm.models import (
        BaseEntry,
        BaseEntryFilter,
        Category,
        CategoryEntry,
        CategoryEntryFilter,
        CategoryFilter,
        DataEntry,
        DocumentEntry,
        ListPage,
        MediaEntry,
        MediaEntryFilter,
        Pager,
        UploadedFileTokenResource,
        UploadToken,
        UploadTokenFilter,
        UrlResource,
    )
    from kaltura_mm.protocol.calls import Call, FilePart, MultiRequest, MultiResponse, Ref
    from kaltura_mm.protocol.codec import UnknownObjectTypeWarning
    from kaltura_mm.runtime.effects import (
        Draw,
        Emit,
        Flow,
        NextDone,
        Now,
        Sleep,
        Start,
        Stream,
        interleave,
    )
    from kaltura_mm.runtime.retry import RetryPolicy
    from kaltura_mm.upload.many import upload_many
    from kaltura_mm.upload.one import resume_upload, upload_file
    from kaltura_mm.upload.request import UploadOptions, UploadRequest, UploadState
    from kaltura_mm.upload.result import UploadOutcome, UploadProgress, UploadResult
    from kaltura_mm.upload_state import UploadStateStore


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name) or _ALIASES.get(name)
    if module is None:
        raise AttributeError(f"module 'kaltura_mm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
