"""Entries read by id: one, many (``getByIds``, 500 ids a call, one multiRequest), or many with
their links to some categories in the same requests (``kaltura_mm.flows.membership``)."""

from __future__ import annotations

from collections.abc import Iterable

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.membership import Membership, read_membership_with
from kaltura_mm.models import BaseEntry
from kaltura_mm.protocol.calls import Call, MultiRequest, MultiResponse
from kaltura_mm.refs import EntriesRef, EntryRef, entry_id_of, entry_ids_of
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.patience import patiently
from kaltura_mm.services import base_entry

GET_CHUNK = 500  # ids per getByIds call


def unique_ids(entries: EntriesRef) -> list[str]:
    """Return the distinct entry ids of ``entries``, in order; a bad id is a ``ConfigError``."""
    entry_ids = entry_ids_of(entries)
    if isinstance(entry_ids, str):
        raise ConfigError(
            f"entry_ids must be a list of ids such as ['0_abc12345'], got {entry_ids!r}"
        )
    ids = list(dict.fromkeys(entry_ids))
    bad = [i for i in ids if not isinstance(i, str) or not i.strip()]
    if bad:
        raise ConfigError(
            f"entry ids must be non-empty strings such as '0_abc12345', got {bad[:3]}"
        )
    return ids


def get_entry(entry_id: EntryRef) -> Flow[BaseEntry]:
    """Return one entry (by id, or fresh for an entry), typed by kind (``EntryNotFoundError``
    if missing or deleted)."""
    entry: BaseEntry = yield base_entry.get(entry_id_of(entry_id))
    return entry


def get_entries(entry_ids: Iterable[str]) -> Flow[dict[str, BaseEntry]]:
    """Return the entries that exist among ``entry_ids``, by id in the order asked.

    One multiRequest of ``getByIds`` calls of up to 500 ids; missing ids are simply absent.
    """
    ids = unique_ids(entry_ids)
    if not ids:
        return {}
    request = MultiRequest()
    refs = [request.add(call) for call in _by_ids(ids)]
    answer: MultiResponse = yield from patiently(request)
    return _found(ids, [answer[ref] for ref in refs])


def _by_ids(ids: list[str]) -> list[Call[list[BaseEntry]]]:
    return [base_entry.get_by_ids(ids[i : i + GET_CHUNK]) for i in range(0, len(ids), GET_CHUNK)]


def _found(ids: list[str], answers: Iterable[list[BaseEntry]]) -> dict[str, BaseEntry]:
    found = {entry.id: entry for answer in answers for entry in answer if entry.id}
    return {i: found[i] for i in ids if i in found}


def get_entries_in(
    entry_ids: Iterable[str], category_ids: Iterable[int]
) -> Flow[tuple[dict[str, BaseEntry], Membership]]:
    """Return the entries that exist among ``entry_ids`` (as ``get_entries``) and their links to
    ``category_ids`` (``kaltura_mm.flows.membership``), read in the same requests."""
    ids = unique_ids(entry_ids)
    if not ids:
        return {}, Membership()
    membership, answers = yield from read_membership_with(ids, category_ids, _by_ids(ids))
    return _found(ids, answers), membership
