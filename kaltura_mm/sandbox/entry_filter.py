"""``KalturaBaseEntryFilter`` (and subclasses) as SQL over the search index (``entry_index e``).

Defaults unless overridden: READY only, moderation not in (1, 3), displayInSearch not in (-2, -1);
a USER KS without ``list:*`` sees only its own entries; on a partner that enforces entitlement,
the entitlement criteria (``entitlement`` rule 4); ``mediaType*`` needs the media filter.

IN lists: every ``...In`` keeps its first 500 values (``baseObjectFilter::createSqlIn``), except
``referenceIdIn``, which the Sphinx criteria read whole. The index then keeps 150
(``SphinxCriterion::MAX_IN_VALUES``; ``Settings.index_max_in_values``): an IN on a number field is
sorted first (``idIn`` by the crc32 of each id, which is what the index holds for ``entry.ID``), a
NOT IN or a text field's IN keeps the first 150 as sent. So ``idNotIn`` excludes at most 150.
"""

from __future__ import annotations

import zlib

from kaltura_mm.sandbox import entitlement
from kaltura_mm.sandbox.actions import ActionCall
from kaltura_mm.sandbox.free_text import register as register_free_text
from kaltura_mm.sandbox.listing import Query, csv, cut_first, cut_sorted
from kaltura_mm.sandbox.schema import KInput, is_subclass

ORDER_COLUMNS = {
    "createdAt": "e.created_at",
    "updatedAt": "e.updated_at",
    "name": "e.name",
    "partnerSortValue": "e.partner_sort_value",
    "startDate": "e.start_date",
    "endDate": "e.end_date",
    "recent": "e.created_at",
    "rank": "e.plays",
    "totalRank": "e.plays",
    "moderationCount": "e.seq",
    "weight": "e.seq",
}
PLAYABLE_ORDER = {
    "plays": "e.plays",
    "views": "e.views",
    "duration": "e.duration",
    "lastPlayedAt": "e.updated_at",
}
_TEXT_FIELDS = ("e.name", "e.tags", "e.description", "e.id", "e.reference_id", "e.user_id")


def order_columns(filter_type: str) -> dict[str, str]:
    """Return the orderBy fields allowed for a filter class."""
    columns = dict(ORDER_COLUMNS)
    if is_subclass(filter_type, "KalturaPlayableEntryFilter"):
        columns.update(PLAYABLE_ORDER)
    if is_subclass(filter_type, "KalturaMediaEntryFilter"):
        columns["mediaType"] = "e.media_type"
    return columns


def _crc32(entry_id: str) -> int:
    return zlib.crc32(entry_id.encode())


def own_entries_only(call: ActionCall) -> str | None:
    """Return the user a USER KS without ``list:*`` is limited to (None: no limit)."""
    session = call.session
    if session and not session.is_admin and not session.has_privilege("list"):
        return session.user_id
    return None


def build(call: ActionCall, f: KInput | None, media_only: bool = False) -> Query:
    """Return the WHERE clause over ``entry_index e`` for a list/count call."""
    cut = call.core.settings.index_max_in_values
    q = Query(["e.partner_id = ?"], [call.partner_id])
    v = f.values if f else {}
    if v.get("freeText"):
        register_free_text(call.core.store)  # the SQL function _free_text uses
    _status(q, v, cut)
    if media_only:
        q.add("e.type = 1")
    owner = own_entries_only(call)
    if owner is not None:
        q.add("lower(e.user_id) = lower(?)", [owner])
    entitled = entitlement.criteria(call)
    if entitled is not None:
        q.add(*entitled)
    q.eq("e.id", v.get("idEqual"))
    q.in_("e.id", cut_sorted(csv(v.get("idIn"), str), cut, _crc32))
    q.not_in("e.id", cut_first(csv(v.get("idNotIn"), str), cut))
    _text(q, v)
    q.eq("e.user_id", v.get("userIdEqual"))
    q.in_("e.user_id", cut_first(csv(v.get("userIdIn"), str), cut))
    q.not_in("e.user_id", cut_first(csv(v.get("userIdNotIn"), str), cut))
    q.eq("e.creator_id", v.get("creatorIdEqual"))
    q.eq("e.type", v.get("typeEqual"))
    q.in_("e.type", cut_sorted(csv(v.get("typeIn"), int), cut))
    q.eq("e.reference_id", v.get("referenceIdEqual"))
    q.in_("e.reference_id", csv(v.get("referenceIdIn"), str, limit=None))
    q.ge("e.created_at", v.get("createdAtGreaterThanOrEqual"))
    q.le("e.created_at", v.get("createdAtLessThanOrEqual"))
    q.ge("e.updated_at", v.get("updatedAtGreaterThanOrEqual"))
    q.le("e.updated_at", v.get("updatedAtLessThanOrEqual"))
    if f is not None and is_subclass(f.type, "KalturaMediaEntryFilter"):
        q.eq("e.media_type", v.get("mediaTypeEqual"))
        q.in_("e.media_type", cut_sorted(csv(v.get("mediaTypeIn"), int), cut))
    _categories(call, q, v)
    return q


def _status(q: Query, v: dict[str, object], cut: int | None) -> None:
    explicit = [v.get(k) for k in ("statusEqual", "statusIn", "statusNotEqual", "statusNotIn")]
    if all(x is None for x in explicit) and v.get("idEqual") is None:
        q.add("e.status = 2")
    q.eq("e.status", v.get("statusEqual"))
    q.in_("e.status", cut_sorted(csv(v.get("statusIn"), int), cut))
    q.ne("e.status", v.get("statusNotEqual"))
    q.not_in("e.status", cut_first(csv(v.get("statusNotIn"), int), cut))
    if v.get("statusEqual") != 3 and 3 not in (csv(v.get("statusIn"), int) or []):
        q.add("e.status != 3")
    if all(
        v.get(k) is None
        for k in ("moderationStatusEqual", "moderationStatusIn", "moderationStatusNotIn")
    ):
        q.add("e.moderation_status NOT IN (1, 3)")
    q.eq("e.moderation_status", v.get("moderationStatusEqual"))
    q.in_("e.moderation_status", cut_sorted(csv(v.get("moderationStatusIn"), int), cut))
    q.not_in("e.moderation_status", cut_first(csv(v.get("moderationStatusNotIn"), int), cut))
    if (
        v.get("idIn") is None
        and v.get("displayInSearchEqual") is None
        and v.get("displayInSearchIn") is None
    ):
        q.add("e.display_in_search NOT IN (-2, -1)")
    q.eq("e.display_in_search", v.get("displayInSearchEqual"))
    q.in_("e.display_in_search", cut_sorted(csv(v.get("displayInSearchIn"), int), cut))


def _like_any(q: Query, column: str, words: list[str] | None, joiner: str) -> None:
    if words:
        q.add(
            "(" + f" {joiner} ".join(f"{column} LIKE ?" for _ in words) + ")",
            [f"%{w}%" for w in words],
        )


def _text(q: Query, v: dict[str, object]) -> None:
    if v.get("nameLike"):
        q.add("e.name LIKE ?", [f"%{v['nameLike']}%"])
    q.eq("e.name", v.get("nameEqual"))
    _like_any(q, "e.name", csv(v.get("nameMultiLikeOr"), str), "OR")
    _like_any(q, "e.name", csv(v.get("nameMultiLikeAnd"), str), "AND")
    if v.get("tagsLike"):
        q.add("e.tags LIKE ?", [f"%{v['tagsLike']}%"])
    _like_any(q, "e.tags", csv(v.get("tagsMultiLikeOr"), str), "OR")
    _like_any(q, "e.tags", csv(v.get("tagsMultiLikeAnd"), str), "AND")
    if v.get("descriptionLike"):
        q.add("e.description LIKE ?", [f"%{v['descriptionLike']}%"])
    if v.get("freeText"):
        _free_text(q, str(v["freeText"]))


def _free_text(q: Query, text: str) -> None:
    """Whole words, as the index's MATCH (``free_text``): name, tags, description, id,
    referenceId, userId."""
    q.add(f"sandbox_free_text(?, 'entry', {', '.join(_TEXT_FIELDS)})", [text])


def _category_ids(call: ActionCall, ids: list[int], with_descendants: bool) -> list[int]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = call.core.store.all(
        f"SELECT id, full_ids FROM categories WHERE partner_id = ? AND status = 2 "  # noqa: S608
        f"AND id IN ({marks})",
        [call.partner_id, *ids],
    )
    found = [r[0] for r in rows]
    if with_descendants:
        for row in rows:
            found += [
                r[0]
                for r in call.core.store.all(
                    "SELECT id FROM categories WHERE partner_id = ? AND status = 2 "
                    "AND full_ids LIKE ?",
                    (call.partner_id, row[1] + ">%"),
                )
            ]
    return found


def _ids_by_names(call: ActionCall, names: list[str]) -> list[list[int]]:
    groups = []
    for name in names:
        descendants_only = name.endswith(">")
        base = name.rstrip(">")
        rows = call.core.store.all(
            "SELECT id FROM categories WHERE partner_id = ? AND status = 2 AND "
            "(substr(full_name, 1, ?) = ? OR (? = 0 AND full_name = ?))",
            (call.partner_id, len(base) + 1, base + ">", int(descendants_only), base),
        )
        groups.append([r[0] for r in rows])
    return groups


def _any_category(ids: list[int]) -> tuple[str, list[str]]:
    """Return a test of the indexed ``categories`` (",12,34,") for any of ``ids``."""
    return (
        "(" + " OR ".join("instr(e.categories, ?) > 0" for _ in ids) + ")",
        [f",{i}," for i in ids],
    )


def _in_categories(q: Query, ids: list[int]) -> None:
    if not ids:
        q.add("0")  # all unknown: the server's 0xffffffff sentinel matches nothing
        return
    q.add(*_any_category(ids))


def _categories(call: ActionCall, q: Query, v: dict[str, object]) -> None:
    ancestors = csv(v.get("categoryAncestorIdIn"), int)
    match_or = csv(v.get("categoriesIdsMatchOr"), int)
    if ancestors is not None:
        _in_categories(q, _category_ids(call, ancestors, with_descendants=True))
    elif match_or is not None:
        _in_categories(q, _category_ids(call, match_or, with_descendants=False))
    for cid in csv(v.get("categoriesIdsMatchAnd"), int) or []:
        _in_categories(q, _category_ids(call, [cid], with_descendants=False))
    not_ids = csv(v.get("categoriesIdsNotContains"), int)
    if not_ids:
        clause, params = _any_category(not_ids)
        q.add(f"NOT {clause}", params)
    if v.get("categoriesIdsEmpty") is not None:
        q.add("e.categories " + ("= ''" if v["categoriesIdsEmpty"] else "!= ''"))
    for key in ("categoriesMatchOr", "categoriesFullNameIn"):
        names = csv(v.get(key), str)
        if names is not None:
            _in_categories(q, [i for g in _ids_by_names(call, names) for i in g])
    for group in _ids_by_names(call, csv(v.get("categoriesMatchAnd"), str) or []):
        _in_categories(q, group)
