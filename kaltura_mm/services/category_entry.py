"""The ``categoryEntry`` service: which entries belong to which categories."""

from __future__ import annotations

from kaltura_mm.models import CategoryEntry, CategoryEntryFilter, ListPage, Pager
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.refs import CategoryRef, EntryRef, category_id_of, entry_id_of
from kaltura_mm.services import arguments

SERVICE = "categoryEntry"


def add(entry_id: EntryRef, category_id: CategoryRef) -> Call[CategoryEntry]:
    """Build the call assigning an entry to a category; not idempotent (a second one fails)."""
    link = CategoryEntry(
        entry_id=arguments.text_id("entry_id", entry_id_of(entry_id)),
        category_id=arguments.int_id("category_id", category_id_of(category_id)),
    )
    return Call(
        service=SERVICE,
        action="add",
        params={"categoryEntry": link},
        decoder=codec.decoder_for(CategoryEntry),
        idempotent=False,
    )


def delete(entry_id: EntryRef, category_id: CategoryRef) -> Call[None]:
    """Build the call removing an entry from a category (the entry itself stays)."""
    params = {
        "entryId": arguments.text_id("entry_id", entry_id_of(entry_id)),
        "categoryId": arguments.int_id("category_id", category_id_of(category_id)),
    }
    return Call(service=SERVICE, action="delete", params=params, decoder=codec.decode_none)


def list(
    filter: CategoryEntryFilter | None = None, pager: Pager | None = None
) -> Call[ListPage[CategoryEntry]]:
    """Build the call listing memberships; filter on an entry or a category."""
    arguments.instance("filter", filter, CategoryEntryFilter)
    arguments.instance("pager", pager, Pager)
    return Call(
        service=SERVICE,
        action="list",
        params={"filter": filter, "pager": pager},
        decoder=codec.list_decoder(CategoryEntry),
    )
