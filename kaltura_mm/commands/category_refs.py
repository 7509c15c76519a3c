"""Categories named on the command line, found even while the search index lags.

A category is found by id (exact), or by full path through ``category.list``, which reads the
search index: a category made a moment ago (``categories create``, ``--create-categories``) is
not listed yet, for seconds on the sandbox and minutes on a busy server. The ids of the
categories kaltura-mm made are kept in the state database (``categories``), so a path it does
not find listed is looked up there and read by id. ``--create-categories`` makes the missing
ones (every level) and keeps their ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kaltura_mm.commands.context import AppContext
from kaltura_mm.commands.params import category_ref
from kaltura_mm.commands.store_option import has_state, open_state
from kaltura_mm.errors import CategoryNotFoundError
from kaltura_mm.flows.categories import normalize_path, resolve_category
from kaltura_mm.flows.category_admin import create_categories
from kaltura_mm.models import Category
from kaltura_mm.services import category
from kaltura_mm.store import state_dir

if TYPE_CHECKING:
    from kaltura_mm.store.sync_state import KnownCategories


def resolve(state: AppContext, ref: str, root: Path | None = None) -> Category:
    """Return the category ``ref`` (an id or a full path) names; made ones found at once."""
    client = state.client()
    value = category_ref(ref)
    try:
        found: Category = client.run(resolve_category(value))
        return found
    except CategoryNotFoundError:
        if isinstance(value, int):
            raise
        made = _made_id(state, value, root)
        if made is None:
            raise
    try:
        known: Category | None = client.call(category.get(made))
    except CategoryNotFoundError:
        known = None
    if known is None or known.full_name.casefold() != normalize_path(value).casefold():
        raise CategoryNotFoundError.lookup(
            f"no category has the full path {value!r} (levels separated by '>')",
            value,
        )
    return known


def _made_id(state: AppContext, path: str, root: Path | None) -> int | None:
    where = state_dir(root, state.env)
    if not has_state(where, state.env):
        return None  # nothing was ever made from this state directory
    known = _known(state, where).all()
    wanted = normalize_path(path).casefold()
    return next((i for name, i in known.items() if name.casefold() == wanted), None)


def create(state: AppContext, refs: Iterable[str], root: Path | None = None) -> dict[str, int]:
    """Return the ids of ``refs``: ids as given, paths made (every missing level) if needed."""
    named = list(dict.fromkeys(refs))
    ids = {r: v for r in named if isinstance(v := category_ref(r), int)}
    paths = [r for r in named if r not in ids]
    if not paths:
        return ids
    store = _known(state, state_dir(root, state.env))
    made = state.client().run(create_categories(paths, known=store.all()))
    for outcome in made.values():
        for level in (*outcome.created, outcome.category):
            store.save(level.full_name, level.id)
    return {**ids, **{p: made[normalize_path(p)].category.id for p in paths}}


def _known(state: AppContext, where: Path) -> KnownCategories:
    """Return the table of the categories kaltura-mm made, kept in the state of ``where``."""
    # Imported here: its module loads the whole sync package (0.2 s), which every ``upload``
    # paid though only a category the index does not list yet, or one to make, needs it.
    from kaltura_mm.store.sync_state import KnownCategories

    return KnownCategories(open_state(where, state.env), state.target())
