"""Does a saved plan stay inside its own category? Refuse a plan that reaches outside it.

A plan file is plain JSON: anyone who can edit it can name any entry or category. ``kaltura-mm
apply`` checks the server, partner, files and drift; this checks the *scope*, before anything is
sent. The server is read again (the scope category by id, the tree below it, each acted-on entry's
links, exactly), and every item must stay inside:

- the scope category the plan names still has the full name the plan gives it;
- every category the plan creates, attaches to or detaches from is the scope or below it (by id
  in the tree read now, or by full path for one still to be created);
- every entry the plan replaces, updates, attaches or deletes is linked to the scope or a
  category below it now (an entry gone already, or one only detached, is not: a re-run of the
  plan finds it so), or, for one the plan brings into the scope (``attach``, no
  ``detach`` nor ``delete``), carries the item's own referenceId (an entry of the source that
  left the category, as ``kaltura-mm sync`` plans it).

Anything else is named, item by item, in one ``PlanScopeError``; nothing is changed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kaltura_mm.errors import CategoryNotFoundError, ConfigError
from kaltura_mm.flows.categories import PATH_SEPARATOR
from kaltura_mm.flows.paged import CALLS_PER_REQUEST
from kaltura_mm.models import BaseEntry, Category
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.services import category
from kaltura_mm.sync.model import ADD, ATTACH, DELETE, DETACH, WRITES, Place, Plan, PlanItem
from kaltura_mm.sync.server import category_tree, made_below
from kaltura_mm.sync.truth import identity


class PlanScopeError(ConfigError):
    """A saved plan acts outside its own category; ``rows`` names each item that does."""

    def __init__(self, scope: str, rows: Sequence[str]) -> None:
        """Hold the offending items' descriptions."""
        shown = "; ".join(rows[:10]) + (f"; and {len(rows) - 10} more" if len(rows) > 10 else "")
        super().__init__(
            f"the plan acts outside its category {scope!r} ({len(rows)} refused): {shown}; "
            "nothing was changed: make a new plan with `kaltura-mm sync`, and do not edit it"
        )
        self.rows = tuple(rows)


def scope_tree(plan: Plan) -> Flow[dict[int, Category]]:
    """Return the plan's scope category and those below it, as the server holds them now.

    Refuse (``PlanScopeError``) a scope whose id names another category than its full name.
    """
    scope = plan.scope
    if scope.id is None:
        return {}
    try:
        top: Category = yield category.get(scope.id)
    except CategoryNotFoundError:
        raise PlanScopeError(
            scope.full_name, [f"its category {scope.id} no longer exists"]
        ) from None
    if top.full_name.casefold() != scope.full_name.casefold():
        raise PlanScopeError(
            scope.full_name,
            [f"category {scope.id} is {top.full_name!r} on the server, not {scope.full_name!r}"],
        )
    tree = yield from category_tree(top)
    named = {p.full_name: p.id for i in plan.items for p in (*i.attach, *i.detach) if p.id}
    tree.update((yield from made_below(top, tree, {k: v for k, v in named.items() if v})))
    return tree


def with_linked(
    tree: Mapping[int, Category], top_id: int | None, linked: Mapping[str, set[int]]
) -> Flow[dict[int, Category]]:
    """Return ``tree`` with the categories the entries are linked to that it does not hold but
    that lie below the scope, read by id (a category made a moment ago is not listed yet)."""
    found = dict(tree)
    top = tree.get(top_id or 0)
    unknown = sorted({c for ids in linked.values() for c in ids} - set(tree))
    if top is None or not unknown:
        return found
    below = top.full_ids + ">"
    for start in range(0, len(unknown), CALLS_PER_REQUEST):
        batch = MultiRequest()
        refs: list[Ref[Any]] = [
            batch.add(category.get(i)) for i in unknown[start : start + CALLS_PER_REQUEST]
        ]
        answer: MultiResponse = yield batch
        for held in (answer.outcome(r) for r in refs):
            if isinstance(held, Category) and held.full_ids.startswith(below):
                found[held.id] = held
    return found


def outside(
    plan: Plan,
    tree: Mapping[int, Category],
    entries: Mapping[str, BaseEntry],
    linked: Mapping[str, set[int]],
) -> list[str]:
    """Return a description of each item of ``plan`` that acts outside its scope (none: [])."""
    top = plan.scope.full_name
    rows = [
        f"create {name!r}: not {top!r} or below it" for name in plan.create if not _below(top, name)
    ]
    for number, item in enumerate(plan.items, 1):
        if not item.changes:
            continue
        reasons = [
            f"{verb} {place.full_name!r}{f' ({place.id})' if place.id else ''}"
            for verb, places in (("attach to", item.attach), ("detach from", item.detach))
            for place in places
            if not _inside(place, top, tree)
        ]
        if _stray(item, entries, linked, tree):
            reasons.append(f"entry {item.entry_id} is not in {top!r} or below it")
        if reasons:
            rows.append(f"item {number} ({_who(item)}): " + ", ".join(reasons))
    return rows


def _stray(
    item: PlanItem,
    entries: Mapping[str, BaseEntry],
    linked: Mapping[str, set[int]],
    tree: Mapping[int, Category],
) -> bool:
    """Return whether ``item`` acts on an entry outside the scope (see the module's rules)."""
    entry = entries.get(item.entry_id or "")
    if entry is None or ADD in item.actions or _detach_only(item):
        return False  # gone already (the drift check speaks of it), made here, or detached
    in_scope = bool(linked.get(item.entry_id or "", set()) & set(tree))
    return not in_scope and not _brought_in(item, entry)


def _detach_only(item: PlanItem) -> bool:
    """Return whether ``item`` only detaches (its places are checked; once done, the entry is
    out of the scope, and applying the plan again must not refuse it)."""
    return all(a == DETACH for a in item.actions if a in WRITES)


def _brought_in(item: PlanItem, entry: BaseEntry | None) -> bool:
    """Return whether ``item`` only brings into the scope the entry of its own referenceId."""
    return (
        entry is not None
        and item.reference_id is not None
        and identity(entry.reference_id) == identity(item.reference_id)
        and ATTACH in item.actions
        and DETACH not in item.actions
        and DELETE not in item.actions
    )


def _inside(place: Place, top: str, tree: Mapping[int, Category]) -> bool:
    if place.id is None:
        return _below(top, place.full_name)
    held = tree.get(place.id)
    return held is not None and held.full_name.casefold() == place.full_name.casefold()


def _below(top: str, name: str) -> bool:
    folded, head = name.casefold(), top.casefold()
    return folded == head or folded.startswith(head + PATH_SEPARATOR)


def _who(item: PlanItem) -> str:
    return " ".join(
        x for x in (item.relative, f"entry {item.entry_id}" if item.entry_id else None) if x
    ) or (item.name or "?")
