"""The sync's category and what is below it, as a plan names them: ``Place`` values found by id
or by full path, and the refusal of a category outside it."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from kaltura_mm.errors import ConfigError
from kaltura_mm.flows.categories import PATH_SEPARATOR
from kaltura_mm.flows.category_admin import stored_name
from kaltura_mm.sync.model import Place
from kaltura_mm.sync.server import ServerView
from kaltura_mm.sync.source import SyncItem


@attrs.frozen
class Scope:
    """The scope's categories, for resolving what an item names."""

    top: Place
    by_name: Mapping[str, Place]
    by_id: Mapping[int, Place]

    def place(self, ref: str, item: SyncItem) -> Place:
        """Return the category ``ref`` (an id or a full path) names; refuse one outside."""
        text = ref.strip()
        if text.isdigit():
            found = self.by_id.get(int(text))
            if found is None:
                raise ConfigError(
                    f"{item.where()}: category {text} is not {self.top.full_name} or below it: "
                    "a sync keeps only its own category in step"
                )
            return found
        path = PATH_SEPARATOR.join(stored_name(p) for p in text.split(PATH_SEPARATOR))
        top = self.top.full_name
        if path.casefold() != top.casefold() and not path.casefold().startswith(
            top.casefold() + PATH_SEPARATOR
        ):
            raise ConfigError(
                f"{item.where()}: category {path!r} is outside {top!r}: name categories by their "
                f"full path, inside the sync's category (such as '{top}>Week 1')"
            )
        return self.by_name.get(path.casefold(), Place(path))


def scope_of(view: ServerView, scope_name: str) -> Scope:
    if view.scope is None:
        return Scope(Place(scope_name), {}, {})
    places = {c.id: Place(c.full_name, c.id) for c in view.tree.values()}
    top = places[view.scope.id]
    return Scope(top, {p.full_name.casefold(): p for p in places.values()}, places)
