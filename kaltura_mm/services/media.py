"""The ``media`` service, for what ``baseEntry`` lacks: approving or cancelling a pending content
replacement (``approveReplace``/``cancelReplace`` are ``media`` actions, not ``baseEntry`` ones)."""

from __future__ import annotations

from kaltura_mm.models import BaseEntry
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.refs import EntryRef, entry_id_of
from kaltura_mm.services import arguments

SERVICE = "media"


def cancel_replace(entry_id: EntryRef) -> Call[BaseEntry]:
    """Build the call dropping a media entry's pending replacement (its temporary entry is
    deleted; the entry keeps the content it had). Harmless without one pending."""
    params = {"entryId": arguments.text_id("entry_id", entry_id_of(entry_id))}
    return Call(
        service=SERVICE, action="cancelReplace", params=params, decoder=codec.decoder_for(BaseEntry)
    )


def approve_replace(entry_id: EntryRef) -> Call[BaseEntry]:
    """Build the call approving a media entry's pending replacement (partners with
    ``FEATURE_ENTRY_REPLACEMENT_APPROVAL``): swapped in now if the new content is ready, else
    when it is. Without approval required it does nothing; on no (or a FAILED) replacement the
    server answers ``ENTRY_ID_NOT_REPLACED``."""
    params = {"entryId": arguments.text_id("entry_id", entry_id_of(entry_id))}
    return Call(
        service=SERVICE,
        action="approveReplace",
        params=params,
        decoder=codec.decoder_for(BaseEntry),
    )
