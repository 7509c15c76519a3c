"""The ``baseEntry`` service: entries of every type (media, documents...)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence

from kaltura_mm.models import (
    BaseEntry,
    BaseEntryFilter,
    BaseEntryParams,
    EntryType,
    ListPage,
    Pager,
    Resource,
    UploadedFileTokenResource,
    UrlResource,
)
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.refs import EntryRef, entry_id_of
from kaltura_mm.services import arguments

SERVICE = "baseEntry"
_RESOURCES = (UploadedFileTokenResource, UrlResource)


def add(entry: BaseEntryParams, type: EntryType | None = None) -> Call[BaseEntry]:
    """Build the call creating ``entry`` (``MediaEntryParams``, ``DocumentEntryParams``...: its
    type); read-only fields of a returned entry given here are not sent. Not idempotent."""
    arguments.instance("entry", entry, BaseEntryParams)
    params = {"entry": entry, "type": type}
    return Call(
        service=SERVICE,
        action="add",
        params=params,
        decoder=codec.decoder_for(BaseEntry),
        idempotent=False,
    )


def get(entry_id: EntryRef, version: int | None = None) -> Call[BaseEntry]:
    """Build the call fetching one entry (``EntryNotFoundError`` if missing or deleted)."""
    params = {"entryId": arguments.text_id("entry_id", entry_id_of(entry_id)), "version": version}
    return Call(service=SERVICE, action="get", params=params, decoder=codec.decoder_for(BaseEntry))


def get_by_ids(entry_ids: Sequence[str]) -> Call[builtins.list[BaseEntry]]:
    """Build the call fetching several entries at once; unknown ids are skipped."""
    params = {"entryIds": arguments.id_list("entry_ids", entry_ids)}
    return Call(
        service=SERVICE,
        action="getByIds",
        params=params,
        decoder=codec.array_decoder(BaseEntry),
    )


def list(
    filter: BaseEntryFilter | None = None, pager: Pager | None = None
) -> Call[ListPage[BaseEntry]]:
    """Build the call listing entries (only READY ones unless the filter sets a status)."""
    arguments.instance("filter", filter, BaseEntryFilter)
    arguments.instance("pager", pager, Pager)
    return Call(
        service=SERVICE,
        action="list",
        params={"filter": filter, "pager": pager},
        decoder=codec.list_decoder(BaseEntry),
    )


def count(filter: BaseEntryFilter | None = None) -> Call[int]:
    """Build the call counting the entries ``filter`` matches (the search index's count)."""
    arguments.instance("filter", filter, BaseEntryFilter)
    return Call(
        service=SERVICE, action="count", params={"filter": filter}, decoder=codec.decode_int
    )


def update(
    entry_id: EntryRef, entry: BaseEntryParams, clear: Iterable[str] = ()
) -> Call[BaseEntry]:
    """Build the call changing the set fields of ``entry``; ``clear`` names fields to empty."""
    arguments.instance("entry", entry, BaseEntryParams)
    params = {
        "entryId": arguments.text_id("entry_id", entry_id_of(entry_id)),
        "baseEntry": codec.encode_object(entry, clear=clear),
    }
    return Call(
        service=SERVICE, action="update", params=params, decoder=codec.decoder_for(BaseEntry)
    )


def add_content(entry_id: EntryRef, resource: Resource) -> Call[BaseEntry]:
    """Build the call attaching content (an upload token, a URL) to an entry without content."""
    arguments.instance("resource", resource, _RESOURCES)
    params = {"entryId": arguments.text_id("entry_id", entry_id_of(entry_id)), "resource": resource}
    return Call(
        service=SERVICE,
        action="addContent",
        params=params,
        decoder=codec.decoder_for(BaseEntry),
        idempotent=False,
    )


def update_content(
    entry_id: EntryRef, resource: Resource, conversion_profile_id: int | None = None
) -> Call[BaseEntry]:
    """Build the call replacing an entry's content (attached directly if it has none)."""
    arguments.instance("resource", resource, _RESOURCES)
    params = {
        "entryId": arguments.text_id("entry_id", entry_id_of(entry_id)),
        "resource": resource,
        "conversionProfileId": conversion_profile_id,
    }
    return Call(
        service=SERVICE,
        action="updateContent",
        params=params,
        decoder=codec.decoder_for(BaseEntry),
        idempotent=False,
    )


def delete(entry_id: EntryRef) -> Call[None]:
    """Build the call deleting an entry (a second delete answers ``EntryNotFoundError``)."""
    params = {"entryId": arguments.text_id("entry_id", entry_id_of(entry_id))}
    return Call(service=SERVICE, action="delete", params=params, decoder=codec.decode_none)


def recycle(entry_id: EntryRef) -> Call[BaseEntry]:
    """Build the call moving an entry to the recycle bin (``displayInSearch`` -2): lists leave it
    out, its category links stay, ``restore_recycled`` brings it back. ``RecycleBinDisabledError``
    when the account has no bin; ``INVALID_ENTRY_STATUS_FOR_RECYCLE`` when it is there already."""
    params = {"entryId": arguments.text_id("entry_id", entry_id_of(entry_id))}
    return Call(
        service=SERVICE, action="recycle", params=params, decoder=codec.decoder_for(BaseEntry)
    )


def restore_recycled(entry_id: EntryRef) -> Call[BaseEntry]:
    """Build the call bringing an entry back from the recycle bin
    (``INVALID_ENTRY_STATUS_FOR_RESTORE`` when it is not there)."""
    params = {"entryId": arguments.text_id("entry_id", entry_id_of(entry_id))}
    return Call(
        service=SERVICE,
        action="restoreRecycled",
        params=params,
        decoder=codec.decoder_for(BaseEntry),
    )
