"""``baseEntry.list`` filters as the index applies them (``SphinxCriteria``, ``entryFilter``).

What the index does to a filter before matching:
- no status filter (and no ``idEqual``) means ``statusEqual=2``: only READY entries are listed;
- an IN list is cut to its first 150 values (``SphinxCriterion::MAX_IN_VALUES``); for ``idIn``
  the values are sorted first (by ``int_entry_id``, a crc32), NOT IN keeps them as given;
  ``referenceIdIn`` is cut too when the knob ``reference_id_in_cut`` is on;
- ``categoryAncestorIdIn`` replaces ``categoriesIdsMatchOr`` when both are given;
- ties in the sort order fall back to the index's document order (knob ``tie_order``).
A filter field the model does not implement raises ``NotModelled`` instead of being ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kaltura_mm.sandbox.schema import KInput
from simulation.model.actions import cut
from simulation.model.index import EntryDoc, crc32
from simulation.model.jobs import NotModelled
from simulation.model.state import State

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
    return lambda d: not wanted.isdisjoint(d.categories_ids)


def _categories_and(csv: str) -> Predicate:
    wanted = _ints(csv)
    return lambda d: wanted <= d.categories_ids


def _status_in(csv: str) -> Predicate:
    wanted = _ints(csv)
    return lambda d: d.status in wanted


def _field_builders(state: State) -> dict[str, Callable[[Any], Predicate]]:
    ref_limit = SPHINX_IN if state.knobs.reference_id_in_cut else MAX_IN
    return {
        "idEqual": lambda v: lambda d: d.id == v,
        "idIn": _id_in,
        "idNotIn": _id_not_in,
        "nameEqual": lambda v: lambda d: d.name == v,
        "nameLike": lambda v: lambda d: v.lower() in d.name.lower(),
        "referenceIdEqual": lambda v: lambda d: d.reference_id == v,
        "referenceIdIn": lambda v: (lambda kept: lambda d: d.reference_id in kept)(
            set(cut(v, MAX_IN)[:ref_limit])
        ),
        "userIdEqual": lambda v: lambda d: d.user_id == v,
        "statusEqual": lambda v: lambda d: d.status == v,
        "statusNotEqual": lambda v: lambda d: d.status != v,
        "statusIn": _status_in,
        "statusNotIn": lambda v: (lambda s: lambda d: d.status not in s)(_ints(v)),
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


def predicates(state: State, filt: KInput | None) -> list[Predicate]:
    """Return the index-side tests a document must pass for ``filt``."""
    values = dict(filt.values) if filt else {}
    if "categoryAncestorIdIn" in values:
        values.pop("categoriesIdsMatchOr", None)
        ids = _descendants(state, values.pop("categoryAncestorIdIn"))
        values["categoriesIdsMatchOr"] = ",".join(str(i) for i in ids) or "-1"
    if not {"statusEqual", "statusIn", "statusNotIn", "statusNotEqual", "idEqual"} & set(values):
        values["statusEqual"] = 2
    builders = _field_builders(state)
    tests: list[Predicate] = []
    for name, value in values.items():
        if name in _IGNORED:
            continue
        if name not in builders:
            raise NotModelled(f"baseEntry.list filter field {name!r}")
        tests.append(builders[name](value))
    return tests


def sort_key(order_by: str) -> Callable[[EntryDoc], tuple[Any, ...]]:
    """Return the sort key for an ``orderBy`` list (unknown fields dropped, ties by index)."""
    parts: list[tuple[str, bool]] = []
    for item in order_by.split(","):
        item = item.strip()
        field = _SORTABLE.get(item[1:]) if item[:1] in "+-" else None
        if field is not None:
            parts.append((field, item[0] == "-"))

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
