"""Get, detach, delete, add and move entries in batches, with a per-entry outcome for each.

Batches, pacing and throttling are the batch engine's (``kaltura_mm.flows.batch``). Rules kept
here:

1. Idempotent outcomes: ``ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY`` on detach and
   ``CATEGORY_ENTRY_ALREADY_EXISTS`` on add are "already_done"; ``ENTRY_ID_NOT_FOUND`` on delete is
   "already_done" when the entry is known to have existed (listed by ``delete_where``) or an
   earlier attempt may have reached the server, else "failed" (the id may never have existed).
   Detach checks the entries it found not assigned: a missing entry is "failed", not "done".
2. Move adds to the target first and detaches from the source only the entries now in the
   target, so an entry is never left in neither category.
3. Who is in a category is read from ``categoryEntry.list`` (``kaltura_mm.flows.membership``),
   never from an entry's ``categoriesIds`` (which leaves out every category with a privacy
   context), in the request that checks the category exists: detach sends only the entries
   linked to the category, add only those not ACTIVE in it, move both; the others are
   ``already_done`` without a write. A link made or removed between the read and the write is
   still settled by the write's own answer (rule 1).
4. The reads around a batch (the category's existence, detach's check, ``*_where``'s pages) are
   sent ``patiently`` (``kaltura_mm.runtime.patience``): an outage longer than the client's own
   retries costs time, not work already done.

One module per job: ``reads`` (``get_entry``, ``get_entries``, ``get_entries_in``), ``verdicts``
(what an answer means for an entry: rule 1), ``links`` (``detach_entries``, ``add_to_category``:
rule 3), ``move`` (``move_entries``: rule 2), ``delete`` (``delete_entries``) and ``where``
(``detach_where``, ``delete_where``: by a query, page by page). Every name is importable from
``kaltura_mm.flows.entries`` as before the split.
"""

from kaltura_mm.flows.entries.delete import delete_entries
from kaltura_mm.flows.entries.links import add_to_category, detach_entries
from kaltura_mm.flows.entries.move import move_entries
from kaltura_mm.flows.entries.reads import GET_CHUNK, get_entries, get_entries_in, get_entry
from kaltura_mm.flows.entries.where import delete_where, detach_where

__all__ = [
    "GET_CHUNK",
    "add_to_category",
    "delete_entries",
    "delete_where",
    "detach_entries",
    "detach_where",
    "get_entries",
    "get_entries_in",
    "get_entry",
    "move_entries",
]
