"""kaltura-mm: Kaltura's Media Manager, headless.

A typed client for the Kaltura API v3 services the Media Manager widget uses (baseEntry,
uploadToken, categoryEntry, category, session), the widget's flows (upload, list, detach,
delete) without a browser, a command line and a local Kaltura-compatible sandbox.

Names are imported on first use, so ``import kaltura_mm`` stays fast.
"""

from __future__ import annotations

import typing as _typing

from kaltura_mm import lazy_import as _lazy_import

__version__ = "0.1.0"

# The one list of public names: name -> the module that defines it. ``__all__`` and ``dir()``
# come from it; type checkers read the imports under TYPE_CHECKING below, which
# tests/unit/test_public_api.py checks against it (and prints the block to paste when they differ).
_EXPORTS: dict[str, str] = {
    "ANY_STATUS": "kaltura_mm.flows.query",
    "ActionBlockedError": "kaltura_mm.errors",
    "ActionNotAllowedError": "kaltura_mm.errors",
    "AmbiguousCategoryError": "kaltura_mm.errors",
    "AnswerTimeoutError": "kaltura_mm.errors",
    "ServerSilentError": "kaltura_mm.errors",
    "AnswerTooLargeError": "kaltura_mm.errors",
    "ApiError": "kaltura_mm.errors",
    "AppToken": "kaltura_mm.models.sessions",
    "AppTokenError": "kaltura_mm.errors",
    "AppTokenFilter": "kaltura_mm.models.filters",
    "AppTokenHashType": "kaltura_mm.enums",
    "AppTokenKs": "kaltura_mm.app_token_ks",
    "AppTokenStatus": "kaltura_mm.enums",
    "AsyncClient": "kaltura_mm.client.asynchronous",
    "AsyncMediaManager": "kaltura_mm.manager",
    "BaseEntry": "kaltura_mm.models.entries",
    "BaseEntryFilter": "kaltura_mm.models.filters",
    "Call": "kaltura_mm.protocol.calls",
    "Category": "kaltura_mm.models.categories",
    "CategoryDeletion": "kaltura_mm.flows.category_changes",
    "CategoryEntry": "kaltura_mm.models.categories",
    "CategoryEntryExistsError": "kaltura_mm.errors",
    "CategoryEntryFilter": "kaltura_mm.models.filters",
    "CategoryEntryStatus": "kaltura_mm.enums",
    "CategoryFilter": "kaltura_mm.models.filters",
    "CategoryLookupError": "kaltura_mm.errors",
    "CategoryNode": "kaltura_mm.flows.categories",
    "CategoryNotFoundError": "kaltura_mm.errors",
    "CategoryStatus": "kaltura_mm.enums",
    "Client": "kaltura_mm.client.sync",
    "Config": "kaltura_mm.config",
    "ConfigError": "kaltura_mm.errors",
    "CreatedCategory": "kaltura_mm.flows.category_admin",
    "DataEntry": "kaltura_mm.models.entries",
    "DependencyError": "kaltura_mm.errors",
    "DocumentEntry": "kaltura_mm.models.entries",
    "DocumentType": "kaltura_mm.enums",
    "Draw": "kaltura_mm.runtime.effects",
    "EditOutcome": "kaltura_mm.flows.edits",
    "Emit": "kaltura_mm.runtime.effects",
    "EntryEdit": "kaltura_mm.flows.edits",
    "EntryNotFoundError": "kaltura_mm.errors",
    "EntryNotInCategoryError": "kaltura_mm.errors",
    "EntryOutcome": "kaltura_mm.flows.batch_outcomes",
    "EntryQuery": "kaltura_mm.flows.query",
    "EntryStatus": "kaltura_mm.enums",
    "EntryType": "kaltura_mm.enums",
    "FlavorAsset": "kaltura_mm.models.flavor_assets",
    "FlavorAssetFilter": "kaltura_mm.models.filters",
    "FlavorAssetStatus": "kaltura_mm.enums",
    "FieldNotWritableError": "kaltura_mm.errors",
    "FileChangedError": "kaltura_mm.errors",
    "FilePart": "kaltura_mm.protocol.calls",
    "FixedKs": "kaltura_mm.ks.providers",
    "Flow": "kaltura_mm.runtime.effects",
    "InvalidKsError": "kaltura_mm.errors",
    "KalturaError": "kaltura_mm.errors",
    "KsProvider": "kaltura_mm.ks.providers",
    "ListPage": "kaltura_mm.models.pages",
    "ListingError": "kaltura_mm.errors",
    "LiveStreamEntry": "kaltura_mm.models.entries",
    "ManagerSettings": "kaltura_mm.manager",
    "MediaEntry": "kaltura_mm.models.entries",
    "AppTokenParams": "kaltura_mm.models.sessions",
    "BaseEntryParams": "kaltura_mm.models.entries",
    "CategoryParams": "kaltura_mm.models.categories",
    "DocumentEntryParams": "kaltura_mm.models.entries",
    "MediaEntryParams": "kaltura_mm.models.entries",
    "UploadTokenParams": "kaltura_mm.models.upload_tokens",
    "UserRoleParams": "kaltura_mm.models.sessions",
    "MediaEntryFilter": "kaltura_mm.models.filters",
    "MediaManager": "kaltura_mm.manager",
    "MediaType": "kaltura_mm.enums",
    "Membership": "kaltura_mm.flows.membership",
    "MintingKsProvider": "kaltura_mm.ks.providers",
    "MissingKsError": "kaltura_mm.errors",
    "MultiRequest": "kaltura_mm.protocol.calls",
    "MultiResponse": "kaltura_mm.protocol.calls",
    "NextDone": "kaltura_mm.runtime.effects",
    "Now": "kaltura_mm.runtime.effects",
    "Pace": "kaltura_mm.flows.batch_pace",
    "Pager": "kaltura_mm.models.pages",
    "PermissionMissingError": "kaltura_mm.errors",
    "PlaylistEntry": "kaltura_mm.models.entries",
    "PruneWithheldError": "kaltura_mm.errors",
    "RecycleBinDisabledError": "kaltura_mm.errors",
    "Ref": "kaltura_mm.protocol.calls",
    "ReferenceIdNotWritableError": "kaltura_mm.errors",
    "ReplaceResult": "kaltura_mm.upload.replace_result",
    "ReplacementFailedError": "kaltura_mm.errors",
    "ReplacementStatus": "kaltura_mm.enums",
    "ReplacementTimeoutError": "kaltura_mm.errors",
    "ResponseError": "kaltura_mm.errors",
    "ResumeExpiredError": "kaltura_mm.errors",
    "RetryPolicy": "kaltura_mm.runtime.retry",
    "SecretKs": "kaltura_mm.ks.providers",
    "SelectedEntry": "kaltura_mm.manager",
    "ServiceForbiddenError": "kaltura_mm.errors",
    "SessionInfo": "kaltura_mm.models.sessions",
    "SessionType": "kaltura_mm.enums",
    "Sleep": "kaltura_mm.runtime.effects",
    "Start": "kaltura_mm.runtime.effects",
    "Stream": "kaltura_mm.runtime.effects",
    "Timeouts": "kaltura_mm.config",
    "TransportError": "kaltura_mm.errors",
    "UnknownObjectTypeWarning": "kaltura_mm.protocol.codec.decoding",
    "UploadCancelledError": "kaltura_mm.errors",
    "UploadError": "kaltura_mm.errors",
    "UploadOptions": "kaltura_mm.upload.request",
    "UploadOutcome": "kaltura_mm.upload.result",
    "UploadProgress": "kaltura_mm.upload.result",
    "UploadRequest": "kaltura_mm.upload.request",
    "UploadResult": "kaltura_mm.upload.result",
    "UploadState": "kaltura_mm.upload.request",
    "UploadStateStore": "kaltura_mm.store.uploads",
    "UploadToken": "kaltura_mm.models.upload_tokens",
    "UploadTokenFilter": "kaltura_mm.models.filters",
    "UploadTokenNotFoundError": "kaltura_mm.errors",
    "UploadTokenStatus": "kaltura_mm.enums",
    "UploadedFileTokenResource": "kaltura_mm.models.entries",
    "UrlResource": "kaltura_mm.models.entries",
    "UserRole": "kaltura_mm.models.sessions",
    "UserRoleFilter": "kaltura_mm.models.filters",
    "UserRoleStatus": "kaltura_mm.enums",
    "WaitTimeoutError": "kaltura_mm.errors",
    "add_to_category": "kaltura_mm.flows.entries.links",
    "app_token_session": "kaltura_mm.flows.app_session",
    "category_tree": "kaltura_mm.flows.categories",
    "create_categories": "kaltura_mm.flows.category_admin",
    "create_category": "kaltura_mm.flows.category_admin",
    "delete_category": "kaltura_mm.flows.category_changes",
    "delete_entries": "kaltura_mm.flows.entries.delete",
    "delete_where": "kaltura_mm.flows.entries.where",
    "detach_entries": "kaltura_mm.flows.entries.links",
    "detach_where": "kaltura_mm.flows.entries.where",
    "get_entries": "kaltura_mm.flows.entries.reads",
    "get_entries_in": "kaltura_mm.flows.entries.reads",
    "get_entry": "kaltura_mm.flows.entries.reads",
    "interleave": "kaltura_mm.runtime.effects",
    "list_entries": "kaltura_mm.flows.listing",
    "list_page": "kaltura_mm.flows.listing",
    "live_rows": "kaltura_mm.flows.listing",
    "move_category": "kaltura_mm.flows.category_changes",
    "move_entries": "kaltura_mm.flows.entries.move",
    "read_membership": "kaltura_mm.flows.membership",
    "rename_category": "kaltura_mm.flows.category_changes",
    "replace_content": "kaltura_mm.upload.replace",
    "resolve_category": "kaltura_mm.flows.categories",
    "resume_upload": "kaltura_mm.upload.one",
    "update_entries": "kaltura_mm.flows.edits",
    "upload_file": "kaltura_mm.upload.one",
    "upload_many": "kaltura_mm.upload.many",
}
# Older names of the same classes: importable, not listed in ``__all__``.
_ALIASES: dict[str, str] = {
    "ActionNotAllowed": "kaltura_mm.errors",
    "AmbiguousCategory": "kaltura_mm.errors",
    "CategoryNotFound": "kaltura_mm.errors",
}

if _typing.TYPE_CHECKING:
    # ``X as X``: an explicit re-export, which ``mypy --strict`` asks of a user's imports.
    from kaltura_mm.app_token_ks import AppTokenKs as AppTokenKs
    from kaltura_mm.client.asynchronous import AsyncClient as AsyncClient
    from kaltura_mm.client.sync import Client as Client
    from kaltura_mm.config import Config as Config
    from kaltura_mm.config import Timeouts as Timeouts
    from kaltura_mm.enums import AppTokenHashType as AppTokenHashType
    from kaltura_mm.enums import AppTokenStatus as AppTokenStatus
    from kaltura_mm.enums import CategoryEntryStatus as CategoryEntryStatus
    from kaltura_mm.enums import CategoryStatus as CategoryStatus
    from kaltura_mm.enums import DocumentType as DocumentType
    from kaltura_mm.enums import EntryStatus as EntryStatus
    from kaltura_mm.enums import EntryType as EntryType
    from kaltura_mm.enums import FlavorAssetStatus as FlavorAssetStatus
    from kaltura_mm.enums import MediaType as MediaType
    from kaltura_mm.enums import ReplacementStatus as ReplacementStatus
    from kaltura_mm.enums import SessionType as SessionType
    from kaltura_mm.enums import UploadTokenStatus as UploadTokenStatus
    from kaltura_mm.enums import UserRoleStatus as UserRoleStatus
    from kaltura_mm.errors import ActionBlockedError as ActionBlockedError
    from kaltura_mm.errors import ActionNotAllowed as ActionNotAllowed
    from kaltura_mm.errors import ActionNotAllowedError as ActionNotAllowedError
    from kaltura_mm.errors import AmbiguousCategory as AmbiguousCategory
    from kaltura_mm.errors import AmbiguousCategoryError as AmbiguousCategoryError
    from kaltura_mm.errors import AnswerTimeoutError as AnswerTimeoutError
    from kaltura_mm.errors import AnswerTooLargeError as AnswerTooLargeError
    from kaltura_mm.errors import ApiError as ApiError
    from kaltura_mm.errors import AppTokenError as AppTokenError
    from kaltura_mm.errors import CategoryEntryExistsError as CategoryEntryExistsError
    from kaltura_mm.errors import CategoryLookupError as CategoryLookupError
    from kaltura_mm.errors import CategoryNotFound as CategoryNotFound
    from kaltura_mm.errors import CategoryNotFoundError as CategoryNotFoundError
    from kaltura_mm.errors import ConfigError as ConfigError
    from kaltura_mm.errors import DependencyError as DependencyError
    from kaltura_mm.errors import EntryNotFoundError as EntryNotFoundError
    from kaltura_mm.errors import EntryNotInCategoryError as EntryNotInCategoryError
    from kaltura_mm.errors import FieldNotWritableError as FieldNotWritableError
    from kaltura_mm.errors import FileChangedError as FileChangedError
    from kaltura_mm.errors import InvalidKsError as InvalidKsError
    from kaltura_mm.errors import KalturaError as KalturaError
    from kaltura_mm.errors import ListingError as ListingError
    from kaltura_mm.errors import MissingKsError as MissingKsError
    from kaltura_mm.errors import PermissionMissingError as PermissionMissingError
    from kaltura_mm.errors import PruneWithheldError as PruneWithheldError
    from kaltura_mm.errors import RecycleBinDisabledError as RecycleBinDisabledError
    from kaltura_mm.errors import ReferenceIdNotWritableError as ReferenceIdNotWritableError
    from kaltura_mm.errors import ReplacementFailedError as ReplacementFailedError
    from kaltura_mm.errors import ReplacementTimeoutError as ReplacementTimeoutError
    from kaltura_mm.errors import ResponseError as ResponseError
    from kaltura_mm.errors import ResumeExpiredError as ResumeExpiredError
    from kaltura_mm.errors import ServerSilentError as ServerSilentError
    from kaltura_mm.errors import ServiceForbiddenError as ServiceForbiddenError
    from kaltura_mm.errors import TransportError as TransportError
    from kaltura_mm.errors import UploadCancelledError as UploadCancelledError
    from kaltura_mm.errors import UploadError as UploadError
    from kaltura_mm.errors import UploadTokenNotFoundError as UploadTokenNotFoundError
    from kaltura_mm.errors import WaitTimeoutError as WaitTimeoutError
    from kaltura_mm.flows.app_session import app_token_session as app_token_session
    from kaltura_mm.flows.batch_outcomes import EntryOutcome as EntryOutcome
    from kaltura_mm.flows.batch_pace import Pace as Pace
    from kaltura_mm.flows.categories import CategoryNode as CategoryNode
    from kaltura_mm.flows.categories import category_tree as category_tree
    from kaltura_mm.flows.categories import resolve_category as resolve_category
    from kaltura_mm.flows.category_admin import CreatedCategory as CreatedCategory
    from kaltura_mm.flows.category_admin import create_categories as create_categories
    from kaltura_mm.flows.category_admin import create_category as create_category
    from kaltura_mm.flows.category_changes import CategoryDeletion as CategoryDeletion
    from kaltura_mm.flows.category_changes import delete_category as delete_category
    from kaltura_mm.flows.category_changes import move_category as move_category
    from kaltura_mm.flows.category_changes import rename_category as rename_category
    from kaltura_mm.flows.edits import EditOutcome as EditOutcome
    from kaltura_mm.flows.edits import EntryEdit as EntryEdit
    from kaltura_mm.flows.edits import update_entries as update_entries
    from kaltura_mm.flows.entries.delete import delete_entries as delete_entries
    from kaltura_mm.flows.entries.links import add_to_category as add_to_category
    from kaltura_mm.flows.entries.links import detach_entries as detach_entries
    from kaltura_mm.flows.entries.move import move_entries as move_entries
    from kaltura_mm.flows.entries.reads import get_entries as get_entries
    from kaltura_mm.flows.entries.reads import get_entries_in as get_entries_in
    from kaltura_mm.flows.entries.reads import get_entry as get_entry
    from kaltura_mm.flows.entries.where import delete_where as delete_where
    from kaltura_mm.flows.entries.where import detach_where as detach_where
    from kaltura_mm.flows.listing import list_entries as list_entries
    from kaltura_mm.flows.listing import list_page as list_page
    from kaltura_mm.flows.listing import live_rows as live_rows
    from kaltura_mm.flows.membership import Membership as Membership
    from kaltura_mm.flows.membership import read_membership as read_membership
    from kaltura_mm.flows.query import ANY_STATUS as ANY_STATUS
    from kaltura_mm.flows.query import EntryQuery as EntryQuery
    from kaltura_mm.ks.providers import FixedKs as FixedKs
    from kaltura_mm.ks.providers import KsProvider as KsProvider
    from kaltura_mm.ks.providers import MintingKsProvider as MintingKsProvider
    from kaltura_mm.ks.providers import SecretKs as SecretKs
    from kaltura_mm.manager import AsyncMediaManager as AsyncMediaManager
    from kaltura_mm.manager import ManagerSettings as ManagerSettings
    from kaltura_mm.manager import MediaManager as MediaManager
    from kaltura_mm.manager import SelectedEntry as SelectedEntry
    from kaltura_mm.models.categories import Category as Category
    from kaltura_mm.models.categories import CategoryEntry as CategoryEntry
    from kaltura_mm.models.categories import CategoryParams as CategoryParams
    from kaltura_mm.models.entries import BaseEntry as BaseEntry
    from kaltura_mm.models.entries import BaseEntryParams as BaseEntryParams
    from kaltura_mm.models.entries import DataEntry as DataEntry
    from kaltura_mm.models.entries import DocumentEntry as DocumentEntry
    from kaltura_mm.models.entries import DocumentEntryParams as DocumentEntryParams
    from kaltura_mm.models.entries import LiveStreamEntry as LiveStreamEntry
    from kaltura_mm.models.entries import MediaEntry as MediaEntry
    from kaltura_mm.models.entries import MediaEntryParams as MediaEntryParams
    from kaltura_mm.models.entries import PlaylistEntry as PlaylistEntry
    from kaltura_mm.models.entries import UploadedFileTokenResource as UploadedFileTokenResource
    from kaltura_mm.models.entries import UrlResource as UrlResource
    from kaltura_mm.models.filters import AppTokenFilter as AppTokenFilter
    from kaltura_mm.models.filters import BaseEntryFilter as BaseEntryFilter
    from kaltura_mm.models.filters import CategoryEntryFilter as CategoryEntryFilter
    from kaltura_mm.models.filters import CategoryFilter as CategoryFilter
    from kaltura_mm.models.filters import FlavorAssetFilter as FlavorAssetFilter
    from kaltura_mm.models.filters import MediaEntryFilter as MediaEntryFilter
    from kaltura_mm.models.filters import UploadTokenFilter as UploadTokenFilter
    from kaltura_mm.models.filters import UserRoleFilter as UserRoleFilter
    from kaltura_mm.models.flavor_assets import FlavorAsset as FlavorAsset
    from kaltura_mm.models.pages import ListPage as ListPage
    from kaltura_mm.models.pages import Pager as Pager
    from kaltura_mm.models.sessions import AppToken as AppToken
    from kaltura_mm.models.sessions import AppTokenParams as AppTokenParams
    from kaltura_mm.models.sessions import SessionInfo as SessionInfo
    from kaltura_mm.models.sessions import UserRole as UserRole
    from kaltura_mm.models.sessions import UserRoleParams as UserRoleParams
    from kaltura_mm.models.upload_tokens import UploadToken as UploadToken
    from kaltura_mm.models.upload_tokens import UploadTokenParams as UploadTokenParams
    from kaltura_mm.protocol.calls import Call as Call
    from kaltura_mm.protocol.calls import FilePart as FilePart
    from kaltura_mm.protocol.calls import MultiRequest as MultiRequest
    from kaltura_mm.protocol.calls import MultiResponse as MultiResponse
    from kaltura_mm.protocol.calls import Ref as Ref
    from kaltura_mm.protocol.codec.decoding import (
        UnknownObjectTypeWarning as UnknownObjectTypeWarning,
    )
    from kaltura_mm.runtime.effects import Draw as Draw
    from kaltura_mm.runtime.effects import Emit as Emit
    from kaltura_mm.runtime.effects import Flow as Flow
    from kaltura_mm.runtime.effects import NextDone as NextDone
    from kaltura_mm.runtime.effects import Now as Now
    from kaltura_mm.runtime.effects import Sleep as Sleep
    from kaltura_mm.runtime.effects import Start as Start
    from kaltura_mm.runtime.effects import Stream as Stream
    from kaltura_mm.runtime.effects import interleave as interleave
    from kaltura_mm.runtime.retry import RetryPolicy as RetryPolicy
    from kaltura_mm.store.uploads import UploadStateStore as UploadStateStore
    from kaltura_mm.upload.many import upload_many as upload_many
    from kaltura_mm.upload.one import resume_upload as resume_upload
    from kaltura_mm.upload.one import upload_file as upload_file
    from kaltura_mm.upload.replace import replace_content as replace_content
    from kaltura_mm.upload.replace_result import ReplaceResult as ReplaceResult
    from kaltura_mm.upload.request import UploadOptions as UploadOptions
    from kaltura_mm.upload.request import UploadRequest as UploadRequest
    from kaltura_mm.upload.request import UploadState as UploadState
    from kaltura_mm.upload.result import UploadOutcome as UploadOutcome
    from kaltura_mm.upload.result import UploadProgress as UploadProgress
    from kaltura_mm.upload.result import UploadResult as UploadResult
else:
    __all__, __getattr__, __dir__ = _lazy_import.exports(
        __name__, _EXPORTS, aliases=_ALIASES, eager=["__version__"]
    )
