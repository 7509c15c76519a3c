"""Resolving categories by id, full path or name, and building a tree with counts."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from kaltura_mm.errors import (
    AmbiguousCategoryError,
    ApiError,
    CategoryNotFoundError,
    ConfigError,
)
from kaltura_mm.flows.categories import (
    category_tree,
    normalize_path,
    resolve_category,
)
from kaltura_mm.models import Category, ListPage
from kaltura_mm.testing import drive
from tests.unit.test_listing_fakes import InMemoryKaltura


@attrs.define
class CategoryKaltura(InMemoryKaltura):
    """``InMemoryKaltura`` with a category tree answering ``category.get`` and ``category.list``."""

    tree: dict[int, Category] = attrs.field(factory=dict)

    def make(self, path: str, entries: int = 0) -> int:
        """Create ``path`` (and missing parents); return the last category's id."""
        parent = 0
        for depth, name in enumerate(path.split(">")):
            full = ">".join(path.split(">")[: depth + 1])
            known = [c for c in self.tree.values() if c.full_name == full]
            if known:
                parent = known[0].id
                continue
            new_id = len(self.tree) + 10
            parent_full_ids = self.tree[parent].full_ids if parent else None
            self.tree[new_id] = Category(
                id=new_id,
                parent_id=parent,
                name=name,
                full_name=full,
                depth=depth,
                full_ids=f"{parent_full_ids}>{new_id}" if parent_full_ids else str(new_id),
                entries_count=0,
                direct_entries_count=0,
            )
            parent = new_id
        leaf = self.tree[parent]
        self.tree[parent] = attrs.evolve(leaf, direct_entries_count=entries)
        return parent

    def _category_get(self, id: int) -> Category:
        if id not in self.tree:
            raise ApiError.create("CATEGORY_NOT_FOUND", f'Category id "{id}" not found')
        return self.tree[id]

    def _category_list(self, filter: Any, pager: Any) -> ListPage[Category]:
        found = list(self.tree.values())
        if filter.full_name_equal:
            found = [c for c in found if c.full_name == filter.full_name_equal]
        if filter.free_text:
            found = [c for c in found if filter.free_text.lower() in (c.name or "").lower()]
        if filter.ancestor_id_in:
            root = str(filter.ancestor_id_in[0])
            found = [c for c in found if root in c.full_ids.split(">")[:-1]]
        found.sort(key=lambda c: c.full_name)
        start = (pager.page_index - 1) * pager.page_size
        return ListPage(
            objects=tuple(found[start : start + pager.page_size]), total_count=len(found)
        )


@pytest.fixture
def fake() -> CategoryKaltura:
    fake = CategoryKaltura()
    fake.make("Root>Courses>Bio 101", entries=3)
    fake.make("Root>Courses>Chem 201", entries=2)
    fake.make("Root>Archive>Bio 101")
    fake.make("Other")
    return fake


def test_resolves_by_id_path_and_unique_name(fake: CategoryKaltura) -> None:
    chem = drive(resolve_category("Root > Courses > Chem 201"), fake).result
    assert chem.full_name == "Root>Courses>Chem 201"
    assert drive(resolve_category(chem.id), fake).result == chem
    assert drive(resolve_category(str(chem.id)), fake).result == chem
    assert drive(resolve_category("Chem 201"), fake).result == chem


def test_ambiguous_name_lists_every_candidate(fake: CategoryKaltura) -> None:
    with pytest.raises(AmbiguousCategoryError) as caught:
        drive(resolve_category("Bio 101"), fake)
    message = str(caught.value)
    assert "Root>Archive>Bio 101" in message and "Root>Courses>Bio 101" in message
    assert len(caught.value.candidates) == 2


def test_missing_path_names_near_matches(fake: CategoryKaltura) -> None:
    with pytest.raises(CategoryNotFoundError) as caught:
        drive(resolve_category("Root>Course>Bio 101"), fake)
    assert "Root>Courses>Bio 101" in str(caught.value)
    with pytest.raises(CategoryNotFoundError, match="no category has id 999"):
        drive(resolve_category(999), fake)


def test_bad_names_fail_before_any_request(fake: CategoryKaltura) -> None:
    with pytest.raises(ConfigError, match="empty segment"):
        normalize_path("Root>>Courses")
    with pytest.raises(ConfigError, match="integer id or a path"):
        drive(resolve_category(3.5), fake)  # type: ignore[arg-type]
    assert fake.requests == 0


def test_tree_nests_categories_with_counts(fake: CategoryKaltura) -> None:
    (root,) = drive(category_tree("Root>Courses"), fake).result
    assert root.category.full_name == "Root>Courses"
    assert [c.category.name for c in root.children] == ["Bio 101", "Chem 201"]
    assert [c.direct_entries_count for c in root.children] == [3, 2]
    whole = drive(category_tree(), fake).result
    assert [n.category.full_name for n in whole] == ["Other", "Root"]
    assert len(whole[1].walk()) == 6
