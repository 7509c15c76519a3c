"""What a verb takes for an entry or a category: its id, or the object the server returned.

``client.detach([entry], category)`` and ``client.delete(entry)`` read the ids off the objects,
so a script never unpacks ``entry.id`` itself. A single string is still refused where a list of
ids is wanted (``"0_abc"`` is also a list of characters); a single entry object is not ambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable

from kaltura_mm.models import BaseEntry, Category

EntryRef = str | BaseEntry
"""An entry: its id, or the entry itself."""
EntriesRef = Iterable[str | BaseEntry] | BaseEntry
"""Entries: ids or entries, or one entry."""
CategoryRef = int | Category
"""A category: its id, or the category itself."""
CategoryOrPath = int | str | Category
"""A category: its id, its full path (``"Root>Lectures"``), or the category itself."""


def entry_id_of(entry: EntryRef) -> str:
    """Return the id of an entry given by id or as an object."""
    return entry.id if isinstance(entry, BaseEntry) else entry


def entry_ids_of(entries: EntriesRef) -> Iterable[str]:
    """Return the ids of entries given by id or as objects (a string is left for the caller to
    refuse)."""
    if isinstance(entries, BaseEntry):
        return (entries.id,)
    if isinstance(entries, str):
        return entries
    return [entry_id_of(entry) for entry in entries]


def category_id_of(category: CategoryRef) -> int:
    """Return the id of a category given by id or as an object."""
    return category.id if isinstance(category, Category) else category
