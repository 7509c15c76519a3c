"""Another user at work: a scenario's background moves, through the same actions as requests.

A walk over a category is only interesting while someone else changes it; these moves run the
model's own action code (so they reach the store and, late, the index, like any request), as an
admin of the partner, outside the driver's network.
"""

from __future__ import annotations

from simulation.model import categories, entries, flavors
from simulation.model.actions import Ctx
from simulation.model.ks import VerifiedKs
from simulation.model.records import MEDIA_CLIP, NO_CONTENT, VIDEO, Entry
from simulation.model.state import State


class Admin:
    """Change a partner's entries as its admin would."""

    def __init__(self, state: State, partner_id: int) -> None:
        self.state, self.partner_id = state, partner_id

    def _ctx(self, **args: object) -> Ctx:
        session = VerifiedKs(self.partner_id, 2**31, 2, "background-admin")
        return Ctx(self.state, "admin", "admin", self.partner_id, session, dict(args))

    def delete_entry(self, entry_id: str) -> None:
        """Delete an entry if it still lives."""
        entry = self.state.entries.get(entry_id)
        if entry is not None and entry.status != 3:
            entries.delete(self._ctx(entryId=entry_id))

    def detach(self, entry_id: str, category_id: int) -> None:
        """Unlink an entry from a category if it is linked."""
        if category_id in self.state.category_rows.get(entry_id, {}):
            categories.entry_delete(self._ctx(entryId=entry_id, categoryId=category_id))

    def add_ready_entry(self, name: str, content: bytes, category_id: int) -> str:
        """Create an entry whose content is ready at once, in a category; return its id."""
        state, now = self.state, int(self.state.now())
        entry = Entry(
            state.mint_entry_id(),
            state.mint_int_id(),
            self.partner_id,
            "background-admin",
            name,
            MEDIA_CLIP,
            NO_CONTENT,
            now,
            now,
            media_type=VIDEO,
            content=content,
        )
        state.start_transcoding(entry)
        flavors.seeded(state, entry)
        state.write_entry(entry)
        categories.link(self._ctx(), entry, state.categories[category_id])
        return entry.id
