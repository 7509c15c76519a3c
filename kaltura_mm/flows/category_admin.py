"""Create categories, every missing level, safely against a lagging search index.

Rules kept here (the server's behaviour they rest on is in docs/sandbox.md, "What
category.update, category.delete ... do"):

1. ``create_categories`` makes every missing level of each path, top down, and is idempotent: a
   level found is used, never made again. Levels are found by one ``category.list`` of every
   prefix (the search index), and by ``category.get`` of the ids the caller already knows
   (``known``: exact, so a category made a moment ago is found although the index does not show
   it yet).
2. ``DUPLICATE_CATEGORY`` on an add means the level exists and the index does not show it yet:
   it is "exists", never an error. Its id is then read from the index as soon as it shows it
   (``wait_for_index`` seconds at most); only then is a deeper level added under it.
3. Names are sent and compared as the server stores them (trimmed, ``>``, ``<`` and ``,``
   turned into ``_``); a sibling that differs only in case is the same category to the server.
4. ``CATEGORIES_LOCKED`` (a move's batch job is pending) is waited out with backoff, at most
   ``wait_for_index`` seconds, then reported naming the cause.

Renaming, moving and deleting are in ``kaltura_mm.flows.category_changes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from kaltura_mm.errors import ApiError, CategoryNotFoundError, ConfigError, KalturaError
from kaltura_mm.flows.categories import PATH_SEPARATOR, normalize_path
from kaltura_mm.models import Category, CategoryFilter, CategoryParams, ListPage, Pager
from kaltura_mm.protocol.calls import MultiRequest, MultiResponse, Ref
from kaltura_mm.runtime.effects import Flow
from kaltura_mm.runtime.poll import Every, NotYet, Waited, poll
from kaltura_mm.services import category

T = TypeVar("T")
DUPLICATE = "DUPLICATE_CATEGORY"
LOCKED = "CATEGORIES_LOCKED"
WAIT_FOR_INDEX = 300.0  # seconds; the real index lags by minutes under load
# Looks at the index and at a category lock: from 0.5 s, doubling, at most 15 s apart.
INDEX_LOOKS = Every(first=0.5, cap=15.0)
_NAME_MAX = 200
_NAMES_PER_LIST = 100  # the index keeps 150 values of an IN (SphinxCriterion::getNonStringClause)


def stored_name(name: str) -> str:
    """Return ``name`` as the server stores it (rule 3)."""
    name = name.strip(" \t\n\r\0\x0b")[:_NAME_MAX]
    for char in "><,":
        name = name.replace(char, "_")
    return name


def _levels(path: str) -> list[str]:
    """Return the full names of every level of ``path``, top first, as the server stores them."""
    names = [stored_name(n) for n in normalize_path(path).split(PATH_SEPARATOR)]
    return [PATH_SEPARATOR.join(names[: i + 1]) for i in range(len(names))]


def _key(full_name: str) -> str:
    return full_name.casefold()


@attrs.frozen
class CreatedCategory:
    """A category ``create_categories`` made sure of: it, and the levels this call made."""

    category: Category
    created: tuple[Category, ...] = ()

    @property
    def existed(self) -> bool:
        """Return whether the whole path existed before."""
        return not self.created


def create_category(
    path: str, *, known: Mapping[str, int] | None = None, wait_for_index: float = WAIT_FOR_INDEX
) -> Flow[CreatedCategory]:
    """Make sure the category ``path`` (``"A>B>C"``) exists, every missing level made; return it.

    ``known`` maps full names to ids made or seen earlier (read exactly with ``category.get``).
    """
    made = yield from create_categories([path], known=known, wait_for_index=wait_for_index)
    return made[normalize_path(path)]


def create_categories(
    paths: Iterable[str],
    *,
    known: Mapping[str, int] | None = None,
    wait_for_index: float = WAIT_FOR_INDEX,
) -> Flow[dict[str, CreatedCategory]]:
    """Make sure every path exists (rules 1 to 4); return each normalised path's outcome."""
    wanted = {normalize_path(p): _levels(p) for p in paths}
    every = sorted({level for levels in wanted.values() for level in levels}, key=len)
    found = yield from _existing(every, known or {})
    made: dict[str, Category] = {}
    for level in every:
        if _key(level) in found:
            continue
        parent = found[_key(level.rsplit(PATH_SEPARATOR, 1)[0])] if ">" in level else None
        added, new = yield from _add(level, parent, wait_for_index)
        found[_key(level)] = added
        if new:
            made[_key(level)] = added
    return {
        path: CreatedCategory(
            found[_key(levels[-1])],
            tuple(made[_key(level)] for level in levels if _key(level) in made),
        )
        for path, levels in wanted.items()
    }


def _existing(levels: Sequence[str], known: Mapping[str, int]) -> Flow[dict[str, Category]]:
    """Return the levels that exist, by case-folded full name: known ids read, the rest listed."""
    batch = MultiRequest()
    refs: list[Ref[Any]] = [
        batch.add(category.get(known[level])) for level in levels if level in known
    ]
    for start in range(0, len(levels), _NAMES_PER_LIST):
        names = tuple(levels[start : start + _NAMES_PER_LIST])
        refs.append(
            batch.add(category.list(CategoryFilter(full_name_in=names), Pager(page_size=500)))
        )
    answer: MultiResponse = yield batch
    found: dict[str, Category] = {}
    for ref in refs:
        got = answer.outcome(ref)
        if isinstance(got, CategoryNotFoundError):
            continue  # a known id deleted since: the listing decides
        if isinstance(got, KalturaError):
            raise got
        for item in got.objects if isinstance(got, ListPage) else (got,):
            if item.full_name and item.id:
                found.setdefault(_key(item.full_name), item)
    wanted = {_key(level) for level in levels}
    return {k: v for k, v in found.items() if k in wanted}


def _add(full_name: str, parent: Category | None, wait: float) -> Flow[tuple[Category, bool]]:
    """Add one level under ``parent``; return it and whether this call made it (rule 2)."""
    name = full_name.rsplit(PATH_SEPARATOR, 1)[-1]
    parent_id = parent.id if parent is not None else None

    def add() -> Flow[tuple[Category, bool]]:
        try:
            added: Category = yield category.add(CategoryParams(name=name, parent_id=parent_id))
            return added, True
        except ApiError as exc:
            if exc.code != DUPLICATE:
                raise
        return (yield from _shown(full_name, parent_id or 0, wait)), False

    return (yield from while_locked(add, full_name, wait))


def _shown(full_name: str, parent_id: int, wait: float) -> Flow[Category]:
    """Return the category ``full_name`` once the index shows it (it exists: rule 2)."""
    name = full_name.rsplit(PATH_SEPARATOR, 1)[-1]
    query = CategoryFilter(parent_id_equal=parent_id, free_text=name)

    def look() -> Flow[Category | NotYet[None]]:
        page: ListPage[Category] = yield category.list(query, Pager(page_size=500))
        shown = (i for i in page.objects if _key(i.full_name) == _key(full_name))
        return next(shown, NotYet())

    def unseen(waited: Waited) -> ConfigError:
        return ConfigError(
            f"category {full_name!r} exists (the server said DUPLICATE_CATEGORY) but its "
            f"search index did not show it within {wait:.0f} s: run the same command again "
            "in a few minutes"
        )

    what = f"the index to show category {full_name!r}"
    return (yield from poll(look, what=what, bound=wait, every=INDEX_LOOKS, give_up=unseen))


def while_locked(send: Callable[[], Flow[T]], what: str, wait: float) -> Flow[T]:
    """Return what ``send()`` returns, sent again while ``CATEGORIES_LOCKED`` lasts, at most
    ``wait`` s (rule 4); any other refusal is ``explained`` at once."""

    def look() -> Flow[T | NotYet[ApiError]]:
        try:
            return (yield from send())
        except ApiError as exc:
            if exc.code != LOCKED:
                raise explained(exc, what) from exc
            return NotYet(exc)

    def locked(waited: Waited) -> KalturaError:
        return explained(waited.why, what)

    awaited = f"categories to be unlocked to change {what!r}"
    return (yield from poll(look, what=awaited, bound=wait, every=INDEX_LOOKS, give_up=locked))


def explained(exc: ApiError, what: str) -> KalturaError:
    """Return the error to raise for a refused category change, saying what to do."""
    if exc.code == LOCKED:
        return ConfigError(
            f"categories are locked while a move's batch job runs on the server, and {what!r} "
            "could not be changed meanwhile: run the same command again in a few minutes"
        )
    if exc.code == "PARENT_CATEGORY_IS_CHILD":
        return ConfigError(f"{what!r} cannot move under itself or one of its sub-categories")
    if exc.code == DUPLICATE:
        return ConfigError(
            f"another category is already called {exc.kaltura_args.get('NAME', what)!r} "
            "there: pick another name or parent"
        )
    return exc
