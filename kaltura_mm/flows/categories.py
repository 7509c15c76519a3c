"""Find categories by id or full path (``Root>Courses>Bio 101``) and read a category tree.

Every read here is sent ``patiently`` (``kaltura_mm.runtime.patience``): an outage longer than
the client's own retries costs time, not the lookup.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from kaltura_mm.errors import AmbiguousCategoryError, CategoryNotFoundError, ConfigError
from kaltura_mm.models import Category, CategoryFilter, ListPage, Pager
from kaltura_mm.refs import CategoryOrPath
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.patience import patiently
from kaltura_mm.services import category

PATH_SEPARATOR = ">"
_MAX_CANDIDATES = 10


def normalize_path(path: str) -> str:
    """Return ``path`` with the spaces around each ``>`` removed; refuse empty segments."""
    parts = [part.strip() for part in path.split(PATH_SEPARATOR)]
    if not all(parts):
        raise ConfigError(
            f"category path {path!r} has an empty segment: write it as 'Root>Courses>Bio 101'"
        )
    return PATH_SEPARATOR.join(parts)


def resolve_category(id_or_path: CategoryOrPath) -> Flow[Category]:
    """Return the category with this id, full path (``Root>Courses``) or unique name; a
    ``Category`` as it is (already resolved)."""
    if isinstance(id_or_path, Category):
        return id_or_path
    if isinstance(id_or_path, bool) or not isinstance(id_or_path, int | str):
        raise ConfigError(
            f"a category is named by an integer id or a path such as 'Root>Courses', "
            f"got {type(id_or_path).__name__}"
        )
    if isinstance(id_or_path, int) or id_or_path.strip().isdigit():
        return (yield from _by_id(int(id_or_path)))
    path = normalize_path(id_or_path)
    page: ListPage[Category] = yield from patiently(
        category.list(CategoryFilter(full_name_equal=path), Pager(page_size=_MAX_CANDIDATES))
    )
    exact = _same_path(page.objects, path)
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise AmbiguousCategoryError(f"{len(exact)} categories have the path {path!r}", path, exact)
    return (yield from _by_name(path))


def _same_path(found: Sequence[Category], path: str) -> list[Category]:
    """Return the categories of ``found`` whose full path is ``path``: letter case does not
    count (the server compares paths case-insensitively)."""
    wanted = path.casefold()
    return [c for c in found if c.full_name.casefold() == wanted]


# What the server answers alike for a category that exists: on an account with entitlement
# (MediaSpace/KMS), one in a privacy context is CATEGORY_NOT_FOUND to a session without it.
_HIDDEN = (
    "hidden from this session: on an account with entitlement (MediaSpace/KMS) a category in a "
    "privacy context is seen only by a session with privacycontext:<context> or "
    "disableentitlement (docs/least-privilege.md)"
)


def _by_id(category_id: int) -> Flow[Category]:
    try:
        found: Category = yield from patiently(category.get(category_id))
    except CategoryNotFoundError:
        raise CategoryNotFoundError.lookup(
            f"no category has id {category_id} (or it was deleted, {_HIDDEN}): check the id, "
            "or pass the full path such as 'Root>Courses'",
            str(category_id),
        ) from None
    return found


def _by_name(path: str) -> Flow[Category]:
    """Find ``path``'s last segment as a name anywhere; unique wins, else list candidates."""
    name = path.rsplit(PATH_SEPARATOR, 1)[-1]
    page: ListPage[Category] = yield from patiently(
        category.list(CategoryFilter(free_text=name, order_by="+fullName"), Pager(page_size=100))
    )
    # Found by name with the very path asked: the path filter read a lagging index (a category
    # just moved or renamed), but the objects a list returns are read from the database.
    exact = _same_path(page.objects, path)
    if len(exact) == 1:
        return exact[0]
    same_name = [c for c in page.objects if c.name.casefold() == name.casefold()]
    if PATH_SEPARATOR not in path and len(same_name) == 1:
        return same_name[0]
    if PATH_SEPARATOR not in path and len(same_name) > 1:
        raise AmbiguousCategoryError(
            f"{len(same_name)} categories are named {name!r}: pass the full path or the id",
            path,
            same_name,
        )
    near = same_name or list(page.objects)
    raise CategoryNotFoundError.lookup(
        f"no category has the full path {path!r} (levels separated by '>'); "
        "one made a moment ago may not be listed yet (the server's search index lags): pass "
        f"its id, or try again in a minute. Or it is {_HIDDEN}",
        path,
        near,
    )


@attrs.frozen
class CategoryNode:
    """A category of a tree, with its sub-categories; counts come from the server."""

    category: Category
    children: tuple[CategoryNode, ...] = ()

    @property
    def entries_count(self) -> int:
        """Return the entries in this category and its descendants."""
        return self.category.entries_count or 0

    @property
    def direct_entries_count(self) -> int:
        """Return the entries assigned to this category itself."""
        return self.category.direct_entries_count or 0

    def walk(self) -> list[CategoryNode]:
        """Return this node and every descendant, depth first, in path order."""
        return [self, *(node for child in self.children for node in child.walk())]


def category_tree(root: CategoryOrPath | None = None) -> Flow[list[CategoryNode]]:
    """Return the tree under ``root`` (id or path) with entry counts; every root when None."""
    top: Category | None = None
    if root is not None:
        top = yield from resolve_category(root)
    found: list[Category] = []
    page_index = 1
    while True:
        filter_ = CategoryFilter(
            ancestor_id_in=(top.id,) if top is not None and top.id else None,
            order_by="+fullName",
        )
        page: ListPage[Category] = yield from patiently(
            category.list(filter_, Pager(page_size=500, page_index=page_index))
        )
        found.extend(page.objects)
        if len(page.objects) < 500 or len(found) >= page.total_count or page_index == 20:
            break
        page_index += 1
    return build_tree(found, top)


def build_tree(categories: Sequence[Category], root: Category | None = None) -> list[CategoryNode]:
    """Return the nodes whose parent is ``root`` (or that have no listed parent), nested."""
    by_parent: dict[int, list[Category]] = {}
    ids = {c.id for c in categories}
    for c in categories:
        by_parent.setdefault(c.parent_id, []).append(c)

    def node(c: Category) -> CategoryNode:
        kids = sorted(by_parent.get(c.id, []), key=lambda k: k.full_name)
        return CategoryNode(c, tuple(node(k) for k in kids))

    if root is not None:
        return [node(root)]
    tops = [c for c in categories if c.parent_id not in ids]
    return [node(c) for c in sorted(tops, key=lambda k: k.full_name)]
