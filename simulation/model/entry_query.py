"""``baseEntry.list`` filters as the index applies them (``SphinxCriteria``, ``entryFilter``).

What the index does to a filter before matching:
- no status filter (and no ``idEqual``) means ``statusEqual=2``: only READY entries are listed;
- an IN list is cut to its first 150 values (``SphinxCriterion::MAX_IN_VALUES``); for ``idIn``
  the values are sorted first (by ``int_entry_id``, a crc32), NOT IN keeps them as given;
  ``referenceIdIn`` is never cut: ``SphinxEntryCriteria::applyFilterFields`` turns every value
  into one OR'ed match and unsets the field before the generic IN path (which slices) runs;
- ``categoryAncestorIdIn`` replaces ``categoriesIdsMatchOr`` when both are given;
- moderation is not modelled: every entry is AUTO_APPROVED (6, as ``render`` writes it), so a
  ``moderationStatus…`` filter keeps every entry or none;
- ties in the sort order fall back to the index's document order (knob ``tie_order``).
A filter field the model does not implement raises ``NotModelled`` instead of being ignored.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from kaltura_mm.sandbox.schema import KInput
from simulation.model.actions import cut
from simulation.model.index import EntryDoc, crc32
from simulation.model.jobs import NotModelled
from simulation.model.state import State

AUTO_APPROVED = 6  # every entry's moderationStatus
SPHINX_IN = 150
MAX_IN = 500
Predicate = Callable[[EntryDoc], bool]

_SORTABLE = {"createdAt": "created_at", "updatedAt": "updated_at", "name": "name"}
_IGNORED = {"orderBy", "partnerIdEqual", "partnerIdIn", "displayInSearchEqual"}


def _ints(csv: str, limit: int = MAX_IN) -> set[int]:
    return {int(v) for v in cut(csv, limit) if v.lstrip("-").isdigit()}


def _id_in(csv: str) -> Predicate:
    kept = set(sorted(cut(csv, MAX_IN), key=crc32)[:SPHINX_IN])
    return lambda d: d.id in kept


def _id_not_in(csv: str) -> Predicate:
    dropped = set(cut(csv, MAX_IN)[:SPHINX_IN])
    return lambda d: d.id not in dropped


def _categories_or(csv: str) -> Predicate:
    wanted = _ints(csv)
    if len(wanted) == 1:
        (only,) = wanted
        return lambda d: only in d.categories_ids
    return lambda d: not wanted.isdisjoint(d.categories_ids)


def _categories_and(csv: str) -> Predicate:
    wanted = _ints(csv)
    return lambda d: wanted <= d.categories_ids


def _status_in(csv: str) -> Predicate:
    wanted = _ints(csv)
    return lambda d: d.status in wanted


def _constant(keep: bool) -> Predicate:
    return lambda d: keep


def _field_builders(state: State) -> dict[str, Callable[[Any], Predicate]]:
    return {
        "idEqual": lambda v: lambda d: d.id == v,
        "idIn": _id_in,
        "idNotIn": _id_not_in,
        "nameEqual": lambda v: lambda d: d.name == v,
        "nameLike": lambda v: lambda d: v.lower() in d.name.lower(),
        "referenceIdEqual": lambda v: lambda d: d.reference_id == v,
        "referenceIdIn": lambda v: (lambda kept: lambda d: d.reference_id in kept)(
            set(cut(v, len(v)))
        ),
        "userIdEqual": lambda v: lambda d: d.user_id == v,
        "statusEqual": lambda v: lambda d: d.status == v,
        "statusNotEqual": lambda v: lambda d: d.status != v,
        "statusIn": _status_in,
        "statusNotIn": lambda v: (lambda s: lambda d: d.status not in s)(_ints(v)),
        "moderationStatusEqual": lambda v: _constant(v == AUTO_APPROVED),
        "moderationStatusIn": lambda v: _constant(AUTO_APPROVED in _ints(v)),
        "moderationStatusNotIn": lambda v: _constant(AUTO_APPROVED not in _ints(v)),
        "typeEqual": lambda v: lambda d: d.type == v,
        "typeIn": lambda v: (lambda s: lambda d: d.type in s)(_ints(v)),
        "mediaTypeEqual": lambda v: lambda d: d.media_type == v,
        "mediaTypeIn": lambda v: (lambda s: lambda d: d.media_type in s)(_ints(v)),
        "categoriesIdsMatchOr": _categories_or,
        "categoriesIdsMatchAnd": _categories_and,
        "categoriesIdsNotContains": lambda v: (lambda s: lambda d: s.isdisjoint(d.categories_ids))(
            _ints(v)
        ),
        "categoriesIdsEmpty": lambda v: lambda d: (not d.categories_ids) == bool(v),
        "createdAtGreaterThanOrEqual": lambda v: lambda d: d.created_at >= v,
        "createdAtLessThanOrEqual": lambda v: lambda d: d.created_at <= v,
        "updatedAtGreaterThanOrEqual": lambda v: lambda d: d.updated_at >= v,
        "updatedAtLessThanOrEqual": lambda v: lambda d: d.updated_at <= v,
    }


def _descendants(state: State, csv: str) -> set[int]:
    roots = _ints(csv)
    return {
        c.id
        for c in state.categories.values()
        if c.id in roots or any(str(r) in c.full_ids.split(">") for r in roots)
    }


_MOVING = {"createdAtGreaterThanOrEqual", "createdAtLessThanOrEqual", "idNotIn"}


def _normalized(state: State, filt: KInput | None) -> dict[str, Any]:
    values = dict(filt.values) if filt else {}
    if "categoryAncestorIdIn" in values:
        values.pop("categoriesIdsMatchOr", None)
        ids = _descendants(state, values.pop("categoryAncestorIdIn"))
        values["categoriesIdsMatchOr"] = ",".join(str(i) for i in sorted(ids)) or "-1"
    if not {"statusEqual", "statusIn", "statusNotIn", "statusNotEqual", "idEqual"} & set(values):
        values["statusEqual"] = 2
    for name in ("idIn", "idNotIn"):
        if len(cut(str(values.get(name, "")), MAX_IN)) > SPHINX_IN:
            state.events["list.in_cut_to_150"] += 1
    return values


def _tests(state: State, values: dict[str, Any]) -> list[Predicate]:
    builders = _field_builders(state)
    tests: list[Predicate] = []
    for name, value in values.items():
        if name in _IGNORED:
            continue
        if name not in builders:
            raise NotModelled(f"baseEntry.list filter field {name!r}")
        tests.append(builders[name](value))
    return tests


class _Matches:
    """The sorted documents matching a filter's steady fields, as of an index version."""

    def __init__(self, state: State, tests: list[Predicate], order_by: str) -> None:
        self.tests = tests
        self.key = sort_key(order_by)
        self.version = state.entry_index.version
        docs = list(state.entry_index.docs.values())
        for test in tests:  # one pass per test: cheaper than all() per document
            docs = [d for d in docs if test(d)]
        docs.sort(key=self.key)
        self.docs = docs

    def matches(self, doc: EntryDoc) -> bool:
        return all(test(doc) for test in self.tests)

    def catch_up(self, state: State) -> bool:
        """Apply the index writes since this list was made; False when they are forgotten."""
        changes = state.entry_index.changes_since(self.version)
        if changes is None:
            return False
        for old, new in changes:
            if old is not None and self.matches(old):
                at = bisect.bisect_left(self.docs, self.key(old), key=self.key)
                while self.docs[at] is not old:
                    at += 1
                del self.docs[at]
            if new is not None and self.matches(new):
                bisect.insort(self.docs, new, key=self.key)
        self.version = state.entry_index.version
        return True


def search(state: State, filt: KInput | None, partner: int, owner: str | None) -> list[EntryDoc]:
    """Return the index documents matching ``filt``, sorted (``owner``: a USER KS's own only).

    A walk asks the same filter page after page with only a cursor moving, so the sorted
    matches of the filter's other fields are kept, and updated as the index changes.
    """
    values = _normalized(state, filt)
    steady = {k: v for k, v in values.items() if k not in _MOVING}
    key = (partner, owner, tuple(sorted((k, str(v)) for k, v in steady.items())))
    found = state.query_cache.get(key)
    if not isinstance(found, _Matches) or not found.catch_up(state):
        tests: list[Predicate] = [lambda d: d.partner_id == partner]
        if owner is not None:
            tests.append(lambda d: d.user_id == owner)
        found = _Matches(state, tests + _tests(state, steady), str(steady.get("orderBy", "")))
        if len(state.query_cache) > 32:
            state.query_cache.clear()
        state.query_cache[key] = found
    matches = found.docs
    for test in _tests(state, {k: v for k, v in values.items() if k in _MOVING}):
        matches = [d for d in matches if test(d)]
    return matches


def sort_key(order_by: str) -> Callable[[EntryDoc], Any]:
    """Return the sort key for an ``orderBy`` list (unknown fields dropped, ties by index)."""
    parts: list[tuple[str, bool]] = []
    for item in order_by.split(","):
        item = item.strip()
        field = _SORTABLE.get(item[1:]) if item[:1] in "+-" else None
        if field is not None:
            parts.append((field, item[0] == "-"))
    if all(not descending for _, descending in parts):
        return attrgetter(*[field for field, _ in parts], "tie_key")

    def key(doc: EntryDoc) -> tuple[Any, ...]:
        out: list[Any] = []
        for field, descending in parts:
            value = getattr(doc, field)
            if descending:
                value = _Desc(value) if isinstance(value, str) else -value
            out.append(value)
        out.append(doc.tie_key)
        return tuple(out)

    return key


class _Desc:
    """Reverse a value's order inside a sort key."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Desc) -> bool:
        return bool(self.value > other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)
