"""``baseEntry`` (and ``media``) actions, per ``BaseEntryService`` / ``KalturaEntryService``.

Exact reads (``get``, ``getByIds``) read the store. ``list`` is two-phase: ids come from the
index (lagging, see ``index``), then the rows are re-read from the store with the default
criteria re-applied, which only drops DELETED rows (``entryPeer::doSelect``: ``ID IN (...)`` +
``STATUS <> DELETED``). So a page can be short while more matches remain, a stale match is
listed with its current row, and ``totalCount`` is the index's count (Sphinx ``total_found``).
"""

from __future__ import annotations

from typing import Any

from kaltura_mm.sandbox.errors import KalturaApiException, invalid_ks
from kaltura_mm.sandbox.schema import KInput, check_insert, check_update
from simulation.model import categories, content, flavors
from simulation.model.actions import Action, Ctx, Param, list_response, pager
from simulation.model.entry_query import search
from simulation.model.jobs import NotModelled
from simulation.model.records import (
    AUTOMATIC,
    DELETED,
    DOCUMENT,
    IMAGE,
    MEDIA_CLIP,
    NO_CONTENT,
    Entry,
)
from simulation.model.render import entry_object
from simulation.model.state import REFERENCE_MODIFY

MAX_MATCHES = 10_000
_COLUMNS = {"name", "referenceId", "userId", "mediaType", "type", "categoriesIds"}
_KEPT = {"description", "tags", "partnerData", "adminTags", "partnerSortValue", "creditUrl"}


def find(ctx: Ctx, entry_id: str) -> Entry:
    """Return a live entry of the caller's partner or raise ``ENTRY_ID_NOT_FOUND``."""
    entry = ctx.state.entries.get(entry_id)
    if entry is None or entry.status == DELETED or entry.partner_id != ctx.partner_id:
        raise KalturaApiException("ENTRY_ID_NOT_FOUND", entry_id)
    return entry


def check_owner(ctx: Ctx, entry: Entry, owner_only: bool = False) -> None:
    """Refuse a USER KS that neither owns the entry nor holds ``edit`` for it
    (``@validateUser entry entryId edit``); ``owner_only`` (delete): only the owner."""
    if ctx.is_admin or entry.user_id.lower() == ctx.user_id.lower():
        return
    editor = ctx.session is not None and ctx.session.has_privilege("edit", entry.id)
    if editor and not owner_only:
        return
    ctx.state.events["entry.not_owner_refused"] += 1
    raise invalid_ks("", "-4", "INVALID_TYPE")


def _drop_unpermitted(ctx: Ctx, obj: KInput, entry: Entry | None) -> None:
    """Null what the caller's role may not write, as ``validateForInsert``/``ForUpdate`` do:
    silently, with only a ``KalturaBaseEntry-referenceId-error`` header (spec 13). On update a
    value equal to the current one is not a change, so it is kept."""
    value = obj.values.get("referenceId")
    if value is None or ctx.permitted(REFERENCE_MODIFY):
        return
    if entry is not None and value == entry.reference_id:
        return
    del obj.values["referenceId"]
    verb = "insert" if entry is None else "update"
    ctx.state.events["entry.reference_id_dropped"] += 1
    ctx.headers["KalturaBaseEntry-referenceId-error"] = (
        f'Current user does not have permission to {verb} property "KalturaBaseEntry::referenceId"'
    )


def _apply(ctx: Ctx, entry: Entry, obj: KInput) -> None:
    values = obj.values
    if "categories" in values:
        raise NotModelled("entry.categories by full name (use categoriesIds)")
    entry.name = values.get("name", entry.name)
    entry.reference_id = values.get("referenceId", entry.reference_id)
    if "mediaType" in values:
        entry.media_type = values["mediaType"]
    for name in obj.nulls:
        entry.extra.pop(name, None)
        if name == "referenceId":
            entry.reference_id = ""
    for name, value in values.items():
        if name not in _COLUMNS and name in _KEPT:
            entry.extra[name] = value
    if "categoriesIds" in values:
        categories.set_entry_categories(ctx, entry, values["categoriesIds"])


def add(ctx: Ctx) -> dict[str, Any]:
    """Create an entry: NO_CONTENT, owned by the KS user."""
    obj = ctx.obj("entry")
    assert obj is not None
    check_insert(obj)
    _drop_unpermitted(ctx, obj, None)
    owner = obj.get("userId") or ctx.user_id
    if owner != ctx.user_id and not ctx.is_admin:
        raise invalid_ks("", "-4", "INVALID_TYPE")
    now = int(ctx.now())
    type_ = ctx.args["type"] if ctx.args["type"] != -1 else obj.get("type", _type_of(obj))
    entry = Entry(
        ctx.state.mint_entry_id(),
        ctx.state.mint_int_id(),
        ctx.partner_id,
        owner,
        f"{ctx.partner_id}_{now}",
        type_,
        NO_CONTENT,
        now,
        now,
    )
    _apply(ctx, entry, obj)
    entry.name = entry.name or f"{ctx.partner_id}_{now}"
    ctx.state.write_entry(entry)
    return entry_object(ctx.state, entry)


def _type_of(obj: KInput) -> int:
    return {"KalturaMediaEntry": MEDIA_CLIP, "KalturaDocumentEntry": DOCUMENT}.get(
        obj.type, AUTOMATIC
    )


def get(ctx: Ctx) -> dict[str, Any]:
    """Return one entry from the store."""
    return entry_object(ctx.state, find(ctx, ctx.args["entryId"]))


def get_by_ids(ctx: Ctx) -> list[dict[str, Any]]:
    """Return the live entries among a comma-separated id list (unknown ids skipped)."""
    ids = {item.strip() for item in ctx.args["entryIds"].split(",")}
    state = ctx.state
    found = [
        e
        for i in sorted(ids)
        if (e := state.entries.get(i)) is not None
        and e.status != DELETED
        and e.partner_id == ctx.partner_id
    ]
    return [entry_object(state, e) for e in found]


def update(ctx: Ctx, param: str) -> dict[str, Any]:
    """Change an entry's writable fields."""
    entry = find(ctx, ctx.args["entryId"])
    check_owner(ctx, entry)
    obj = ctx.obj(param)
    assert obj is not None
    check_update(obj, entry_object(ctx.state, entry))
    _drop_unpermitted(ctx, obj, entry)
    _apply(ctx, entry, obj)
    entry.updated_at = int(ctx.now())
    ctx.state.write_entry(entry)
    return entry_object(ctx.state, entry)


def delete(ctx: Ctx) -> None:
    """Soft-delete an entry (status DELETED) and its category links."""
    entry = find(ctx, ctx.args["entryId"])
    check_owner(ctx, entry, owner_only=True)
    categories.drop_entry(ctx, entry)
    entry.status = DELETED
    entry.updated_at = int(ctx.now())
    flavors.deleted(ctx.state, entry)
    ctx.state.write_entry(entry)


def _content_resource(ctx: Ctx) -> str:
    resource = ctx.obj("resource")
    assert resource is not None
    if resource.type != "KalturaUploadedFileTokenResource":
        raise NotModelled(f"content resource {resource.type}")
    return str(resource.get("token", ""))


def add_content(ctx: Ctx) -> dict[str, Any]:
    """Give a NO_CONTENT entry its content (``ENTRY_ALREADY_WITH_CONTENT`` otherwise)."""
    entry = find(ctx, ctx.args["entryId"])
    check_owner(ctx, entry)
    token_id = _content_resource(ctx)
    if entry.status != NO_CONTENT:
        raise KalturaApiException("ENTRY_ALREADY_WITH_CONTENT")
    content.attach_token(ctx.state, entry, token_id)
    return entry_object(ctx.state, entry)


def update_content(ctx: Ctx) -> dict[str, Any]:
    """Attach content; an entry that has content already needs replacement (not allowed)."""
    entry = find(ctx, ctx.args["entryId"])
    check_owner(ctx, entry)
    token_id = _content_resource(ctx)
    if entry.type not in (MEDIA_CLIP, DOCUMENT):
        raise KalturaApiException("ENTRY_TYPE_NOT_SUPPORTED", entry.type)
    if entry.status != NO_CONTENT and entry.media_type != IMAGE:
        # The model's partner lacks FEATURE_ENTRY_REPLACEMENT: replacement is not modelled.
        raise KalturaApiException("FEATURE_FORBIDDEN", "FEATURE_ENTRY_REPLACEMENT")
    content.attach_token(ctx.state, entry, token_id)
    return entry_object(ctx.state, entry)


def list_entries(ctx: Ctx, response_type: str) -> dict[str, Any]:
    """Two-phase list: a page of ids from the index, rows re-read from the store."""
    state = ctx.state
    state.settle_indexes()
    own_only = not ctx.is_admin and not (ctx.session and ctx.session.has_privilege("list"))
    matches = search(state, ctx.obj("filter"), ctx.partner_id, ctx.user_id if own_only else None)
    size, index = pager(ctx)
    offset = (index - 1) * size
    if size and offset >= MAX_MATCHES:
        state.events["list.max_matches"] += 1
        raise KalturaApiException("QUERY_EXCEEDED_MAX_MATCHES_ALLOWED")
    page = matches[offset : min(offset + size, MAX_MATCHES)]
    rows = [e for d in page if (e := state.entries.get(d.id)) and e.status != DELETED]
    if len(rows) < len(page):
        state.events["list.short_page"] += 1
    objects = [entry_object(state, e) for e in rows]
    total = len(matches)
    if state.knobs.access_control_total and not ctx.is_admin:
        state.events["list.total_is_page_count"] += 1
        total = len(objects)
    if own_only:
        state.events["list.own_entries_only"] += 1
    return list_response(response_type, objects, total)


def count_entries(ctx: Ctx) -> int:
    """``count``: the index's own count of the filter's matches (Sphinx ``total_found``, spec
    6.3), as lagging as the list it counts for."""
    state = ctx.state
    state.settle_indexes()
    own_only = not ctx.is_admin and not (ctx.session and ctx.session.has_privilege("list"))
    return len(search(state, ctx.obj("filter"), ctx.partner_id, ctx.user_id if own_only else None))


_ENTRY = Param("entryId", required=True)
_PAGER = Param("pager", "object", type="KalturaFilterPager")
_PROFILE = Param("conversionProfileId", "int")
_RESOURCE = Param("resource", "object", required=True, type="KalturaResource")


def _actions(entry_type: str, update_param: str, filter_type: str) -> dict[str, Action]:
    list_type = (
        "KalturaMediaListResponse"
        if entry_type == "KalturaMediaEntry"
        else ("KalturaBaseEntryListResponse")
    )
    entry = Param("entry", "object", True, type=entry_type)
    changes = Param(update_param, "object", True, type=entry_type)
    filt = Param("filter", "object", type=filter_type)
    return {
        "add": Action(add, (entry, Param("type", "int", default=-1))),
        "get": Action(get, (_ENTRY, Param("version", "int", default=-1))),
        "list": Action(lambda ctx: list_entries(ctx, list_type), (filt, _PAGER)),
        "count": Action(count_entries, (filt,)),
        "update": Action(lambda ctx: update(ctx, update_param), (_ENTRY, changes)),
        "delete": Action(delete, (_ENTRY,)),
        "addcontent": Action(add_content, (_ENTRY, _RESOURCE)),
        "updatecontent": Action(update_content, (_ENTRY, _RESOURCE, _PROFILE)),
    }


BASE_ENTRY = {
    **_actions("KalturaBaseEntry", "baseEntry", "KalturaBaseEntryFilter"),
    "getbyids": Action(get_by_ids, (Param("entryIds", required=True),)),
}
MEDIA = _actions("KalturaMediaEntry", "mediaEntry", "KalturaMediaEntryFilter")
