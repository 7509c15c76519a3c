"""The ``category`` service: the category tree (read, add, rename or move, delete)."""

from __future__ import annotations

from kaltura_mm.errors import ConfigError
from kaltura_mm.models import Category, CategoryFilter, CategoryParams, ListPage, Pager
from kaltura_mm.protocol import codec
from kaltura_mm.protocol.calls import Call
from kaltura_mm.refs import CategoryRef, category_id_of
from kaltura_mm.services import arguments

SERVICE = "category"


def get(category_id: CategoryRef) -> Call[Category]:
    """Build the call fetching one category (``CategoryNotFoundError`` if missing)."""
    params = {"id": arguments.int_id("category_id", category_id_of(category_id))}
    return Call(service=SERVICE, action="get", params=params, decoder=codec.decoder_for(Category))


def list(
    filter: CategoryFilter | None = None, pager: Pager | None = None
) -> Call[ListPage[Category]]:
    """Build the call listing categories (up to 1500 without a pager, 500 with one)."""
    arguments.instance("filter", filter, CategoryFilter)
    arguments.instance("pager", pager, Pager)
    return Call(
        service=SERVICE,
        action="list",
        params={"filter": filter, "pager": pager},
        decoder=codec.list_decoder(Category),
    )


def add(category: CategoryParams) -> Call[Category]:
    """Build the call creating a category (admin session only); not idempotent."""
    arguments.instance("category", category, CategoryParams)
    if not category.name:
        raise ConfigError("category.name is empty: give the new category a name")
    return Call(
        service=SERVICE,
        action="add",
        params={"category": category},
        decoder=codec.decoder_for(Category),
        idempotent=False,
    )


def update(category_id: CategoryRef, category: CategoryParams) -> Call[Category]:
    """Build the call changing the set fields of a category: ``name`` renames it, ``parent_id``
    moves it (its descendants follow in a server batch job); admin session only."""
    arguments.instance("category", category, CategoryParams)
    params = {
        "id": arguments.int_id("category_id", category_id_of(category_id)),
        "category": category,
    }
    return Call(
        service=SERVICE, action="update", params=params, decoder=codec.decoder_for(Category)
    )


def delete(category_id: CategoryRef, move_entries_to_parent: bool = True) -> Call[None]:
    """Build the call deleting a category and its sub-categories; their entries move to the
    parent (or, with ``move_entries_to_parent=False`` or at the root, lose those categories)."""
    params = {
        "id": arguments.int_id("category_id", category_id_of(category_id)),
        "moveEntriesToParentCategory": 1 if move_entries_to_parent else 0,
    }
    return Call(service=SERVICE, action="delete", params=params, decoder=codec.decode_none)
