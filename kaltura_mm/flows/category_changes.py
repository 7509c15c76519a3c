"""Rename, move and delete categories (creating them is ``kaltura_mm.flows.category_admin``).

Rules kept here:

1. A rename or a move is one ``category.update``; the server moves the sub-categories' paths in a
   batch job, and locks categories while a move's job is pending: ``CATEGORIES_LOCKED`` is
   waited out with backoff (``wait_for_index`` seconds at most), then reported naming the cause.
2. ``delete_category`` refuses a category holding entries or sub-categories unless ``force``;
   the refusal says what deleting would do to them (sub-categories are deleted with it; entries
   are never deleted: they move to the parent, or lose the category at the top level).
"""

from __future__ import annotations

import contextlib

import attrs

from kaltura_mm.errors import CategoryNotFoundError, ConfigError
from kaltura_mm.flows.categories import PATH_SEPARATOR, resolve_category
from kaltura_mm.flows.category_admin import (
    WAIT_FOR_INDEX,
    stored_name,
    while_locked,
)
from kaltura_mm.models import Category, CategoryParams
from kaltura_mm.refs import CategoryOrPath
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import category


def _updated(category_id: int, change: CategoryParams, what: str, wait: float) -> Flow[Category]:
    """Send ``category.update``, waiting out ``CATEGORIES_LOCKED`` (rule 4)."""

    def update() -> Flow[Category]:
        done: Category = yield category.update(category_id, change)
        return done

    return (yield from while_locked(update, what, wait))


def rename_category(
    id_or_path: CategoryOrPath, new_name: str, *, wait_for_index: float = WAIT_FOR_INDEX
) -> Flow[Category]:
    """Rename a category (its sub-categories' full names follow in a server batch job)."""
    name = stored_name(new_name)
    if not name or PATH_SEPARATOR in new_name:
        raise ConfigError(
            f"new name {new_name!r} is not a name: give one level's name, such as 'Bio 102' "
            "(to move a category use move_category)"
        )
    current = yield from resolve_category(id_or_path)
    if current.name == name:
        return current
    change = CategoryParams(name=name)
    return (yield from _updated(current.id, change, current.full_name, wait_for_index))


def move_category(
    id_or_path: CategoryOrPath,
    new_parent: CategoryOrPath | None,
    *,
    wait_for_index: float = WAIT_FOR_INDEX,
) -> Flow[Category]:
    """Move a category under ``new_parent`` (id or path; None: to the top level)."""
    current = yield from resolve_category(id_or_path)
    parent_id = 0
    if new_parent is not None:
        parent_id = (yield from resolve_category(new_parent)).id
    if parent_id == current.parent_id:
        return current
    change = CategoryParams(parent_id=parent_id)
    return (yield from _updated(current.id, change, current.full_name, wait_for_index))


@attrs.frozen
class CategoryDeletion:
    """What deleting a category does: its sub-categories go with it; its entries stay.

    ``moved_to`` is the parent the entries move to (None: they only lose the categories).
    """

    category: Category
    entries: int
    direct_entries: int
    sub_categories: int
    moved_to: Category | None

    @property
    def empty(self) -> bool:
        """Return whether the category holds no entry and no sub-category."""
        return not (self.entries or self.sub_categories)

    def describe(self, *, done: bool = False) -> str:
        """Return what deleting does (or, ``done``, did), in one sentence."""
        name = self.category.full_name
        held = f"{self.entries} entries ({self.direct_entries} directly in it)"
        subs = f"{self.sub_categories} sub-categories (deleted with it, with theirs)"
        move, lose, has = ("moved", "lost", "held") if done else ("move", "only lose", "holds")
        fate = (
            f"the entries {move} to {self.moved_to.full_name} (id {self.moved_to.id})"
            if self.moved_to is not None
            else f"the entries {lose} these categories"
        )
        none = "none was deleted" if done else "none is deleted"
        return f"{name} {has} {held} and {subs}; {fate}, {none}"


def delete_category(
    id_or_path: CategoryOrPath,
    *,
    force: bool = False,
    move_entries_to_parent: bool = True,
    dry_run: bool = False,
) -> Flow[CategoryDeletion]:
    """Delete a category and its sub-categories (rule 5); return what it held and where it went.

    A category holding entries or sub-categories is refused unless ``force``; ``dry_run``
    returns the same account and changes nothing. A category already gone is
    ``CategoryNotFoundError``.
    """
    current = yield from resolve_category(id_or_path)
    fate = yield from _deletion(current, move_entries_to_parent)
    if dry_run:
        return fate
    if not fate.empty and not force:
        raise ConfigError(
            f"category {fate.describe()}: pass force=True (kaltura-mm: --force) to delete it"
        )

    def delete() -> Flow[CategoryDeletion]:
        with contextlib.suppress(CategoryNotFoundError):  # a retried delete whose first try ran
            yield category.delete(current.id, move_entries_to_parent)
        return fate

    return (yield from while_locked(delete, current.full_name, WAIT_FOR_INDEX))


def _deletion(current: Category, move_up: bool) -> Flow[CategoryDeletion]:
    fresh: Category = yield category.get(current.id)  # counters as they are now
    parent: Category | None = None
    if move_up and fresh.parent_id:
        parent = yield category.get(fresh.parent_id)
    return CategoryDeletion(
        category=fresh,
        entries=fresh.entries_count or 0,
        direct_entries=fresh.direct_entries_count or 0,
        sub_categories=fresh.direct_sub_categories_count or 0,
        moved_to=parent,
    )
