"""``category`` and ``categoryEntry`` actions (``CategoryService``, ``CategoryEntryService``).

``category.list`` reads the index (lagging, like entries); ``category.get`` and
``categoryEntry.list`` read the store. A category link changes the entry's ``categoriesIds``,
so it reindexes the entry (late, like every index write).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kaltura_mm.sandbox.errors import KalturaApiException
from kaltura_mm.sandbox.schema import check_insert
from simulation.model.actions import Action, Ctx, Param, cut, list_response, pager
from simulation.model.index import CategoryDoc
from simulation.model.jobs import NotModelled
from simulation.model.records import (
    CATEGORY_ACTIVE,
    CE_ACTIVE,
    CE_DELETED,
    DELETED,
    Category,
    CategoryEntry,
    Entry,
)
from simulation.model.render import category_entry_object, category_object
from simulation.model.state import DISABLE_CATEGORY_LIMIT, State

MAX_CATEGORIES_PER_ENTRY = 32
MAX_CATEGORIES_UNLIMITED = 1000  # FEATURE_DISABLE_CATEGORY_LIMIT, one privacy context


def category_limit_off(state: State, partner_id: int) -> bool:
    """Return whether the partner has ``FEATURE_DISABLE_CATEGORY_LIMIT``."""
    partner = state.partners.get(partner_id)
    return partner is not None and DISABLE_CATEGORY_LIMIT in partner.features


def _max_categories(ctx: Ctx, category: Category) -> int:
    """``entry::getMaxCategoriesPerEntry``: 1000 with the feature and one privacy context."""
    contexts = len(category.privacy_contexts.split(","))
    if category_limit_off(ctx.state, ctx.partner_id) and contexts == 1:
        return MAX_CATEGORIES_UNLIMITED
    return MAX_CATEGORIES_PER_ENTRY


def find_category(ctx: Ctx, category_id: int) -> Category:
    """Return a live category of the caller's partner or raise ``CATEGORY_NOT_FOUND``."""
    category = ctx.state.categories.get(category_id)
    if category is None or category.status != CATEGORY_ACTIVE:
        raise KalturaApiException("CATEGORY_NOT_FOUND", category_id)
    if category.partner_id != ctx.partner_id:
        raise KalturaApiException("CATEGORY_NOT_FOUND", category_id)
    return category


def _direct_count(ctx: Ctx, category_id: int) -> int:
    rows = ctx.state.category_rows.values()
    return sum(1 for links in rows if (row := links.get(category_id)) and row.status == CE_ACTIVE)


def link(ctx: Ctx, entry: Entry, category: Category) -> CategoryEntry:
    """Add an ACTIVE link and reindex the entry."""
    row = CategoryEntry(
        category.id, entry.id, ctx.partner_id, CE_ACTIVE, int(ctx.now()), ctx.user_id
    )
    ctx.state.category_rows.setdefault(entry.id, {})[category.id] = row
    entry.updated_at = int(ctx.now())
    ctx.state.write_entry(entry)
    return row


def unlink(ctx: Ctx, entry: Entry, category_id: int) -> None:
    """Delete a link (soft: the row leaves the live set) and reindex the entry."""
    row = ctx.state.category_rows.get(entry.id, {}).pop(category_id)
    row.status = CE_DELETED
    entry.updated_at = int(ctx.now())
    ctx.state.write_entry(entry)


def set_entry_categories(ctx: Ctx, entry: Entry, csv: str) -> None:
    """Make ``entry``'s links to categories without a privacy context exactly the ids in
    ``csv`` (``categoriesIds`` on add/update). ``categoryEntryPeer::syncEntriesCategories``
    skips privacy-context categories on both sides: naming one links nothing, and links to
    them stay. With ``FEATURE_DISABLE_CATEGORY_LIMIT`` ``entry::setCategoriesIds`` returns
    at once: the field changes nothing."""
    if category_limit_off(ctx.state, ctx.partner_id):
        return
    wanted = [int(v) for v in cut(csv, 500) if v.isdigit()]
    categories = [c for c in (find_category(ctx, cid) for cid in wanted) if not c.privacy_contexts]
    state = ctx.state
    for cid in [c for c in state.categories_of(entry.id) if c not in wanted]:
        if not state.categories[cid].privacy_contexts:
            unlink(ctx, entry, cid)
    for category in categories:
        if category.id not in state.category_rows.get(entry.id, {}):
            link(ctx, entry, category)


def drop_entry(ctx: Ctx, entry: Entry) -> None:
    """Delete every link of an entry that is being deleted."""
    for row in ctx.state.category_rows.pop(entry.id, {}).values():
        row.status = CE_DELETED


def entry_add(ctx: Ctx) -> dict[str, Any]:
    """Link an entry to a category, in the server's check order."""
    obj = ctx.obj("categoryEntry")
    assert obj is not None
    for name in ("categoryId", "entryId"):
        if obj.get(name) in (None, ""):
            raise KalturaApiException(
                "PROPERTY_VALIDATION_CANNOT_BE_NULL", f"KalturaCategoryEntry::{name}"
            )
    check_insert(obj)
    entry_id, category_id = str(obj.get("entryId")).strip(), int(obj.get("categoryId"))
    entry = ctx.state.entries.get(entry_id)
    if entry is None or entry.status == DELETED or entry.partner_id != ctx.partner_id:
        raise KalturaApiException("INVALID_ENTRY_ID", entry_id)
    category = find_category(ctx, category_id)
    most = _max_categories(ctx, category)
    if len(ctx.state.categories_of(entry_id)) >= most:
        raise KalturaApiException("MAX_CATEGORIES_FOR_ENTRY_REACHED", most)
    existing = ctx.state.category_rows.get(entry_id, {}).get(category_id)
    if existing is not None and existing.status == CE_ACTIVE:
        raise KalturaApiException("CATEGORY_ENTRY_ALREADY_EXISTS")
    return category_entry_object(ctx.state, link(ctx, entry, category))


def entry_delete(ctx: Ctx) -> None:
    """Unlink an entry from a category (``ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY`` if not linked)."""
    entry_id, category_id = ctx.args["entryId"], ctx.args["categoryId"]
    if category_id not in ctx.state.category_rows.get(entry_id, {}):
        raise KalturaApiException("ENTRY_IS_NOT_ASSIGNED_TO_CATEGORY")
    if ctx.state.categories[category_id].privacy_contexts:
        ctx.state.events["category_entry.privacy_context_unlinked"] += 1
    unlink(ctx, ctx.state.entries[entry_id], category_id)


_CE_FIELDS = {"entryIdEqual", "entryIdIn", "categoryIdEqual", "categoryIdIn"}
_CE_OTHER = {"statusEqual", "statusIn", "orderBy"}


def entry_list(ctx: Ctx) -> dict[str, Any]:
    """List links from the store (exact); a USER KS must filter on an entry or a category."""
    filt = ctx.obj("filter")
    values = dict(filt.values) if filt else {}
    if not ctx.is_admin and not _CE_FIELDS & set(values):
        raise KalturaApiException("MUST_FILTER_ON_ENTRY_OR_CATEGORY")
    unknown = set(values) - _CE_FIELDS - _CE_OTHER
    if unknown:
        raise NotModelled(f"categoryEntry.list filter fields {sorted(unknown)}")
    rows = [r for links in ctx.state.category_rows.values() for r in links.values()]
    rows = [r for r in rows if r.partner_id == ctx.partner_id and _ce_matches(r, values)]
    rows.sort(key=lambda r: (r.created_at, r.entry_id, r.category_id))
    if str(values.get("orderBy", "")).startswith("-"):
        rows.reverse()
    size, index = pager(ctx)
    page = rows[(index - 1) * size : index * size]
    total = len(rows)
    if page and len(page) < size:
        total = (index - 1) * size + len(page)
    objects = [category_entry_object(ctx.state, r) for r in page]
    return list_response("KalturaCategoryEntryListResponse", objects, total)


def _ce_matches(row: CategoryEntry, values: dict[str, Any]) -> bool:
    tests: dict[str, Callable[[Any], bool]] = {
        "entryIdEqual": lambda v: row.entry_id == v,
        "entryIdIn": lambda v: row.entry_id in cut(v, 500),
        "categoryIdEqual": lambda v: row.category_id == v,
        "categoryIdIn": lambda v: str(row.category_id) in cut(v, 500),
        "statusEqual": lambda v: row.status == v,
        "statusIn": lambda v: str(row.status) in cut(v, 500),
    }
    return all(tests[name](value) for name, value in values.items() if name in tests)


def add(ctx: Ctx) -> dict[str, Any]:
    """Create a category under ``parentId`` (0 = root); sibling names are unique."""
    obj = ctx.obj("category")
    assert obj is not None
    check_insert(obj)
    name = obj.get("name")
    if not name:
        raise KalturaApiException("PROPERTY_VALIDATION_CANNOT_BE_NULL", "KalturaCategory::name")
    name = str(name).translate(str.maketrans("<>,", "___"))
    parent_id = int(obj.get("parentId", 0) or 0)
    parent = _parent(ctx, parent_id)
    full_name = f"{parent.full_name}>{name}" if parent else name
    if any(
        c.full_name == full_name and c.status == CATEGORY_ACTIVE and c.partner_id == ctx.partner_id
        for c in ctx.state.categories.values()
    ):
        raise KalturaApiException("DUPLICATE_CATEGORY", full_name)
    return category_object(create_category(ctx, parent, name), 0)


def _parent(ctx: Ctx, parent_id: int) -> Category | None:
    if parent_id == 0:
        return None
    parent = ctx.state.categories.get(parent_id)
    if parent is None or parent.status != CATEGORY_ACTIVE or parent.partner_id != ctx.partner_id:
        raise KalturaApiException("PARENT_CATEGORY_NOT_FOUND", parent_id)
    return parent


def new_category(
    state: State, partner_id: int, parent: Category | None, name: str, privacy_context: str = ""
) -> Category:
    """Return a new category row (not stored yet): a privacy context of its own, else its
    parent's (``category::save`` gives every descendant the contexts of its ancestors)."""
    now = int(state.now())
    cid = state.mint_int_id()
    full_name = f"{parent.full_name}>{name}" if parent else name
    full_ids = f"{parent.full_ids}>{cid}" if parent else str(cid)
    return Category(
        cid,
        partner_id,
        parent.id if parent else 0,
        name,
        full_name,
        full_ids,
        parent.depth + 1 if parent else 0,
        now,
        now,
        privacy_context=privacy_context,
        privacy_contexts=_contexts(parent.privacy_contexts if parent else "", privacy_context),
    )


def _contexts(inherited: str, own: str) -> str:
    names = [n for n in inherited.split(",") + own.split(",") if n]
    return ",".join(dict.fromkeys(names))


def create_category(ctx: Ctx, parent: Category | None, name: str) -> Category:
    """Store a new category and queue its index document."""
    category = new_category(ctx.state, ctx.partner_id, parent, name)
    ctx.state.write_category(category)
    return category


def get(ctx: Ctx) -> dict[str, Any]:
    """Return one category from the store."""
    category = find_category(ctx, ctx.args["id"])
    return category_object(category, _direct_count(ctx, category.id))


def _category_tests(values: dict[str, Any]) -> list[Callable[[CategoryDoc], bool]]:
    builders: dict[str, Callable[[Any], Callable[[CategoryDoc], bool]]] = {
        "idEqual": lambda v: lambda d: d.id == v,
        "idIn": lambda v: lambda d: str(d.id) in cut(v, 150),
        "parentIdEqual": lambda v: lambda d: d.parent_id == v,
        "parentIdIn": lambda v: lambda d: str(d.parent_id) in cut(v, 150),
        "depthEqual": lambda v: lambda d: d.depth == v,
        "fullNameEqual": lambda v: lambda d: d.full_name == v,
        "fullNameStartsWith": lambda v: lambda d: d.full_name.startswith(v),
        "fullNameIn": lambda v: lambda d: d.full_name in cut(v, 150),
    }
    tests: list[Callable[[CategoryDoc], bool]] = []
    for name, value in values.items():
        if name == "orderBy":
            continue
        if name not in builders:
            raise NotModelled(f"category.list filter field {name!r}")
        tests.append(builders[name](value))
    return tests


def list_categories(ctx: Ctx) -> dict[str, Any]:
    """Two-phase list over the category index; without a pager, pages of 1500."""
    state = ctx.state
    state.settle_indexes()
    filt = ctx.obj("filter")
    tests = _category_tests(dict(filt.values) if filt else {})
    docs: list[CategoryDoc] = [
        d
        for d in state.category_index.docs.values()
        if d.partner_id == ctx.partner_id
        and d.status == CATEGORY_ACTIVE
        and all(t(d) for t in tests)
    ]
    docs.sort(key=lambda d: (d.depth, d.tie_key))
    size, index = pager(ctx, without_pager=1500)
    page = docs[(index - 1) * size : index * size]
    live = [c for d in page if (c := state.categories.get(d.id)) and c.status == CATEGORY_ACTIVE]
    objects = [category_object(c, _direct_count(ctx, c.id)) for c in live]
    return list_response("KalturaCategoryListResponse", objects, len(docs))


_FILTER = Param("filter", "object", type="KalturaCategoryEntryFilter")
_PAGER = Param("pager", "object", type="KalturaFilterPager")

_CATEGORY = Param("category", "object", True, type="KalturaCategory")
_LINK = Param("categoryEntry", "object", True, type="KalturaCategoryEntry")
CATEGORY = {
    "add": Action(add, (_CATEGORY,), admin_only=True),
    "get": Action(get, (Param("id", "int", required=True),)),
    "list": Action(
        list_categories, (Param("filter", "object", type="KalturaCategoryFilter"), _PAGER)
    ),
}
CATEGORY_ENTRY = {
    "add": Action(entry_add, (_LINK,)),
    "delete": Action(
        entry_delete, (Param("entryId", required=True), Param("categoryId", "int", required=True))
    ),
    "list": Action(entry_list, (_FILTER, _PAGER)),
}
